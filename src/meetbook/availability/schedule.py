"""The weekly schedule: per weekday whether the advisor works, from/to (local time), where, and
which meeting types; and the open time it gives over a window's local days (inside the bank's
opening hours for customer-initiated searches, closing days left out).

Open time is the union of the days' working ranges, so a meeting may run past local midnight
when the next day's schedule continues it (00:00-24:00 schedules). Equal schedules share their
open time: within a search, and through the bank's memo with its later searches.
"""

from __future__ import annotations

from itertools import count
from typing import NamedTuple

from .intervals import Interval, normalise
from .memo import MEMO_LIMIT, BankMemo
from .window import Window

Hours = tuple[tuple[int, int] | None, ...]  # per weekday: working (from, to) minutes, or None


class Week(NamedTuple):
    """What the engine reads of an advisor's weekly schedule, per weekday (Monday first)."""

    hours: Hours  # working (from, to) minutes, None when not working
    offered: tuple[frozenset[str] | None, ...]  # meeting types offered on working days
    locations: tuple[str | None, ...]  # the branch, None without a schedule
    shape: int  # equal (hours, offered) have equal shape numbers
    any_types: frozenset[str]  # every type some available workday offers


# Bank snapshots outlive searches, so an advisor's workday tuple is read once. Keyed by identity:
# an entry holds its tuple (immutable, of frozen values), so the id cannot be reused while the
# entry lives. At most MEMO_LIMIT entries (a few kB each) outlive a reload.
_WEEKS: dict[int, tuple[tuple, Week]] = {}
_SHAPES: dict[tuple, int] = {}
_SHAPE_NUMBERS = count()  # never reused, so a shape number stays unique across clears
_TYPE_HOURS: dict[tuple[int, str], Hours] = {}  # (week shape, meeting type) -> hours


def week_of(workdays: tuple) -> Week:
    """The engine's view of a weekly schedule (memoised, see above)."""
    hit = _WEEKS.get(id(workdays))
    if hit is not None and hit[0] is workdays:
        return hit[1]
    wds = (tuple(workdays) + (None,) * 7)[:7]
    hours: Hours = tuple(
        (wd.start_minute, wd.end_minute) if wd is not None and wd.is_available else None
        for wd in wds
    )
    offered = tuple(frozenset(wd.meeting_types) if h is not None else None for wd, h in zip(wds, hours))  # type: ignore[union-attr]
    locations = tuple(wd.location if wd is not None else None for wd in wds)
    if len(_WEEKS) >= MEMO_LIMIT or len(_SHAPES) >= MEMO_LIMIT:
        _WEEKS.clear()
        _SHAPES.clear()
    shape = _SHAPES.get((hours, offered))
    if shape is None:
        shape = _SHAPES[(hours, offered)] = next(_SHAPE_NUMBERS)
    any_types = frozenset(t for wd in workdays if wd is not None and wd.is_available for t in wd.meeting_types)
    week = Week(hours, offered, locations, shape, any_types)
    if type(workdays) is tuple:  # a list could change under the memo
        _WEEKS[id(workdays)] = (workdays, week)
    return week


def type_hours(week: Week, meeting_type: str) -> Hours:
    """The week's working hours on the days that offer this meeting type (memoised per shape)."""
    key = (week.shape, meeting_type)
    hours = _TYPE_HOURS.get(key)
    if hours is None:
        if len(_TYPE_HOURS) >= MEMO_LIMIT:
            _TYPE_HOURS.clear()
        hours = _TYPE_HOURS[key] = tuple(
            h if ts is not None and meeting_type in ts else None for h, ts in zip(week.hours, week.offered)
        )
    return hours


class OpenSchedule:
    """Open schedule time of weekly working hours over one window's days, for one search."""

    def __init__(self, window: Window, memo: BankMemo) -> None:
        self._window = window
        self._memo = memo
        self._by_hours: dict[Hours, tuple[Interval, ...]] = {}
        self._by_weekday: dict[tuple, list[Interval]] = {}

    def time(self, hours: Hours) -> tuple[Interval, ...]:
        ivs = self._by_hours.get(hours)
        if ivs is None:
            w = self._window
            # the same local days and opening hours give the same time: shared with later searches
            key = ("scheduled", w.first_day, len(w.closed), w.opening_hours, hours)
            ivs = self._by_hours[hours] = self._memo.get(key, lambda: tuple(self._schedule(hours)))
        return ivs

    def _schedule(self, hours: Hours) -> list[Interval]:
        clipped = [self._clip(h) for h in hours]
        if self._window.day_starts is None or any(h is not None and h[1] >= 24 * 60 for h in clipped):
            ivs = self._by_day(clipped)
        else:
            # Days follow each other and no day's time reaches midnight, so no two days' time
            # touch: the week is the union of its weekdays' time, shared by equal hours.
            ivs = [iv for wk, h in enumerate(clipped) if h is not None for iv in self._weekday_time(wk, h)]
            ivs.sort()
        return ivs

    def _clip(self, day_hours: tuple[int, int] | None) -> tuple[int, int] | None:
        """Working hours inside opening hours; None when nothing is left."""
        if day_hours is None:
            return None
        lo, hi = day_hours
        opening = self._window.opening_hours
        if opening is not None:
            lo, hi = max(lo, opening[0]), min(hi, opening[1])
        return (lo, hi) if lo < hi else None

    def _weekday_time(self, wk: int, day_hours: tuple[int, int]) -> list[Interval]:
        """The open days of weekday wk in the window's days, from..to local time."""
        key = (wk, day_hours)
        ivs = self._by_weekday.get(key)
        if ivs is None:
            w = self._window
            ivs = self._by_weekday[key] = [
                iv
                for di, day_wk in enumerate(w.weekdays.tolist())
                if day_wk == wk and not w.closed[di]
                for iv in w.local_time.wall(w.first_day + di, *day_hours)
            ]
        return ivs

    def _by_day(self, clipped: list[tuple[int, int] | None]) -> list[Interval]:
        """Day by day, joining a day's time with the next day's where they touch at midnight."""
        w = self._window
        ivs: list[Interval] = []
        for di, wk in enumerate(w.weekdays.tolist()):
            day_hours = clipped[wk]
            if day_hours is None or w.closed[di]:
                continue
            for a, b in w.local_time.wall(w.first_day + di, *day_hours):
                if ivs and ivs[-1][1] == a:
                    ivs[-1] = (ivs[-1][0], b)
                else:
                    ivs.append((a, b))
        if w.day_starts is None:  # days interleave in UTC: put them in order
            ivs = normalise(ivs)
        return ivs
