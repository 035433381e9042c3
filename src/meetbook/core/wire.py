"""Shared pieces of the wire format: camelCase names, enums read case-insensitively, durations,
and the text types that keep what a database cannot store (NUL, lone surrogates) out of requests."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue

from meetbook.core.timefmt import (
    MAX_TIMESPAN_DAYS,
    format_instant,
    format_time_of_day,
    format_timespan,
    parse_date,
    parse_instant,
    parse_time_of_day,
    parse_timespan,
)

# The validation context of a model built by our own code (keyword arguments, stored rows).
FROM_CODE = {"from_code": True}


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    def __init__(self, /, **data: Any) -> None:
        # Keyword construction is our own code, which keeps durations and times of day as ints
        # (seconds, minutes). Requests and documents come in through model_validate (FastAPI does
        # that too, in Python mode), where a bare number is refused: it has no unit.
        self.__pydantic_validator__.validate_python(data, self_instance=self, context=FROM_CODE)

    # Marks this __init__ as pydantic's own (as RootModel does), so that model_validate and
    # nested validation go straight to the validator instead of through it.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    def dump(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json")


def enum_reader(*values: str):
    """Accept any letter case on input; answer in the canonical spelling."""
    canonical = {v.lower(): v for v in values}

    def read(value: Any) -> Any:
        if isinstance(value, dict) and "type" in value:  # the configuration API's {type: Physical}
            value = value["type"]
        if isinstance(value, str) and value.lower() in canonical:
            return canonical[value.lower()]
        return value

    return read


def _from_code(value: Any, info: ValidationInfo) -> bool:
    return type(value) is int and bool(info.context and info.context.get("from_code"))


def _timespan(value: Any, info: ValidationInfo) -> Any:
    if value is None or _from_code(value, info):
        return value
    if not isinstance(value, str):
        raise ValueError("use [d.]hh:mm:ss, e.g. 01:30:00 or 7.00:00:00")
    return parse_timespan(value)


def _time_of_day(latest: int):
    def read(value: Any, info: ValidationInfo) -> Any:
        if value is None or _from_code(value, info):
            return value
        if not isinstance(value, str):
            raise ValueError("use hh:mm:ss, e.g. 08:30:00")
        return parse_time_of_day(value, latest)

    return read


def _instant(value: Any) -> Any:
    if value is None or isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("use an ISO 8601 date-time, e.g. 2025-10-09T08:00:00Z")
    return parse_instant(value)


def _date(value: Any) -> Any:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if not isinstance(value, str):  # pydantic alone reads a number as seconds since 1970
        raise ValueError("use YYYY-MM-DD, e.g. 2026-12-24")
    return parse_date(value)


def end_after_start(end: dt.datetime | None, info: ValidationInfo) -> dt.datetime | None:
    """A span of time ends after it starts: anything else is bad input (not, say, a taken slot)."""
    start = info.data.get("start_date")
    if end is not None and start is not None and end <= start:
        raise ValueError("must be after startDate")
    return end


# C0 and C1 controls, DEL, and lone surrogates (which no UTF-8 database or JSON encoder takes).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _text(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")  # line breaks are stored as \n
    if _CONTROLS.search(value):
        raise ValueError("must not contain control characters (tab and line breaks are allowed)")
    return value


def _line(value: str) -> str:
    if _LINE_CONTROLS.search(value):
        raise ValueError("must be one line without control characters")
    return value


def plain_line(value: str) -> bool:
    """True when `value` may be a one-line field (used for path and query parameters)."""
    return _LINE_CONTROLS.search(value) is None


# The same rules as JSON Schema patterns, for the published document (ECMA 262 and Python read
# \uXXXX alike). Lone surrogates are left out: no JSON generator sends them, and not every regex
# engine can spell them.
LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"
TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"


def _published(pattern: str):
    """The pattern for the document only (_text and _line check it, with messages that say what is
    wrong), unless the field has a pattern of its own (an e-mail address, a phone number)."""

    def extra(schema: dict[str, Any]) -> None:
        schema.setdefault("pattern", pattern)

    return extra


def text(max_length: int):
    """Free text (descriptions): tabs and line breaks allowed, no other control characters."""
    return Annotated[
        str, Field(max_length=max_length, json_schema_extra=_published(TEXT_PATTERN)), AfterValidator(_text)
    ]


def line(max_length: int = 200, min_length: int = 0, published: str = LINE_PATTERN):
    """One line (names, e-mail addresses, labels, tokens): no control characters at all.
    `published`: the pattern the document shows, when a field checks one of its own after this."""
    return Annotated[
        str,
        Field(min_length=min_length, max_length=max_length, json_schema_extra=_published(published)),
        AfterValidator(_line),
    ]


# Every id the service hands out is a UUID (core.db.new_id, the catalog's ids).
UUID_SCHEMA = {"type": "string", "format": "uuid", "examples": ["3fa85f64-5717-4562-b3fc-2c963f66afa6"]}

# A reference to something of ours (employee, room, topic, hold, meeting): unknown ones are 404s,
# so only the shape is checked here; the document says what a known one looks like.
Id = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_line), WithJsonSchema(UUID_SCHEMA)]


# What the parsers in timefmt accept, as published patterns (a little narrower where a pattern
# cannot say it: no spaces around the value, no leading zeros on the days).
assert MAX_TIMESPAN_DAYS == 3650  # the days' alternation below spells 0 to 3650
_DAYS = r"(?:[0-9]{1,3}|[12][0-9]{3}|3[0-5][0-9]{2}|36[0-4][0-9]|3650)"
TIMESPAN_PATTERN = rf"^(?:{_DAYS}\.)?(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{{1,7}})?)?$"
TIME_OF_DAY_PATTERN = r"^(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::00)?$"
END_OF_DAY_PATTERN = r"^(?:(?:[01]?[0-9]|2[0-3]):[0-5][0-9]|24:00)(?::00)?$"
# The years 1970 to 9000 (timefmt.MIN_YEAR, MAX_YEAR), on top of the format.
YEAR_PATTERN = r"^(?:19[7-9][0-9]|[2-8][0-9]{3}|9000)-"

TIMESPAN_SCHEMA = {
    "type": "string", "pattern": TIMESPAN_PATTERN, "examples": ["01:00:00"],
    "description": f"A duration, [d.]hh:mm[:ss] (7.00:00:00 is seven days), at most {MAX_TIMESPAN_DAYS} days",
}
INSTANT_SCHEMA = {
    "type": "string", "format": "date-time", "pattern": YEAR_PATTERN, "examples": ["2025-10-10T08:00:00.000Z"],
    "description": "ISO 8601 with an offset (a value without one is UTC), in the years 1970 to 9000",
}
DATE_SCHEMA = {"type": "string", "format": "date", "pattern": YEAR_PATTERN, "examples": ["2026-12-24"]}

# A meeting's length, 00:01:00 to 1.00:00:00 (catalog's and the search's checks), and a search's
# look-ahead, at most 366 days (slots.service.MAX_LOOK_FORWARD): narrower patterns for what a
# request may send. Answers keep the general pattern (a bank definition file is not held to these).
_CLOCK = r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,7})?)?"
_MINUTE_OR_MORE = r"(?:0?0:(?:0[1-9]|[1-5][0-9])|(?:0?[1-9]|1[0-9]|2[0-3]):[0-5][0-9])(?::[0-5][0-9](?:\.[0-9]{1,7})?)?"
MEETING_LENGTH_SCHEMA = {
    "type": "string", "pattern": rf"^(?:(?:0\.)?{_MINUTE_OR_MORE}|1\.00:00(?::00)?)$", "examples": ["01:00:00"],
    "description": "A meeting's length, [d.]hh:mm[:ss], from 00:01:00 to 1.00:00:00",
}
LOOK_AHEAD_SCHEMA = {
    "type": "string", "pattern": rf"^(?:(?:(?:[0-9]{{1,2}}|[12][0-9]{{2}}|3[0-5][0-9]|36[0-5])\.)?{_CLOCK}|366\.00:00(?::00)?)$",
    "examples": ["7.00:00:00"], "description": "How far to look, [d.]hh:mm[:ss], at most 366.00:00:00",
}

# Seconds inside, "[d.]hh:mm:ss" on the wire.
TimeSpan = Annotated[
    int,
    BeforeValidator(_timespan),
    PlainSerializer(format_timespan, return_type=str, when_used="json"),
    WithJsonSchema(TIMESPAN_SCHEMA),
]
MeetingLength = Annotated[TimeSpan, WithJsonSchema(MEETING_LENGTH_SCHEMA, mode="validation")]
# Minutes after local midnight inside, "hh:mm:ss" on the wire, below 24:00:00.
TimeOfDay = Annotated[
    int,
    BeforeValidator(_time_of_day(23 * 60 + 59)),
    PlainSerializer(format_time_of_day, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": TIME_OF_DAY_PATTERN, "examples": ["08:30:00"],
                    "description": "A local time of day, hh:mm[:ss] in whole minutes, below 24:00:00"}),
]
# The end of a span of a day (closing time, a workday's `to`): 24:00:00 is the end of the day.
EndOfDay = Annotated[
    int,
    BeforeValidator(_time_of_day(24 * 60)),
    PlainSerializer(format_time_of_day, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": END_OF_DAY_PATTERN, "examples": ["16:00:00"],
                    "description": "A local time of day, hh:mm[:ss] in whole minutes, at most 24:00:00"}),
]
# A calendar date, "2026-12-24" on the wire.
Date = Annotated[dt.date, BeforeValidator(_date), WithJsonSchema(DATE_SCHEMA)]
# Aware UTC inside; any offset on input, "2025-10-10T08:00:00.000Z" on output.
Instant = Annotated[
    dt.datetime,
    BeforeValidator(_instant),
    PlainSerializer(format_instant, return_type=str, when_used="json"),
    WithJsonSchema(INSTANT_SCHEMA),
]


# Path and query parameters that the routes take as text and read with core.query (whose messages
# name the parameter), published with the shape a valid one has.
IdParam = Annotated[str, WithJsonSchema(UUID_SCHEMA)]
InstantParam = Annotated[str, WithJsonSchema(INSTANT_SCHEMA)]
TimeSpanParam = Annotated[str, WithJsonSchema(TIMESPAN_SCHEMA)]
MeetingLengthParam = Annotated[str, WithJsonSchema(MEETING_LENGTH_SCHEMA)]
LookAheadParam = Annotated[str, WithJsonSchema(LOOK_AHEAD_SCHEMA)]
DateParam = Annotated[str, WithJsonSchema(DATE_SCHEMA)]


def enum_param(*values: str):
    """One of `values` (read in any letter case, see core.query.enum_value and enum_list)."""
    return Annotated[str, WithJsonSchema({"type": "string", "enum": list(values)})]


# An RFC 6901 JSON Pointer: empty (the whole document) or /-separated tokens, ~ escaped as ~0 or ~1.
# The whole document ("") is never a target here: an object cannot be replaced by another type.
POINTER_PATTERN = r"^(?:/(?:[^/~]|~[01])*)+$"
_POINTER = {"type": "string", "pattern": POINTER_PATTERN, "maxLength": 1000}


class PatchOperation(ApiModel):
    """One RFC 6902 operation."""

    op: Literal["add", "remove", "replace", "move", "copy", "test"] = Field(examples=["replace"])
    path: str = Field(examples=["/title"])
    value: Any = None
    from_: str | None = Field(default=None, alias="from")

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        """RFC 6902's shapes: `value` with add, replace and test; `from` with move and copy."""
        def shape(ops: list[str], extra: dict[str, Any], required: list[str]) -> dict[str, Any]:
            return {
                "type": "object",
                "properties": {"op": {"type": "string", "enum": ops}, "path": _POINTER, **extra},
                "required": ["op", "path", *required],
            }

        return {
            "title": "PatchOperation",
            "description": "One RFC 6902 operation: add, remove, replace, move, copy or test",
            "oneOf": [
                shape(["add", "replace", "test"], {"value": {"description": "Any JSON value"}}, ["value"]),
                shape(["remove"], {}, []),
                shape(["move", "copy"], {"from": _POINTER}, ["from"]),
            ],
        }
