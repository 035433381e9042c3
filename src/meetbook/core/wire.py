"""Shared pieces of the wire format: camelCase names, enums read case-insensitively, durations."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer
from pydantic.alias_generators import to_camel

from meetbook.core.timefmt import (
    format_instant,
    format_time_of_day,
    format_timespan,
    parse_instant,
    parse_time_of_day,
    parse_timespan,
)


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

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


def _timespan(value: Any) -> Any:
    if value is None or isinstance(value, int):
        return value
    return parse_timespan(value)


def _time_of_day(value: Any) -> Any:
    if value is None or isinstance(value, int):
        return value
    return parse_time_of_day(value)


def _instant(value: Any) -> Any:
    if value is None or isinstance(value, dt.datetime):
        return value
    return parse_instant(value)


# Seconds inside, "[d.]hh:mm:ss" on the wire.
TimeSpan = Annotated[
    int, BeforeValidator(_timespan), PlainSerializer(format_timespan, return_type=str, when_used="json")
]
# Minutes after local midnight inside, "hh:mm:ss" on the wire.
TimeOfDay = Annotated[
    int,
    BeforeValidator(_time_of_day),
    PlainSerializer(format_time_of_day, return_type=str, when_used="json"),
]
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
