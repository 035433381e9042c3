"""The wire formats of times: ISO 8601 instants, .NET TimeSpan durations, times of day."""

from __future__ import annotations

import datetime as dt
import re

# ASCII digits only, and \Z: `$` would also match before a trailing newline.
_TIMESPAN = re.compile(r"^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?\Z", re.ASCII)
_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\Z", re.ASCII)
# Ten years: far beyond any booking horizon, and well inside the database's integer columns.
MAX_TIMESPAN_DAYS = 3650
# Instants are stored as epoch seconds; the last year leaves room for a search window or a
# duration after it before Python's year 9999 ends (a search from 9999-12-31 was a 500).
MIN_YEAR, MAX_YEAR = 1970, 9000


def _shown(text: str) -> str:
    """The caller's value in a message: shortened, so a huge input does not come back whole."""
    return repr(text if len(text) <= 40 else text[:40] + "...")


def parse_timespan(text: str) -> int:
    """`[d.]hh:mm[:ss[.fffffff]]` to whole seconds. Raises ValueError on anything else."""
    match = _TIMESPAN.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{_shown(str(text))} is not a duration: use [d.]hh:mm:ss, e.g. 7.00:00:00")
    sign, days, hours, minutes, seconds, _fraction = match.groups()
    h, m, s = int(hours), int(minutes), int(seconds or 0)
    if h > 23 or m > 59 or s > 59:
        raise ValueError(f"{_shown(text)} has hours above 23 or minutes/seconds above 59: use [d.]hh:mm:ss")
    if sign:
        raise ValueError(f"{_shown(text)} is negative; durations must not be")
    if days and (len(days) > 5 or int(days) > MAX_TIMESPAN_DAYS):
        raise ValueError(f"{_shown(text)} is too long: at most {MAX_TIMESPAN_DAYS}.00:00:00 ({MAX_TIMESPAN_DAYS} days)")
    return int(days or 0) * 86400 + h * 3600 + m * 60 + s


def format_timespan(seconds: int) -> str:
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}.{text}" if days else text


def parse_time_of_day(text: str, latest: int = 24 * 60) -> int:
    """`hh:mm[:ss]` local time of day to minutes after midnight, at most `latest` (24:00 is
    allowed only as the end of a day). Times are whole minutes: seconds must be 00."""
    match = _TIME_OF_DAY.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{_shown(str(text))} is not a time of day: use hh:mm:ss, e.g. 08:30:00")
    h, m, s = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    if m > 59 or s != 0 or h * 60 + m > latest:
        bound = "at most 24:00:00" if latest >= 24 * 60 else "below 24:00:00"
        raise ValueError(f"{_shown(text)} is not a time of day: use hh:mm:ss in whole minutes, {bound}")
    return h * 60 + m


def format_time_of_day(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def _check_year(text: str, year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"{_shown(text)} is out of range: the years {MIN_YEAR} to {MAX_YEAR}")


def parse_date(text: str) -> dt.date:
    """A calendar date, `2026-12-24`, in the years MIN_YEAR to MAX_YEAR."""
    try:
        day = dt.date.fromisoformat(text.strip() if isinstance(text, str) else "")
    except ValueError:
        raise ValueError(f"{_shown(str(text))} is not a date: use YYYY-MM-DD, e.g. 2026-12-24") from None
    _check_year(text, day.year)
    return day


def parse_instant(text: str) -> dt.datetime:
    """ISO 8601 with any offset; a naive value is UTC. Result is aware UTC, in the years MIN_YEAR
    to MAX_YEAR (0001-01-01T00:00+01:00 is no UTC time at all)."""
    value = text.strip() if isinstance(text, str) else ""
    if value.endswith(("z", "Z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        parsed = parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise ValueError(f"{_shown(str(text))} is not an ISO 8601 date-time, e.g. 2025-10-09T08:00:00Z") from None
    _check_year(text, parsed.year)
    return parsed


def format_instant(at: dt.datetime | int) -> str:
    """UTC with milliseconds and Z: 2025-10-10T08:00:00.000Z."""
    if isinstance(at, int):
        at = dt.datetime.fromtimestamp(at, dt.UTC)
    elif at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    at = at.astimezone(dt.UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
