"""Names in the customer's language: the languages a bank may name things in, `?lang=` on the
customer-facing reads, and picking a name with Danish (the bank's base name) as the fallback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from meetbook.core.errors import Invalid
from meetbook.core.wire import line

NAME_LANGUAGES = ("da-DK", "en-GB", "kl-GL")
BASE_LANGUAGE = "da-DK"  # a name without a translation is the bank's own (Danish) name
NAME_LIMIT = 200
_BY_LOWER = {tag.lower(): tag for tag in NAME_LANGUAGES}

# The meeting types' words when the bank gives none (the booking page's own words); kl-GL falls back to Danish.
MEETING_TYPE_WORDS = {
    "da-DK": {"Physical": "Møde i filialen", "Online": "Videomøde", "Telephone": "Telefonmøde", "OffSite": "Møde ude hos dig"},
    "en-GB": {"Physical": "At a branch", "Online": "Video meeting", "Telephone": "Phone call", "OffSite": "At your place"},
}


def language_tag(value: str) -> str | None:
    """`en-gb`, `en_GB` -> `en-GB`; None for a tag we do not name things in."""
    return _BY_LOWER.get(value.strip().replace("_", "-").lower()) if isinstance(value, str) else None


def _names(value: object) -> object:
    if not isinstance(value, dict):
        return value  # the type check says what is wrong
    out = {}
    for key, name in value.items():
        tag = language_tag(key)
        if tag is None:
            raise ValueError(f"{str(key)[:20]!r} is not a language we name things in: use {', '.join(NAME_LANGUAGES)}")
        if tag in out:
            raise ValueError(f"{tag} is given twice")
        out[tag] = name
    return out


def _no_blank(value: dict[str, str]) -> dict[str, str]:
    for tag, name in value.items():
        if not name.strip():
            raise ValueError(f"the {tag} name is blank")
    return value


NAMES_SCHEMA = {
    "type": "object",
    "propertyNames": {"enum": list(NAME_LANGUAGES)},
    "additionalProperties": {"type": "string", "minLength": 1, "maxLength": NAME_LIMIT},
    "examples": [{"en-GB": "Buying a home", "kl-GL": "Illumik pisineq"}],
    "description": f"The name per language ({', '.join(NAME_LANGUAGES)}); a language left out reads the base name",
}
# {"en-GB": "...", "kl-GL": "..."}: translations of one name, each one line of at most 200 characters.
Names = Annotated[
    dict[str, line(NAME_LIMIT, min_length=1)],
    BeforeValidator(_names),
    AfterValidator(_no_blank),
    WithJsonSchema(NAMES_SCHEMA, mode="validation"),
]


def read_lang(value: str | None) -> str | None:
    """The `lang` query parameter: one of the three tags in any letter case. An unknown one is a 400
    naming the accepted ones rather than a silent Danish answer the caller would take for a translation."""
    if value is None or value == "":
        return None
    tag = language_tag(value)
    if tag is None:
        raise Invalid(f"lang: {value[:20]!r} is not a language we answer in; use one of {', '.join(NAME_LANGUAGES)}",
                      [{"field": "lang", "message": f"must be one of {', '.join(NAME_LANGUAGES)}"}])
    return tag


LangParam = Annotated[
    str | None,
    Query(description=f"Fill the localized* fields in this language: {', '.join(NAME_LANGUAGES)} "
          "(a name without a translation reads the bank's Danish name); any other value is a 400",
          json_schema_extra={"enum": list(NAME_LANGUAGES)}),
]


def pick(base: str | None, names: Mapping[str, str] | None, lang: str | None) -> str | None:
    """The name in `lang`, else the base name (None without a language asked for)."""
    if lang is None:
        return None
    return (names or {}).get(lang) or base


def closing_day_names(days: Mapping[str, str | None], translations: Mapping[str, Mapping[str, str]] | None,
                      lang: str) -> dict[str, str]:
    """Each named closing day's name in `lang`: its translation, else the bank's (Danish) name."""
    out = {}
    for day, name in sorted(days.items()):
        local = (translations or {}).get(day, {}).get(lang) or name
        if local:
            out[day] = local
    return out


def meeting_type_names(bank_names: Mapping[str, Mapping[str, str]] | None, lang: str) -> dict[str, str]:
    """Every meeting type's word in `lang`: the bank's, else the built-in one, else the Danish ones."""
    own = bank_names or {}
    builtin = MEETING_TYPE_WORDS.get(lang, {})
    danish = MEETING_TYPE_WORDS[BASE_LANGUAGE]
    return {
        kind: (own.get(kind) or {}).get(lang) or builtin.get(kind) or (own.get(kind) or {}).get(BASE_LANGUAGE) or danish[kind]
        for kind in danish
    }
