"""Reading the seed's query-string conventions: repeated or comma-separated arrays, enums in any case."""

from __future__ import annotations

from meetbook.core.errors import Invalid
from meetbook.core.timefmt import parse_instant, parse_timespan


def split_list(values: list[str] | None) -> list[str] | None:
    """`a&a` and `a,b` and `["a","b"]` and `[]` all read as lists."""
    if values is None:
        return None
    out: list[str] = []
    for raw in values:
        text = raw.strip()
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        for part in text.split(","):
            part = part.strip().strip('"').strip("'").strip()
            if part:
                out.append(part)
    return out


def enum_list(name: str, values: list[str] | None, allowed: tuple[str, ...]) -> frozenset[str] | None:
    items = split_list(values)
    if items is None:
        return None
    canonical = {a.lower(): a for a in allowed}
    bad = [v for v in items if v.lower() not in canonical]
    if bad:
        raise Invalid(
            f"{name}: unknown value(s) {', '.join(bad)}",
            [{"field": name, "message": f"must be one of {', '.join(allowed)}"}],
        )
    return frozenset(canonical[v.lower()] for v in items)


def timespan(name: str, value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        return parse_timespan(value)
    except ValueError as exc:
        raise Invalid(f"{name}: {exc}", [{"field": name, "message": str(exc)}]) from None


def instant(name: str, value: str | None):
    if value is None or value == "":
        return None
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise Invalid(f"{name}: {exc}", [{"field": name, "message": str(exc)}]) from None
