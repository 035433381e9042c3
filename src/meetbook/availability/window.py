"""The searched window: when a slot may start, the local days its meetings can touch, the bank's
opening hours and closing days on those days, and the :00/:30 grid of starts.

The window is [max(window start, now), min(window end, now + maxTimeFromBookingToMeeting)). A
slot's start lies in it; its end may lie after it. Days are numbered by `localtime` and indexed
from the window's first: day index i is local day `first_day + i`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .intervals import Interval, normalise
from .localtime import DAY, LocalTime, day_number, weekday
from .model import BankSettings, SlotSearch


_FEW = 16  # instants whose day index one binary search each finds sooner than the arithmetic


class Window(NamedTuple):
    """A search's window, worked out once: local time enters the engine here."""

    start: int
    end: int
    duration: int  # of the meeting
    local_time: LocalTime  # the bank's zone (it caches what it has worked out)
    first_day: int  # local day number of day index 0
    weekdays: np.ndarray  # day index -> weekday (Monday 0)
    closed: tuple[bool, ...]  # day index -> a closing day
    closing_days: frozenset[int]  # every closing day of the bank, as day numbers
    days_lo: int  # the first instant of the first day
    days_hi: int  # the end of the last day
    # day index -> its first instant, when each day is one unbroken run of instants (every
    # real-world zone but a few historical ones); None otherwise
    day_starts: np.ndarray | None
    opening_hours: tuple[int, int] | None  # (from, to) minutes, customer-initiated searches only
    opened: tuple[Interval, ...]  # the days' time inside opening hours, closing days left out
    grid: np.ndarray  # grid instants of the window, in order
    grid_day: np.ndarray  # day index of each

    @property
    def span_end(self) -> int:
        """Nothing at or after this instant can touch a meeting of the window."""
        return self.end + self.duration

    def day_index(self, instants: np.ndarray) -> np.ndarray:
        """The day index of each instant (all inside the days)."""
        starts = self.day_starts
        if starts is not None and len(instants) <= _FEW:
            return np.searchsorted(starts, instants, side="right") - 1
        if starts is not None:
            # Nearly every day is 24 hours long: arithmetic, a step either way for a daylight
            # saving day, checked (a binary search per instant costs four times as much).
            last = len(starts) - 1
            ix = np.clip((instants - starts[0]) // DAY, 0, last)
            ix -= (instants < starts[ix]) & (ix > 0)
            up = np.minimum(ix + 1, last)
            ix += (instants >= starts[up]) & (up > ix)
            up = np.minimum(ix + 1, last)
            if ((instants >= starts[ix]) & ((instants < starts[up]) | (up == ix))).all():
                return ix
            return np.searchsorted(starts, instants, side="right") - 1
        local_day, n0 = self.local_time.local_day, self.first_day
        return np.array([local_day(t) - n0 for t in instants.tolist()], dtype=np.int64)


def search_window(
    search: SlotSearch, settings: BankSettings, now: int, duration: int, zone: Callable[[int, int], LocalTime] | None = None
) -> Window | None:
    """The window of a search at `now`; None when it is empty. `zone(lo, hi)` gives the bank's
    local time for instants in [lo, hi) (one kept across searches), else a new one is made."""
    start = max(search.window_start, now)
    end = search.window_end
    if settings.max_ahead_seconds is not None:
        end = min(end, now + settings.max_ahead_seconds)
    if end <= start or duration <= 0:
        return None
    cal = zone(start, end + duration) if zone is not None else LocalTime(settings.time_zone)
    pieces = cal.pieces(start, end + duration)
    n0 = min((a + off) // DAY for a, _, off in pieces)
    n1 = max((b - 1 + off) // DAY for _, b, off in pieces)
    days = range(n0, n1 + 1)
    closing = _closing_days(settings.closing_days)
    segs = [cal.day(n) for n in days]
    flat = [seg for day in segs for seg in day]
    contiguous = all(segs) and all(x[1] == y[0] for x, y in zip(flat, flat[1:]))
    opening = opening_hours(search, settings)
    lo_min, hi_min = opening or (0, 24 * 60)
    opened: list[Interval] = []
    for n in days:
        if n not in closing:
            opened.extend(cal.wall(n, lo_min, hi_min))
    grid, grid_days = cal.grid(start, end)
    return Window(
        start=start,
        end=end,
        duration=duration,
        local_time=cal,
        first_day=n0,
        weekdays=np.array([weekday(n) for n in days], dtype=np.int64),
        closed=tuple(n in closing for n in days),
        closing_days=closing,
        days_lo=segs[0][0][0],
        days_hi=segs[-1][-1][1],
        day_starts=np.array([day[0][0] for day in segs], dtype=np.int64) if contiguous else None,
        opening_hours=opening,
        opened=tuple(normalise(opened)),
        grid=grid,
        grid_day=grid_days - n0,
    )


_CLOSING: dict[int, tuple[frozenset, frozenset[int]]] = {}  # id of a bank's closing dates -> (them, day numbers)


def _closing_days(dates: frozenset) -> frozenset[int]:
    """The closing dates as day numbers, worked out once per bank (keyed by identity, holding the
    dates so that the id is not reused while the entry lives)."""
    hit = _CLOSING.get(id(dates))
    if hit is not None and hit[0] is dates:
        return hit[1]
    if len(_CLOSING) >= 8:
        _CLOSING.clear()
    found = frozenset(day_number(d) for d in dates)
    if type(dates) is frozenset:  # a set could change under the memo
        _CLOSING[id(dates)] = (dates, found)
    return found


def opening_hours(search: SlotSearch, settings: BankSettings) -> tuple[int, int] | None:
    """The bank's opening hours bound customer-initiated slots (schedule and ExtraOpen time alike)."""
    if not search.customer_initiated or (settings.opening_minute is None and settings.closing_minute is None):
        return None
    return (
        settings.opening_minute if settings.opening_minute is not None else 0,
        settings.closing_minute if settings.closing_minute is not None else 24 * 60,
    )
