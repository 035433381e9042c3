"""Why a search offers nothing on a day: `explain(search, bank, occupancy, now)`.

The same stages as the search (`engine.py`), run over every candidate start of the window with
each rule's mask applied one after another, in the order of `CODES`. An (advisor, day) that ends
without a slot is named after the stage that removed its last candidate times; a day is
available exactly when some advisor keeps a time after the last stage, which is the search's own
answer (the masks together are `offer.offered`'s cells; a property test holds them equal).

Who is counted: for a pool search, the bookable advisors the pools could reach (the named ones
for Explicit; for Local and ServiceGroup every advisor open to pools who works at the meeting's
branch on some weekday, or anywhere when no branch is given, and every member of a triggered
service group); for a joint meeting, its bookable members. A day's reasons count advisor-days.

A normal search never comes here: the search plan runs this only when asked (`SearchPlan(...,
reasons=True)`), so the search pays nothing for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from .advisors import NO_ROUTE, Advisors, Cohort, joint_cohort, keep_advisors, pool_cohort
from .blocked import blocked_time
from .cells import Starts, paint
from .daily_cap import booked_seconds
from .localtime import day_date
from .meeting import offerable_types, resolve_duration, searched_types
from .memo import BankMemo, bank_memo
from .model import (
    EXPLICIT,
    EXTRA_OPEN,
    LOCAL,
    REMOTE_TYPES,
    SERVICE_GROUP,
    STATUS_CODE,
    Bank,
    CalendarColumns,
    ClaimColumns,
    Occupancy,
    SlotSearch,
)
from .notice import earliest_starts, notice_seconds
from .open_time import OpenRows, OpenStarts, OpenTime, advisor_open_rows, cohort_open_time
from .reach import Reach, is_joint, joint_members, named, reach_of
from .rooms import free_rooms, room_rule
from .schedule import OpenSchedule, week_of
from .window import Window, search_window

CLOSING_DAY = "ClosingDay"
BEYOND_HORIZON = "BeyondBookingHorizon"
NOT_QUALIFIED = "NotQualified"
TYPE_NOT_OFFERED = "MeetingTypeNotOffered"
NOT_WORKING = "NotWorking"
OUTSIDE_OPENING_HOURS = "OutsideOpeningHours"
MINIMUM_NOTICE = "MinimumNotice"
EXTERNAL_BUSY = "ExternalBusy"
FULLY_BOOKED = "FullyBooked"
DAILY_CAP = "DailyCapReached"
NO_ROOM = "NoRoomAvailable"
# In stage order: an advisor-day gets the first whose rule leaves it no candidate time.
CODES: tuple[str, ...] = (
    CLOSING_DAY, BEYOND_HORIZON, NOT_QUALIFIED, TYPE_NOT_OFFERED, NOT_WORKING, OUTSIDE_OPENING_HOURS,
    MINIMUM_NOTICE, EXTERNAL_BUSY, FULLY_BOOKED, DAILY_CAP, NO_ROOM,
)
_NUMBER = {code: k + 1 for k, code in enumerate(CODES)}  # 0: not ruled out


class DayReasons(NamedTuple):
    """One local day of the window."""

    date: dt.date
    available: bool  # some slot that day
    counts: tuple[tuple[str, int], ...]  # (code, advisor-days) in stage order; empty when available
    advisors: tuple[tuple[str, str], ...]  # (advisor id, code) of each counted advisor without a slot


class _Tally:
    """(advisor, day index) -> the code that ruled it out, 0 while it still has candidate times."""

    def __init__(self, advisors: int, days: int) -> None:
        self.code = np.zeros((advisors, days), dtype=np.int8)

    def rule_out(self, code: str, alive: np.ndarray, rows: np.ndarray | None = None) -> None:
        """`alive` (advisor, day), or broadcast to it: still some candidate time after this stage."""
        view = self.code if rows is None else self.code[rows]
        view[(view == 0) & ~alive] = _NUMBER[code]
        if rows is not None:
            self.code[rows] = view


def explain(search: SlotSearch, bank: Bank, occupancy: Occupancy, now: int) -> tuple[DayReasons, ...]:
    """Each local day with a start in the search's window (not cut at the booking horizon)."""
    memo = bank_memo(bank)
    duration = resolve_duration(search, bank)
    horizon = None if bank.settings.max_ahead_seconds is None else now + bank.settings.max_ahead_seconds
    # the days asked for, beyond the horizon too: they are the answer's days
    window = search_window(search, replace(bank.settings, max_ahead_seconds=None), now, duration)
    if window is None:
        return ()
    ndays = len(window.closed)
    closed = np.array(window.closed, dtype=bool)
    beyond = np.zeros(ndays, dtype=bool)
    if horizon is not None:
        first = np.full(ndays, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, window.grid_day, window.grid)
        beyond = first >= horizon
    calendar = CalendarColumns.of(occupancy.calendar)
    types = searched_types(search, bank)
    joint = is_joint(search)
    ids_named = named(search)
    reach = None if joint else reach_of(search, memo, ids_named)
    counted = [a.id for a in joint_members(bank, ids_named)] if joint else _counted(search, memo, reach, ids_named)
    tally = _Tally(len(counted), ndays)
    tally.rule_out(CLOSING_DAY, ~closed[None, :])
    tally.rule_out(BEYOND_HORIZON, ~beyond[None, :])
    available = np.zeros(ndays, dtype=bool)
    if not types:
        topic = bank.topics.get(search.topic_id) if search.topic_id is not None else None
        for_others = topic is not None and topic.customer_type_ids and search.customer_type_id is not None
        tally.rule_out(NOT_QUALIFIED if for_others else TYPE_NOT_OFFERED, np.zeros((1, 1), dtype=bool))
        return _answer(window, tally, counted, available, closed, beyond)
    position = {aid: k for k, aid in enumerate(counted)}
    if joint:
        members = joint_members(bank, ids_named)
        types = offerable_types(types, members, set(calendar.owners))
        cohort = joint_cohort(members, types, memo) if members and types else None
    else:
        assert reach is not None
        reached = {r.advisor.id for r in reach.reached}
        tally.rule_out(NOT_QUALIFIED, np.array([aid in reached for aid in counted], dtype=bool)[:, None])
        types = offerable_types(types, reach.advisors(), set(calendar.owners))
        cohort = pool_cohort(reach, types, search, memo) if types else None
    routed_ids = {adv.id for adv in cohort.advisors} if cohort is not None else set()
    tally.rule_out(TYPE_NOT_OFFERED, np.array([aid in routed_ids for aid in counted], dtype=bool)[:, None])
    if cohort is not None:
        rows = np.array([position[adv.id] for adv in cohort.advisors], dtype=np.int64)
        local = None if joint else search.meeting_location or search.customer_location
        run = _Cells(search, memo, cohort, types, window, now, duration, horizon, local)
        available = run.stages(occupancy, calendar, tally, rows, joint)
        if joint:
            # each member has time alone, just never at once
            stuck = ~available & (tally.code == 0).all(axis=0)
            tally.code[:, stuck] = _NUMBER[FULLY_BOOKED]
    return _answer(window, tally, counted, available, closed, beyond)


