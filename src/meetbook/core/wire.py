"""Shared pieces of the wire format: camelCase names, enums read case-insensitively, durations,
and the text types that keep what a database cannot store (NUL, lone surrogates) out of requests."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, ValidationInfo
from pydantic.alias_generators import to_camel

from meetbook.core.timefmt import (
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


def text(max_length: int):
    """Free text (descriptions): tabs and line breaks allowed, no other control characters."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(_text)]


def line(max_length: int = 200, min_length: int = 0):
    """One line (names, e-mail addresses, labels, tokens): no control characters at all."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length), AfterValidator(_line)]


# A reference to something of ours (employee, room, topic, hold, meeting): unknown ones are 404s,
# so only the shape is checked here.
Id = line(200, min_length=1)


# Seconds inside, "[d.]hh:mm:ss" on the wire.
TimeSpan = Annotated[
    int, BeforeValidator(_timespan), PlainSerializer(format_timespan, return_type=str, when_used="json")
]
# Minutes after local midnight inside, "hh:mm:ss" on the wire, below 24:00:00.
TimeOfDay = Annotated[
    int,
    BeforeValidator(_time_of_day(23 * 60 + 59)),
    PlainSerializer(format_time_of_day, return_type=str, when_used="json"),
]
# The end of a span of a day (closing time, a workday's `to`): 24:00:00 is the end of the day.
EndOfDay = Annotated[
    int,
    BeforeValidator(_time_of_day(24 * 60)),
    PlainSerializer(format_time_of_day, return_type=str, when_used="json"),
]
# A calendar date, "2026-12-24" on the wire.
Date = Annotated[dt.date, BeforeValidator(_date)]
# Aware UTC inside; any offset on input, "2025-10-10T08:00:00.000Z" on output.
Instant = Annotated[
    dt.datetime,
    BeforeValidator(_instant),
    PlainSerializer(format_instant, return_type=str, when_used="json"),
]


class PatchOperation(ApiModel):
    """One RFC 6902 operation."""

    op: str = Field(examples=["replace"], description="add, remove, replace, move, copy or test")
    path: str = Field(examples=["/title"])
    value: Any = None
    from_: str | None = Field(default=None, alias="from")
