"""When advisors are open for a meeting type: their weekly schedule on the days offering the type,
and for Online and Telephone also their ExtraOpen time (inside opening hours for customer
searches), as *open-time rows* shared by advisors with equal hours.

A start is kept only when some row opens it (a 30-day window has 1,440 grid starts; a bank open
08:00-17:00 on weekdays uses about 400), and the open-time matrix says, for each kept start and
row, whether the whole meeting fits in the row's free time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

import numpy as np

from .advisors import Advisors, Cohort
from .cells import Starts, paint
from .intervals import Interval, joined, normalise, within
from .model import EXTRA_OPEN, REMOTE_TYPES, STATUS_CODE
from .schedule import Hours, OpenSchedule, type_hours
from .window import Window

_DAY_RANGES_KEPT = 4  # day ranges whose open time a cohort keeps
_FEW_STARTS = 4  # a window of at most this many starts paints its own grid unless the days' is made


class OpenTime(NamedTuple):
    """A cohort's open-time rows over a window's days."""

    rows: np.ndarray  # (week shape, searched type) -> row
    spans: tuple[Sequence[Interval], ...]  # per row: its free time
    counts: np.ndarray  # intervals per row
    lo: np.ndarray  # every interval's start, row after row
    hi: np.ndarray
    # meeting length -> the grid of these days and (grid instant, row) -> the meeting fits in the
    # row's free time: the same for every search of these days whenever it starts (`open_starts`)
    fitted: dict


def cohort_open_time(cohort: Cohort, types: tuple[str, ...], window: Window, schedule: OpenSchedule) -> OpenTime:
    """The same for every search of the cohort over the same local days: kept on the cohort."""
    key = (window.first_day, len(window.closed), window.opening_hours)
    found = cohort.open_time.get(key)
    if found is None:
        spans: list[Sequence[Interval]] = []
        by_hours: dict[Hours, int] = {}
        rows = np.empty((len(cohort.shapes), len(types)), dtype=np.int64)
        for k, week in enumerate(cohort.shapes):
            for ti, t in enumerate(types):
                hours = type_hours(week, t)
                row = by_hours.get(hours)
                if row is None:
                    row = by_hours[hours] = len(spans)
                    spans.append(schedule.time(hours))
                rows[k, ti] = row
        found = OpenTime(
            rows=rows,
            spans=tuple(spans),
            counts=np.array([len(free) for free in spans], dtype=np.int64),
            lo=np.array([a for free in spans for a, _ in free], dtype=np.int64),
            hi=np.array([b for free in spans for _, b in free], dtype=np.int64),
            fitted={},
        )
        if len(cohort.open_time) >= _DAY_RANGES_KEPT:  # day ranges move on
            cohort.open_time.clear()
        cohort.open_time[key] = found
    return found


class OpenRows(NamedTuple):
    """Each advisor's open-time row per searched type."""

    row: np.ndarray  # (advisor, type) -> row
    extra: tuple[Sequence[Interval], ...]  # free time of the rows after the cohort's (ExtraOpen)


def advisor_open_rows(
    base: OpenTime,
    advisors: Advisors,
    types: tuple[str, ...],
    calendar: tuple[np.ndarray, ...],
    window: Window,
    schedule: OpenSchedule,
) -> OpenRows:
    """The cohort's rows, and own rows for the remote types of advisors with ExtraOpen time
    among their calendar entries (advisor, start, end, status code): the schedule joined with
    that time, so a meeting may span both. Blocked time is taken out with everyone else's."""
    row = base.rows[advisors.cohort.shape_ix[advisors.kept]]
    extra: list[Sequence[Interval]] = []
    who, lo, hi, status = calendar
    is_extra = status == STATUS_CODE[EXTRA_OPEN]
    for ai, spans in _per_advisor(who[is_extra], lo[is_extra], hi[is_extra]) if is_extra.any() else ():
        free = within(normalise(spans), window.opened)
        if not free:
            continue
        week = advisors.week(ai)
        by_hours: dict[Hours, int] = {}
        for ti, t in enumerate(types):
            if t not in REMOTE_TYPES:
                continue
            hours = type_hours(week, t)
            if hours not in by_hours:
                by_hours[hours] = len(base.spans) + len(extra)
                extra.append(joined(schedule.time(hours), free))
            row[ai, ti] = by_hours[hours]
    return OpenRows(row, tuple(extra))