def _counted(search: SlotSearch, memo: BankMemo, reach: Reach, ids_named: tuple[str, ...]) -> list[str]:
    """The advisors a pool search counts (see the module's text), in id order."""
    bank = memo.bank
    pools = search.employee_types or (frozenset({EXPLICIT}) if ids_named else frozenset({LOCAL, SERVICE_GROUP}))
    where = search.meeting_location or search.customer_location

    def make() -> list[str]:
        out = {r.advisor.id for r in reach.reached}
        if EXPLICIT in pools:
            out |= {i for i in ids_named if i in bank.advisors and bank.advisors[i].can_be_booked}
        if pools - {EXPLICIT}:
            out |= {
                adv.id for adv in bank.advisors.values()
                if adv.can_be_booked and not adv.only_explicit and (where is None or where in week_of(adv.workdays).locations)
            }
        return sorted(out)

    return memo.get(("counted", reach.key, pools), make)


class _Cells:
    """The cell stages of one search over the cohort: (start, advisor) masks per type."""

    def __init__(
        self, search: SlotSearch, memo: BankMemo, cohort: Cohort, types: tuple[str, ...], window: Window, now: int,
        duration: int, horizon: int | None, local: str | None,
    ) -> None:
        self.search, self.memo, self.cohort, self.types = search, memo, cohort, types
        self.window, self.now, self.duration, self.horizon, self.local = window, now, duration, horizon, local
        self.advisors: Advisors = keep_advisors(cohort, window, None, capped=False)  # type: ignore[assignment]

    def stages(
        self, occupancy: Occupancy, calendar: CalendarColumns, tally: _Tally, rows: np.ndarray, joint: bool
    ) -> np.ndarray:
        """Rules out the cohort's advisor-days stage by stage; answers day index -> a slot."""
        adv, window, types, duration = self.advisors, self.window, self.types, self.duration
        settings = self.memo.bank.settings
        n, ndays = len(adv.ids), len(window.closed)
        ids = adv.ids.tolist()
        owner, start, end, secs = ClaimColumns.of(occupancy.advisor_claims).of_owners(ids)
        who, lo, hi, status = calendar.of_owners(ids)
        inside = (hi > window.start) & (lo < window.span_end)
        entries = (who[inside], lo[inside], hi[inside], status[inside])

        routed = adv.prio != NO_ROUTE  # (weekday, type, advisor)
        offers, here = self._weekly(entries)
        type_ok = ~here[:, None, :] | (routed & offers)
        tally.rule_out(TYPE_NOT_OFFERED, type_ok.any(axis=1)[window.weekdays].T, rows)

        # Open time with the bank's opening hours (the search's) and without them.
        schedule = OpenSchedule(window, self.memo)
        base = cohort_open_time(self.cohort, types, window, schedule)
        opened = advisor_open_rows(base, adv, types, entries, window, schedule)
        if window.opening_hours is None:
            wide, wide_base, wide_rows = window, base, opened
        else:
            unbounded = replace(settings, max_ahead_seconds=None)
            wide = search_window(replace(self.search, customer_initiated=False), unbounded, self.now, duration)
            assert wide is not None
            wide_schedule = OpenSchedule(wide, self.memo)
            wide_base = cohort_open_time(self.cohort, types, wide, wide_schedule)
            wide_rows = advisor_open_rows(wide_base, adv, types, entries, wide, wide_schedule)
        grid = window.grid
        every = Starts(grid, np.ones(len(grid), dtype=bool))
        wide_open = _open_matrix(every, wide_base, wide_rows, duration)
        keep = wide_open.any(axis=1)  # some advisor works through a meeting from here
        if self.horizon is not None:
            keep &= grid < self.horizon
        if not keep.any():
            tally.rule_out(NOT_WORKING, np.zeros((1, 1), dtype=bool), rows)
            return np.zeros(ndays, dtype=bool)
        starts = Starts(grid, keep)
        day = window.grid_day[keep]
        weekday = window.weekdays[day]

        def step(code: str) -> None:
            tally.rule_out(code, _by_day(np.logical_or.reduce(alive), day, ndays).T, rows)

        wide_open = wide_open[keep]
        alive = [wide_open[:, wide_rows.row[:, ti]] & routed[weekday, ti] & type_ok[weekday, ti] for ti in range(len(types))]
        step(NOT_WORKING)
        inside_hours = _open_matrix(starts, base, opened, duration)
        for ti, cells in enumerate(alive):
            cells &= inside_hours[:, opened.row[:, ti]]
        step(OUTSIDE_OPENING_HOURS)
        earliest = earliest_starts(window, self.now, notice_seconds(self.search, settings), self.cohort.shapes)
        if earliest is not None:
            after = starts.instants[:, None] >= earliest[self.cohort.shape_ix[adv.kept]][None, :]
            for cells in alive:
                cells &= after
        step(MINIMUM_NOTICE)
        nothing = np.zeros(0, dtype=np.int64)
        away = blocked_time((nothing, nothing, nothing), entries, settings.buffer_seconds)
        free = away.free(starts, duration, n)
        present = away.free_for_physical(starts, duration, n)
        rule = room_rule(self.search, self.memo.bank, types)
        for ti, cells in enumerate(alive):
            cells &= free
            if ti == rule.physical and present is not None:
                cells &= present
        step(EXTERNAL_BUSY)
        empty = np.zeros(0, dtype=np.int64)
        booked = blocked_time((owner, start, end), (empty, empty, empty, empty), settings.buffer_seconds)
        free = booked.free(starts, duration, n)
        for cells in alive:
            cells &= free
        step(FULLY_BOOKED)
        if self.search.customer_initiated:
            limit = self.cohort.cap[adv.kept]
            used = booked_seconds(owner, start, secs, window, n)
            used = np.zeros((n, ndays), dtype=np.int64) if used is None else used
            under = ((used + duration <= limit[:, None]) | (limit < 0)[:, None]).T[day]
            for cells in alive:
                cells &= under
        step(DAILY_CAP)
        if not rule.off:
            found = OpenStarts(starts, np.zeros((len(starts), 0), dtype=bool), day, weekday)
            room_claims = ClaimColumns.of(occupancy.room_claims)
            rooms = free_rooms(rule, self.cohort.places, adv.places_ix, found, room_claims, duration + settings.buffer_seconds)
            ok = rooms.ok()
            if joint:  # the slot names the first member, and a room at their branch
                alive[rule.physical][:, 0] &= ok[:, 0]
            else:
                alive[rule.physical] &= ok
        step(NO_ROOM)
        if joint:
            together = np.logical_or.reduce([cells.all(axis=1) for cells in alive])
            return _by_day(together[:, None], day, ndays)[:, 0]
        return _by_day(np.logical_or.reduce(alive), day, ndays).any(axis=1)

    def _weekly(self, entries: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
        """(weekday, type, advisor) -> the workday offers the type (or ExtraOpen time may);
        (weekday, advisor) -> works that weekday, at the meeting's branch when it has one."""
        cohort, adv, types = self.cohort, self.advisors, self.types
        by_shape = np.zeros((len(cohort.shapes), 7, len(types)), dtype=bool)
        works = np.zeros((len(cohort.shapes), 7), dtype=bool)
        for k, week in enumerate(cohort.shapes):
            for wk in range(7):
                if week.hours[wk] is not None:
                    works[k, wk] = True
                    by_shape[k, wk] = [t in (week.offered[wk] or ()) for t in types]
        shape_ix = cohort.shape_ix[adv.kept]
        offers = np.ascontiguousarray(by_shape[shape_ix].transpose(1, 2, 0))
        here = works[shape_ix].T
        if self.local is not None:
            at = np.array([[loc == self.local for loc in place] for place in cohort.places], dtype=bool)
            here = here & at[adv.places_ix].T
        who, _, _, status = entries
        extra = np.unique(who[status == STATUS_CODE[EXTRA_OPEN]])
        if len(extra):
            for ti, t in enumerate(types):
                if t in REMOTE_TYPES:
                    offers[:, ti, extra] = True
        return offers, here


def _open_matrix(starts: Starts, base: OpenTime, rows: OpenRows, duration: int) -> np.ndarray:
    """(start, open-time row) -> the whole meeting lies in the row's free time (as `open_starts`)."""
    extra = rows.extra
    counts = np.concatenate([base.counts, np.array([len(free) for free in extra], dtype=np.int64)])
    row = np.repeat(np.arange(len(counts)), counts)
    lo = np.concatenate([base.lo, np.array([a for free in extra for a, _ in free], dtype=np.int64)])
    hi = np.concatenate([base.hi, np.array([b for free in extra for _, b in free], dtype=np.int64)])
    first, stop = starts.fitting(lo, hi, duration)
    return paint(len(starts), len(counts), row, first, stop)


def _by_day(cells: np.ndarray, day: np.ndarray, ndays: int) -> np.ndarray:
    """(start, x) -> (day index, x): some start of the day is True."""
    out = np.zeros((ndays, cells.shape[1]), dtype=bool)
    if not len(day):
        return out
    if (day[1:] >= day[:-1]).all():
        bounds = np.flatnonzero(np.r_[True, day[1:] != day[:-1]])
        out[day[bounds]] = np.logical_or.reduceat(cells, bounds, axis=0)
    else:  # a zone whose clock goes back across midnight
        counts = np.zeros(out.shape, dtype=np.int64)
        np.add.at(counts, day, cells.astype(np.int64))
        out = counts > 0
    return out


def _answer(
    window: Window, tally: _Tally, counted: list[str], available: np.ndarray, closed: np.ndarray, beyond: np.ndarray
) -> tuple[DayReasons, ...]:
    out = []
    for di in np.unique(window.grid_day).tolist():
        date = day_date(window.first_day + di)
        if available[di]:
            out.append(DayReasons(date, True, (), ()))
            continue
        column = tally.code[:, di]
        numbers = np.bincount(column, minlength=len(CODES) + 1)
        counts = tuple((CODES[k - 1], int(numbers[k])) for k in range(1, len(CODES) + 1) if numbers[k])
        if not counts:  # nobody to count: the day's own reason
            counts = ((CLOSING_DAY if closed[di] else BEYOND_HORIZON if beyond[di] else NOT_QUALIFIED, 0),)
        advisors = tuple((counted[i], CODES[column[i] - 1]) for i in np.flatnonzero(column).tolist())
        out.append(DayReasons(date, False, counts, advisors))
    return tuple(out)
