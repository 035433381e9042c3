"""Reading the seed's query-string conventions: repeated or comma-separated arrays, enums in any case."""

from __future__ import annotations

import datetime as dt
import difflib

from fastapi import Request

from meetbook.core.errors import Invalid
from meetbook.core.timefmt import parse_instant, parse_timespan
from meetbook.core.wire import plain_line


async def plain_parameters(request: Request) -> None:
    """Every path and query parameter is one line of text: ids, names, dates, tokens. A NUL or a
    line break in one is refused here, once for every route (PostgreSQL cannot even compare a
    string holding NUL, so it must not reach a query)."""
    for kind, items in (("path", request.path_params.items()), ("query", request.query_params.multi_items())):
        for name, value in items:
            if not plain_line(name) or (isinstance(value, str) and not plain_line(value)):
                shown = name if plain_line(name) else repr(name)
                raise Invalid(
                    f"{kind} parameter {shown} must be one line without control characters",
                    [{"field": shown, "message": "must be one line without control characters"}],
                )


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


def enum_value(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    """One value of `allowed`, in any letter case: an unknown one would silently match nothing."""
    if value is None or value == "":
        return None
    canonical = {a.lower(): a for a in allowed}.get(value.strip().lower())
    if canonical is None:
        raise Invalid(f"{name}: must be one of {', '.join(allowed)}", [{"field": name, "message": f"must be one of {', '.join(allowed)}"}])
    return canonical


def _parsed(name: str, value: str | None, parse):
    """A query parameter read by `parse`; absent or empty is None, unreadable a 400 naming it."""
    if value is None or value == "":
        return None
    try:
        return parse(value)
    except ValueError as exc:
        raise Invalid(f"{name}: {exc}", [{"field": name, "message": str(exc)}]) from None


def timespan(name: str, value: str | None) -> int | None:
    return _parsed(name, value, parse_timespan)


def instant(name: str, value: str | None) -> dt.datetime | None:
    return _parsed(name, value, parse_instant)


def instant_range(
    start_name: str, start: str | None, end_name: str, end: str | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Two instants that bound a range: when both are given the end must be after the start."""
    first, last = instant(start_name, start), instant(end_name, end)
    if first is not None and last is not None and last <= first:
        raise Invalid(f"{end_name} must be after {start_name}", [{"field": end_name, "message": f"must be after {start_name}"}])
    return first, last


def _declared(dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared(sub)
    return names


async def only_declared_parameters(request: Request) -> None:
    """A query parameter the route does not know is a 400 that names it (and the nearest known
    one), instead of being silently ignored: `topicId=` for `topic=` would search every topic."""
    route = request.scope.get("route")
    if route is None:
        return
    known = _declared(route.dependant)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        hints = {name: difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6) for name in unknown}
        errors = [{"field": name, "message": "unknown parameter" + (f"; did you mean {hint[0]}?" if hint else "")}
                  for name, hint in hints.items()]
        raise Invalid(
            f"unknown query parameter(s): {', '.join(unknown)}; this endpoint takes {', '.join(sorted(known))}", errors
        )
