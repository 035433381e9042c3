"""The wire formats of times: ISO 8601 instants, .NET TimeSpan durations, times of day."""

from __future__ import annotations

import datetime as dt
import re

_TIMESPAN = re.compile(r"^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$")
_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_timespan(text: str) -> int:
    """`[d.]hh:mm[:ss[.fffffff]]` to whole seconds. Raises ValueError on anything else."""
    match = _TIMESPAN.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"'{text}' is not a duration of the form [d.]hh:mm[:ss], e.g. 7.00:00:00")
    sign, days, hours, minutes, seconds, _fraction = match.groups()
    h, m, s = int(hours), int(minutes), int(seconds or 0)
    if h > 23 or m > 59 or s > 59:
        raise ValueError(f"'{text}' has hours above 23 or minutes/seconds above 59")
    total = int(days or 0) * 86400 + h * 3600 + m * 60 + s
    if sign:
        raise ValueError(f"'{text}' is negative; durations must not be")
    return total


def format_timespan(seconds: int) -> str:
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}.{text}" if days else text


def parse_time_of_day(text: str) -> int:
    """`hh:mm[:ss]` local time of day to minutes after midnight (24:00 allowed as end of day)."""
    match = _TIME_OF_DAY.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"'{text}' is not a time of day of the form hh:mm[:ss]")
    h, m = int(match.group(1)), int(match.group(2))
    if not (0 <= m <= 59) or h > 24 or (h == 24 and m != 0):
        raise ValueError(f"'{text}' is not a valid time of day")
    return h * 60 + m


def format_time_of_day(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def parse_instant(text: str) -> dt.datetime:
    """ISO 8601 with any offset; a naive value is UTC. Result is aware UTC."""
    value = text.strip()
    if value.endswith(("z", "Z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{text}' is not an ISO 8601 date-time, e.g. 2025-10-09T08:00:00Z") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def format_instant(at: dt.datetime | int) -> str:
    """UTC with milliseconds and Z: 2025-10-10T08:00:00.000Z."""
    if isinstance(at, int):
        at = dt.datetime.fromtimestamp(at, dt.UTC)
    elif at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    at = at.astimezone(dt.UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