def _per_advisor(who: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> Iterator[tuple[int, list[Interval]]]:
    """Each advisor's entries, in the order read."""
    order = np.argsort(who, kind="stable")
    who, lo, hi = who[order].tolist(), lo[order].tolist(), hi[order].tolist()
    first = 0
    for k in range(1, len(who) + 1):
        if k == len(who) or who[k] != who[first]:
            yield who[first], list(zip(lo[first:k], hi[first:k]))
            first = k


class OpenStarts(NamedTuple):
    """The grid starts some open-time row opens."""

    starts: Starts
    open: np.ndarray  # (start, row) -> the whole meeting lies in the row's free time
    day: np.ndarray  # day index of each start
    weekday: np.ndarray  # weekday of each start

    @property
    def instants(self) -> np.ndarray:
        return self.starts.instants


def open_starts(base: OpenTime, open_rows: OpenRows, window: Window) -> OpenStarts | None:
    """None when no row opens any start."""
    grid = window.grid
    if len(grid) <= _FEW_STARTS and window.duration not in base.fitted:
        return _painted(base, open_rows, window)  # a slot check: not worth the days' whole grid
    days_grid, fits = _fitted(base, window)
    at = int(np.searchsorted(days_grid, grid[0])) if len(grid) else 0
    if not len(grid) or not np.array_equal(days_grid[at : at + len(grid)], grid):
        return _painted(base, open_rows, window)  # not a run of the days' grid: paint it all
    base_open = fits[at : at + len(grid)]  # (window's grid instant, cohort's row)
    keep = base_open.any(axis=1)
    extra = open_rows.extra
    if extra:
        counts = np.array([len(free) for free in extra], dtype=np.int64)
        lo = np.array([a for free in extra for a, _ in free], dtype=np.int64)
        hi = np.array([b for free in extra for _, b in free], dtype=np.int64)
        first, stop = Starts(grid, np.ones(len(grid), dtype=bool)).fitting(lo, hi, window.duration)
        extra_open = paint(len(grid), len(extra), np.repeat(np.arange(len(extra)), counts), first, stop)
        keep |= extra_open.any(axis=1)
    if not keep.any():
        return None
    day = window.grid_day[keep]
    opened = base_open[keep]
    if extra:
        opened = np.concatenate([opened, extra_open[keep]], axis=1)
    return OpenStarts(starts=Starts(grid, keep), open=opened, day=day, weekday=window.weekdays[day])


_LENGTHS_KEPT = 8  # meeting lengths whose fitted matrix a cohort keeps per day range


def _fitted(base: OpenTime, window: Window) -> tuple[np.ndarray, np.ndarray]:
    """The grid of the window's days and (grid instant, row) -> the meeting fits, made once per
    meeting length for the cohort's rows over these days."""
    found = base.fitted.get(window.duration)
    if found is None:
        grid, _ = window.local_time.grid(window.days_lo, window.days_hi)
        first, stop = Starts(grid, np.ones(len(grid), dtype=bool)).fitting(base.lo, base.hi, window.duration)
        row = np.repeat(np.arange(len(base.counts)), base.counts)
        if len(base.fitted) >= _LENGTHS_KEPT:
            base.fitted.clear()
        found = base.fitted[window.duration] = (grid, paint(len(grid), len(base.counts), row, first, stop))
    return found


def _painted(base: OpenTime, open_rows: OpenRows, window: Window) -> OpenStarts | None:
    """`open_starts` painted for the window's own grid: every grid start, then those some row opens."""
    extra = open_rows.extra
    counts, lo, hi = base.counts, base.lo, base.hi
    if extra:
        counts = np.concatenate([counts, np.array([len(free) for free in extra], dtype=np.int64)])
        lo = np.concatenate([lo, np.array([a for free in extra for a, _ in free], dtype=np.int64)])
        hi = np.concatenate([hi, np.array([b for free in extra for _, b in free], dtype=np.int64)])
    grid = window.grid
    first, stop = Starts(grid, np.ones(len(grid), dtype=bool)).fitting(lo, hi, window.duration)
    opened = paint(len(grid), len(counts), np.repeat(np.arange(len(counts)), counts), first, stop)
    keep = opened.any(axis=1)
    if not keep.any():
        return None
    day = window.grid_day[keep]
    return OpenStarts(starts=Starts(grid, keep), open=opened[keep], day=day, weekday=window.weekdays[day])
