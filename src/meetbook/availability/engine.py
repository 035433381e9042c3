"""Available time slots: `compute_slots(search, bank, occupancy, now) -> list[Slot]`.

Pure: the standard library and numpy, no clock (`now` is an argument), no I/O. Instants are
integer epoch seconds; the bank's local time enters through `localtime.LocalTime`.

A search runs as stages, each a module named for the rules it applies, taking and returning
frozen values:
1. `meeting.py`: the meeting's length and the searched types; `window.py`: the window, its local
   days (opening hours, closing days) and its grid of starts.
2. `reach.py`: who the search reaches and by which routes (the rules of `pools.py`), or a joint
   meeting's members; `advisors.py`: them as arrays, less those the minimum notice
   (`notice.py`) or the daily cap (`daily_cap.py`) rule out for the whole window.
   A `SearchPlan` stops here: it names the advisors and rooms whose claims to read.
3. With the occupancy: `open_time.py` (the weekly schedule per type, ExtraOpen time),
   `blocked.py` (claims, Busy, WorkingFromElsewhere), `daily_cap.py` (time booked per day),
   `rooms.py`.
4. `offer.py`: the rules together, a yes/no cell per (start, type, advisor); `best.py`: one
   advisor per (start, type), or every cell; `answer.py`: slots, rows or columns.

Cells are boolean matrices (starts x advisors, one per type) built for all advisors at once
(`cells.py`). What depends only on the bank and the kind of search is kept per bank (`memo.py`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .advisors import Advisors, Cohort, joint_cohort, keep_advisors, pool_cohort
from .answer import Columns, Row, answer_columns, empty_columns
from .best import all_picks, best_picks, wants_best
from .blocked import Blocked, blocked_time
from .daily_cap import booked_seconds
from .meeting import offerable_types, resolve_duration, searched_types
from .memo import BankMemo, bank_memo
from .model import Bank, CalendarColumns, ClaimColumns, Occupancy, Slot, SlotSearch
from .notice import earliest_starts, notice_seconds
from .offer import offered
from .open_time import advisor_open_rows, cohort_open_time, open_starts
from .reach import is_joint, joint_members, named, reach_of
from .reasons import DayReasons, explain
from .rooms import free_rooms, room_rule, rooms_at
from .schedule import OpenSchedule
from .window import Window, search_window


class _Prepared(NamedTuple):
    """A search made ready before its data is read."""

    search: SlotSearch
    now: int
    window: Window
    types: tuple[str, ...]  # searched
    memo: BankMemo
    named: tuple[str, ...]  # the named advisors, each once


def _prepare(search: SlotSearch, bank: Bank, now: int) -> _Prepared | None:
    """None when the search can offer nothing whoever is free."""
    types = searched_types(search, bank)
    if not types:
        return None
    memo = bank_memo(bank)
    window = search_window(search, bank.settings, now, resolve_duration(search, bank), memo.local_time)
    if window is None or not len(window.grid):
        return None  # no start in the window (a one-slot check of an instant off the grid)
    return _Prepared(search, now, window, types, memo, named(search))


def compute_slots(search: SlotSearch, bank: Bank, occupancy: Occupancy, now: int) -> list[Slot]:
    """The slots the bank offers for `search` at `now`, sorted by (start, type, employee)."""
    prepared = _prepare(search, bank, now)
    found = None if prepared is None else _run(prepared, occupancy)
    return [] if found is None else found.slots()


def compute_slot_rows(search: SlotSearch, bank: Bank, occupancy: Occupancy, now: int) -> list[Row]:
    """`compute_slots` as plain tuples (start, end, meeting_type, employee_id, room_id, topic_id),
    same order: building 100,000 `Slot` objects costs about as much as finding them."""
    prepared = _prepare(search, bank, now)
    found = None if prepared is None else _run(prepared, occupancy)
    return [] if found is None else found.rows()


class SearchPlan:
    """A search prepared before its data is read: which advisors and rooms it can involve, so a
    caller reading claims from a database reads only theirs (a 50-advisor pool need not read a
    500-advisor bank). Then `rows(occupancy)` or `slots(occupancy)`.

    The sets are a superset of what the search ends up using; an empty advisor list means the
    search offers nothing whatever the occupancy.

    `reasons=True` also allows `reasons(occupancy)`: why each day of the window has no slot
    (`reasons.py`); the search itself is the same either way and pays nothing for it.
    """

    def __init__(self, search: SlotSearch, bank: Bank, now: int, reasons: bool = False) -> None:
        self._prepared = _prepare(search, bank, now)
        self._asked = (search, bank, now) if reasons else None
        self.advisor_ids: tuple[str, ...] = ()
        self.room_ids: tuple[str, ...] = ()
        if self._prepared is not None:
            self.advisor_ids, self.room_ids = _in_play(self._prepared)

    def reasons(self, occupancy: Occupancy) -> tuple[DayReasons, ...]:
        """Each local day of the window: available, or the reasons nothing is offered (advisor-days
        per code, and each counted advisor's code). Only on a plan made with `reasons=True`."""
        if self._asked is None:
            raise ValueError("this plan was made without reasons=True")
        return explain(*self._asked[:2], occupancy, self._asked[2])

    def rows(self, occupancy: Occupancy) -> list[Row]:
        """As `compute_slot_rows`."""
        return self.columns(occupancy).rows()

    def slots(self, occupancy: Occupancy) -> list[Slot]:
        """As `compute_slots`."""
        return self.columns(occupancy).slots()

    def columns(self, occupancy: Occupancy) -> Columns:
        """The same answer as `Columns` (`answer.py`), for a caller that encodes it itself."""
        found = None
        if self._prepared is not None and self.advisor_ids:
            found = _run(self._prepared, occupancy)
        return empty_columns() if found is None else found


def _in_play(p: _Prepared) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(advisor ids, room ids) whose claims the search can look at."""
    search, bank = p.search, p.memo.bank
    if is_joint(search):
        advisors = [bank.advisors[i] for i in p.named if i in bank.advisors]
        return tuple(adv.id for adv in advisors), rooms_at(search, bank, p.types, advisors)
    reach = reach_of(search, p.memo, p.named)
    # the same for every search of this kind on the bank (a whole-bank one: 500 advisors)
    key = ("in play", reach.key, p.types, search.require_room, search.specific_room_ids)
    return p.memo.get(
        key, lambda: (tuple(r.advisor.id for r in reach.reached), rooms_at(search, bank, p.types, reach.advisors()))
    )


def _run(p: _Prepared, occupancy: Occupancy) -> Columns | None:
    """The answer, None when it is empty before any slot is picked."""
    search, memo, window = p.search, p.memo, p.window
    calendar = CalendarColumns.of(occupancy.calendar)
    joint = is_joint(search)
    found = _joint_cohort(p, calendar) if joint else _pool_cohort(p, calendar)
    if found is None:
        return None
    cohort, types = found
    earliest = earliest_starts(window, p.now, notice_seconds(search, memo.bank.settings), cohort.shapes)
    advisors = keep_advisors(cohort, window, earliest, capped=search.customer_initiated)
    if advisors is None or (joint and len(advisors.ids) < len(cohort.advisors)):
        return None  # a joint meeting's member can take no meeting at all in this window

    buffer = memo.bank.settings.buffer_seconds
    best = not joint and wants_best(search)
    count_booked = best or bool((advisors.limit >= 0).any())
    blocked, used, entries = _occupied(advisors, occupancy, calendar, window, buffer, count_booked)
    schedule = OpenSchedule(window, memo)
    base = cohort_open_time(cohort, types, window, schedule)
    open_rows = advisor_open_rows(base, advisors, types, entries, window, schedule)
    starts = open_starts(base, open_rows, window)
    if starts is None:
        return None
    rule = memo.get(
        ("room rule", types, search.require_room, search.specific_room_ids), lambda: room_rule(search, memo.bank, types)
    )
    rooms = None
    if not rule.off:
        room_claims = ClaimColumns.of(occupancy.room_claims)
        rooms = free_rooms(rule, cohort.places, advisors.places_ix, starts, room_claims, window.duration + buffer)

    if joint:
        # every member free at once; the slot names (and a room at the branch of) the first
        cells = offered(advisors, open_rows, starts, blocked, used, window.duration, rule.physical, None)
        together = np.stack([c.all(axis=1) for c in cells], axis=1)  # (start, type)
        if rooms is not None:
            together[:, rule.physical] &= rooms.ok()[:, 0]
        col, ti = np.nonzero(together)
        picks = (col, ti, np.zeros(len(col), dtype=np.int64))
    else:
        cells = offered(advisors, open_rows, starts, blocked, used, window.duration, rule.physical, rooms)
        if best:
            picks = best_picks(
                cells, used, advisors.prio, advisors.ids, starts.day, window.weekdays, window.first_day, memo
            )
        else:
            picks = all_picks(cells)
    return answer_columns(
        picks, starts.instants, starts.weekday, window.duration, types, advisors.ids, rooms, rule.physical,
        search.topic_id,
    )


def _occupied(
    advisors: Advisors,
    occupancy: Occupancy,
    calendar: CalendarColumns,
    window: Window,
    buffer: int,
    count_booked: bool,
) -> tuple[Blocked, np.ndarray | None, tuple[np.ndarray, ...]]:
    """The advisors' blocked time, booked seconds per day (when `count_booked`) and calendar
    entries in the window. Their claims are the bank's largest arrays: read here, so that
    they are freed before the cells are made."""
    ids = advisors.ids.tolist()
    owner, start, end, secs = ClaimColumns.of(occupancy.advisor_claims).of_owners(ids)
    who, lo, hi, status = calendar.of_owners(ids)
    inside = (hi > window.start) & (lo < window.span_end)
    entries = (who[inside], lo[inside], hi[inside], status[inside])
    used = booked_seconds(owner, start, secs, window, len(ids)) if count_booked else None
    return blocked_time((owner, start, end), entries, buffer), used, entries


def _joint_cohort(p: _Prepared, calendar: CalendarColumns) -> tuple[Cohort, tuple[str, ...]] | None:
    members = joint_members(p.memo.bank, p.named)
    types = offerable_types(p.types, members, set(calendar.owners))
    if not members or not types:
        return None
    return joint_cohort(members, types, p.memo), types


def _pool_cohort(p: _Prepared, calendar: CalendarColumns) -> tuple[Cohort, tuple[str, ...]] | None:
    reach = reach_of(p.search, p.memo, p.named)
    types = offerable_types(p.types, reach.advisors(), set(calendar.owners))
    if not types:
        return None
    cohort = pool_cohort(reach, types, p.search, p.memo)
    return None if cohort is None else (cohort, types)
