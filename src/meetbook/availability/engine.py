"""Available time slots: `compute_slots(search, bank, occupancy, now) -> list[Slot]`.

Pure: the standard library and numpy, no clock (`now` is an argument), no I/O. All arithmetic is
on integer epoch seconds; the bank's local time enters through `LocalCalendar`, worked out once
per search (day boundaries, wall-clock ranges, the :00/:30 grid), never per advisor.

How a search runs
1. The window is [max(window_start, now), min(window_end, now + max_ahead)). A slot's *start*
   lies in the window; its end may lie after the window end.
2. The grid instants of the window are listed once (sorted). Who is in play, by which routes
   and with which priority per weekday and type (pools.py), is worked out once per search.
3. Every question about one start, type and advisor is a yes/no cell of a boolean matrix
   (kept starts x advisors, one per type), built with a few array operations for all advisors
   at once (cells.py): a meeting start is offered when
   - the whole meeting lies in the advisor's open time for that type: the weekly schedule of
     the days offering the type (inside opening hours for customer searches, no closing days),
     shared by every advisor with the same hours; ExtraOpen time widens it for remote types;
   - it touches no claim (widened by the buffer) and no Busy time, nor WorkingFromElsewhere
     time for Physical;
   - it is after the advisor's minimum notice, and the start's day is under the daily cap;
   - some route offers the type on the start's weekday (the best priority is kept);
   - for Physical where a room is needed: a room at the advisor's branch that day is free.
   Only grid starts that some schedule opens are kept (a 30-day window has 1,440 starts, a
   bank open 08:00-17:00 on weekdays uses about 400 of them).
4. Joint meetings AND the members' cells. Pool searches either list every offered cell
   (advisors are in id order, so the cells read in (start, type, advisor) order give the
   sorted answer with no sort) or, with best-slot selection, keep per (start, type) the
   advisor with the least (priority, booked time that day, tie-break hash, id).

Per-advisor Python work is what remains: reading the claims (the largest part of a month's
search), the weekly schedule (memoised per workday tuple, see `_week`) and the routes.

Open time is the union of the local days' working ranges, so a meeting may run past local
midnight when the next day's schedule continues it (00:00-24:00 schedules), for the types both
days offer (each type has its own open time). The start's local day is "the day" of a slot for
the cap, the advisor's location, the room and the tie-break.
"""

from __future__ import annotations

import gc
import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from contextlib import contextmanager
from itertools import count, repeat
from typing import NamedTuple

import numpy as np

from .cells import Starts, paint, rank_within_groups
from .localtime import DAY, LocalCalendar, day_date, day_number, weekday
from .model import (
    BUSY,
    EXPLICIT,
    EXTRA_OPEN,
    LOCAL,
    MEETING_TYPES,
    PHYSICAL,
    REMOTE_TYPES,
    SERVICE_GROUP,
    WORKING_FROM_ELSEWHERE,
    Advisor,
    STATUS_CODE,
    Bank,
    CalendarColumns,
    ClaimColumns,
    Occupancy,
    Slot,
    SlotSearch,
)
from .pools import (
    GroupTree,
    Priorities,
    daily_limit,
    group_caps,
    qualified_set,
    route_table,
    service_group_members,
    topic_lineage,
    triggered,
)

NOTICE_LOOKAHEAD_DAYS = 366  # minimum notice that cannot be worked off within a year: no slots
_NEVER = 1 << 62  # an instant after every window
_NO_ROUTE = -1  # priority of a type no route offers
_NO_TABLE = ()  # memoised "no route at all" (None would read as not memoised)
_COHORTS_KEPT = 32  # cohorts kept per bank (each holds arrays over the advisors it reaches)
_OPEN_TIMES_KEPT = 4  # day ranges whose open time a cohort keeps
_GREEDY_STEPS = 32  # best-slot picks: steps down the key order before the rest are gathered at once
_GATHER_CELLS = 1 << 20  # ... at most this many (cell, advisor) pairs at a time

Interval = tuple[int, int]
Hours = tuple[tuple[int, int] | None, ...]  # per weekday: working (from, to) minutes, or None
Row = tuple[int, int, str, str, str | None, str | None]


# -- interval lists: sorted, disjoint, non-touching [start, end) pairs --------------------------


def _normalise(ivs: list[Interval]) -> list[Interval]:
    ivs.sort()
    out: list[Interval] = []
    for a, b in ivs:
        if a >= b:
            continue
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _start(iv: Interval) -> int:
    return iv[0]


def _end(iv: Interval) -> int:
    return iv[1]


def _within(xs: Sequence[Interval], ys: Sequence[Interval]) -> list[Interval]:
    """The intersection of a few intervals with a long list (both sorted and disjoint)."""
    out = []
    for a, b in xs:
        k = bisect_right(ys, a, key=_end)  # first y ending after a
        while k < len(ys) and ys[k][0] < b:
            lo, hi = max(a, ys[k][0]), min(b, ys[k][1])
            if lo < hi:
                out.append((lo, hi))
            k += 1
    return out


def _joined(xs: Sequence[Interval], ys: Sequence[Interval]) -> list[Interval]:
    """The union of a long interval list and a few more intervals (both sorted and disjoint)."""
    out = list(xs)
    for a, b in ys:
        i = bisect_left(out, a, key=_end)  # first interval ending at or after a
        j = bisect_right(out, b, key=_start)  # first interval starting after b
        if i < j:
            a, b = min(a, out[i][0]), max(b, out[j - 1][1])
        out[i:j] = [(a, b)]
    return out


def tie_break_hash(date_iso: str, employee_id: str) -> int:
    """The last tie-break of best-slot selection: lowest wins. Stable across processes."""
    digest = hashlib.blake2b(f"{date_iso}|{employee_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


class _Week(NamedTuple):
    """What the engine reads of an advisor's weekly schedule, per weekday (Monday first)."""

    hours: Hours  # working (from, to) minutes, None when not working
    offered: tuple[frozenset[str] | None, ...]  # meeting types offered on working days
    locations: tuple[str | None, ...]  # the branch, None without a schedule
    shape: int  # equal (hours, offered) have equal shape numbers
    any_types: frozenset[str]  # every type some available workday offers


# The bank snapshot outlives searches, so its advisors' workday tuples are read once. Keyed by
# identity: an entry holds its tuple (immutable, of frozen values), so the id cannot be reused
# while the entry lives. Bounded: at most _MEMO_LIMIT entries (a few kB each) outlive a reload.
_WEEKS: dict[int, tuple[tuple, _Week]] = {}
_SHAPES: dict[tuple, int] = {}
_SHAPE_NUMBERS = count()  # never reused, so a shape number stays unique across clears
_MEMO_LIMIT = 10_000


def _week(workdays: tuple) -> _Week:
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
    if len(_WEEKS) >= _MEMO_LIMIT or len(_SHAPES) >= _MEMO_LIMIT:
        _WEEKS.clear()
        _SHAPES.clear()
    shape = _SHAPES.get((hours, offered))
    if shape is None:
        shape = _SHAPES[(hours, offered)] = next(_SHAPE_NUMBERS)
    any_types = frozenset(t for wd in workdays if wd is not None and wd.is_available for t in wd.meeting_types)
    week = _Week(hours, offered, locations, shape, any_types)
    if type(workdays) is tuple:  # a list could change under the memo
        _WEEKS[id(workdays)] = (workdays, week)
    return week


# Per bank snapshot: what every search of it works out the same way (the group tree, service
# group members and caps, who a kind of search reaches). Keyed by identity and holding the bank,
# like _WEEKS; a Bank is not changed once made. The last few banks only: a reload replaces it.
_BANKS: dict[int, tuple[Bank, dict]] = {}
_BANKS_KEPT = 2
_BANK_WIDE = ("tree", "sg_members", "group_caps")


def _bank_memo(bank: Bank) -> dict:
    hit = _BANKS.get(id(bank))
    if hit is not None and hit[0] is bank:
        return hit[1]
    if len(_BANKS) >= _BANKS_KEPT:
        _BANKS.pop(next(iter(_BANKS)))
    memo: dict = {}
    _BANKS[id(bank)] = (bank, memo)
    return memo


_TYPE_HOURS: dict[tuple[int, str], Hours] = {}  # (week shape, meeting type) -> hours of the days offering it


def _type_hours(week: _Week, meeting_type: str) -> Hours:
    """The week's working hours on the days that offer this meeting type (memoised per shape)."""
    key = (week.shape, meeting_type)
    hours = _TYPE_HOURS.get(key)
    if hours is None:
        if len(_TYPE_HOURS) >= _MEMO_LIMIT:
            _TYPE_HOURS.clear()
        hours = _TYPE_HOURS[key] = tuple(
            h if ts is not None and meeting_type in ts else None for h, ts in zip(week.hours, week.offered)
        )
    return hours


def resolve_duration(search: SlotSearch, bank: Bank) -> int:
    if search.duration_seconds is not None:
        return search.duration_seconds
    topic = bank.topics.get(search.topic_id) if search.topic_id is not None else None
    if topic is not None and topic.duration_seconds is not None:
        return topic.duration_seconds
    return bank.settings.default_duration_seconds


def compute_slots(search: SlotSearch, bank: Bank, occupancy: Occupancy, now: int) -> list[Slot]:
    """The slots the bank offers for `search` at `now`, sorted by (start, type, employee)."""
    engine = _Engine.prepare(search, bank, occupancy, now)
    return [] if engine is None else engine.run()


def compute_slot_rows(
    search: SlotSearch, bank: Bank, occupancy: Occupancy, now: int
) -> list[Row]:
    """`compute_slots` as plain tuples (start, end, meeting_type, employee_id, room_id, topic_id),
    same order. Building 100,000 `Slot` objects costs about as much as finding them; a caller
    that only serialises the answer can skip that."""
    engine = _Engine.prepare(search, bank, occupancy, now)
    if engine is None:
        return []
    engine.as_rows = True
    return engine.run()


class SlotPlan:
    """A search prepared before its data is read: which advisors and rooms it can involve, so a
    caller reading claims from a database reads only theirs (a 50-advisor pool need not read a
    500-advisor bank). Then `rows(occupancy)` or `slots(occupancy)`, once.

    The sets are a superset of what the search ends up using; an empty advisor list means the
    search offers nothing whatever the occupancy.
    """

    def __init__(self, search: SlotSearch, bank: Bank, now: int) -> None:
        self._engine = _Engine.prepare(search, bank, Occupancy(), now)
        self.advisor_ids: tuple[str, ...] = ()
        self.room_ids: tuple[str, ...] = ()
        if self._engine is not None:
            self.advisor_ids, self.room_ids = self._engine.in_play()

    def rows(self, occupancy: Occupancy) -> list[Row]:
        """As `compute_slot_rows`."""
        if self._engine is None or not self.advisor_ids:
            return []
        self._engine.as_rows = True
        return self._run(occupancy)

    def slots(self, occupancy: Occupancy) -> list[Slot]:
        """As `compute_slots`."""
        if self._engine is None or not self.advisor_ids:
            return []
        return self._run(occupancy)

    def _run(self, occupancy: Occupancy) -> list:
        engine, self._engine = self._engine, None  # the engine narrows itself as it runs
        assert engine is not None, "a SlotPlan runs once"
        engine.occupancy = occupancy
        return engine.run()


class _Engine:
    """One search: everything that does not depend on the advisor, computed once."""

    @classmethod
    def prepare(
        cls, search: SlotSearch, bank: Bank, occupancy: Occupancy, now: int
    ) -> _Engine | None:
        settings = bank.settings
        ws = max(search.window_start, now)
        we = search.window_end
        if settings.max_ahead_seconds is not None:
            we = min(we, now + settings.max_ahead_seconds)
        duration = resolve_duration(search, bank)
        if we <= ws or duration <= 0:
            return None
        topic = bank.topics.get(search.topic_id) if search.topic_id is not None else None
        if (
            topic is not None
            and topic.customer_type_ids
            and search.customer_type_id is not None
            and search.customer_type_id not in topic.customer_type_ids
        ):
            return None
        types = tuple(
            sorted(
                t
                for t in MEETING_TYPES
                if (not search.meeting_types or t in search.meeting_types)
                and (topic is None or not topic.meeting_types or t in topic.meeting_types)
            )
        )
        if not types:
            return None
        return cls(search, bank, occupancy, now, ws, we, duration, types)

    def __init__(
        self,
        search: SlotSearch,
        bank: Bank,
        occupancy: Occupancy,
        now: int,
        ws: int,
        we: int,
        duration: int,
        types: tuple[str, ...],
    ) -> None:
        settings = bank.settings
        self.search, self.bank, self.occupancy, self.now = search, bank, occupancy, now
        self.ws, self.we, self.duration, self.types = ws, we, duration, types
        self.buffer = settings.buffer_seconds
        self.as_rows = False
        self.customer = search.customer_initiated
        self.best = search.best_slots if search.best_slots is not None else self.customer
        self.notice = (
            settings.minimum_notice_seconds
            if self.customer and not search.ignore_minimum_notice
            else 0
        )
        self.span_hi = we + duration  # nothing at or after this instant can touch a meeting
        cal = self.cal = LocalCalendar(settings.time_zone)

        # Local days that the window's meetings can touch: n0 .. n0 + len(days) - 1.
        pieces = cal.pieces(ws, self.span_hi)
        n0 = min((a + off) // DAY for a, _, off in pieces)
        n1 = max((b - 1 + off) // DAY for _, b, off in pieces)
        self.n0 = n0
        self.closing = frozenset(day_number(d) for d in settings.closing_days)
        self.day_wk = [weekday(n) for n in range(n0, n1 + 1)]
        self.day_closed = [n in self.closing for n in range(n0, n1 + 1)]
        self.days_lo = cal.day(n0)[0][0]
        self.days_hi = cal.day(n1)[-1][1]
        # Where each local day is one unbroken run of instants (every real-world zone but a
        # few historical ones), an instant's day index is one bisection.
        segs = [cal.day(n) for n in range(n0, n1 + 1)]
        flat = [seg for day in segs for seg in day]
        contiguous = all(segs) and all(x[1] == y[0] for x, y in zip(flat, flat[1:]))
        self.day_starts = [day[0][0] for day in segs] if contiguous else None

        # Opening hours bound customer-initiated slots (schedule and ExtraOpen time alike).
        if self.customer and (
            settings.opening_minute is not None or settings.closing_minute is not None
        ):
            self.open_wall: tuple[int, int] | None = (
                settings.opening_minute if settings.opening_minute is not None else 0,
                settings.closing_minute if settings.closing_minute is not None else 24 * 60,
            )
        else:
            self.open_wall = None
        lo_min, hi_min = self.open_wall or (0, 24 * 60)
        opened: list[Interval] = []
        for n in range(n0, n1 + 1):
            if n not in self.closing:
                opened.extend(cal.wall(n, lo_min, hi_min))
        self.opened = _normalise(opened)

        self.grid, gdays = cal.grid(ws, we)
        self.gday = gdays - n0  # day index of each grid start

        self._sched_cache: dict[tuple, list[Interval]] = {}
        self._weekday_cache: dict[tuple, list[Interval]] = {}
        self._notice_cache: dict[tuple, int] = {}
        memo = self._memo = _bank_memo(bank)
        if "tree" not in memo:
            memo["tree"] = GroupTree(bank.competence_groups)
            memo["sg_members"] = service_group_members(bank, memo["tree"])
            memo["group_caps"] = group_caps(bank, memo["sg_members"])
        self._tree, self._sg_members, self._group_caps = memo["tree"], memo["sg_members"], memo["group_caps"]
        self._lineage = topic_lineage(bank, search.topic_id)
        self._reached_memo: list | None = None

    # -- rooms ---------------------------------------------------------------------------------

    def _setup_rooms(self) -> None:
        search, bank = self.search, self.bank
        self.phys_ti = self.types.index(PHYSICAL) if PHYSICAL in self.types else -1
        self.rooms_off = search.require_room is False or self.phys_ti < 0
        self.room_first: np.ndarray | None = None  # set by _room_ok: (start, room column) -> room id
        if self.rooms_off:
            return
        specific = search.specific_room_ids or None
        self.rooms_forced = search.require_room is True or specific is not None
        by_loc: dict[str, list] = {}
        for room in bank.rooms.values():
            if room.can_be_booked and (specific is None or room.id in specific):
                by_loc.setdefault(room.location, []).append(room)
        self.rooms_by_loc = {}
        for loc, rooms in by_loc.items():
            rooms.sort(key=lambda r: (r.name, r.id))
            self.rooms_by_loc[loc] = rooms

    def needs_room(self, location: str | None) -> bool:
        if self.rooms_off:
            return False
        if self.rooms_forced:
            return True
        if location is None or location not in self.bank.locations:
            return False
        return self.bank.locations[location].require_available_room

    def _room_tables(self, locations: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
        """For each kept start (row) and location (column): is a room free for the whole meeting
        and its buffer, and the first free one (by name, id) as an object array."""
        height, length = len(self.ci), self.duration + self.buffer
        free = np.zeros((height, len(locations)), dtype=bool)
        first = np.full((height, len(locations)), None, dtype=object)
        claims = ClaimColumns.of(self.occupancy.room_claims)
        for li, loc in enumerate(locations):
            rooms = self.rooms_by_loc.get(loc, ())  # type: ignore[arg-type]
            if not rooms:
                continue
            owner, span_lo, span_hi, _ = claims.of_owners([room.id for room in rooms])
            real = span_lo < span_hi  # an empty claim takes no time
            touched = self.starts.touching(span_lo[real], span_hi[real], length)
            room_free = ~paint(height, len(rooms), owner[real], *touched)  # (start, room)
            free[:, li] = room_free.any(axis=1)
            ids = _objects([room.id for room in rooms])
            first[:, li] = np.where(free[:, li], ids[room_free.argmax(axis=1)], None)
        return free, first

    # -- one advisor's weekly hours ------------------------------------------------------------

    def earliest_start(self, hours: Hours) -> int:
        """When `notice` seconds of scheduled working time after `now` have passed."""
        cached = self._notice_cache.get(hours)
        if cached is not None:
            return cached
        remaining = self.notice
        now = self.now
        n = self.cal.local_day(now)
        result = _NEVER
        for m in range(n, n + NOTICE_LOOKAHEAD_DAYS + 1):
            if m in self.closing:
                continue
            day_hours = hours[weekday(m)]
            if day_hours is None:
                continue
            for a, b in self.cal.wall(m, *day_hours):
                if b <= now:
                    continue
                a = max(a, now)
                if b - a >= remaining:
                    result = a + remaining
                    break
                remaining -= b - a
            if result != _NEVER:
                break
        self._notice_cache[hours] = result
        return result

    def scheduled(self, hours: Hours) -> list[Interval]:
        """Open schedule time for weekly working hours (shared by equal schedules)."""
        ivs = self._sched_cache.get(hours)
        if ivs is not None:
            return ivs
        # The same local days and opening hours give the same time: shared with later searches.
        ivs = self._sched_cache[hours] = self._memoised(
            ("scheduled", self.n0, len(self.day_wk), self.open_wall, hours), lambda: tuple(self._schedule(hours))
        )
        return ivs

    def _schedule(self, hours: Hours) -> list[Interval]:
        clipped = [self._clip(h) for h in hours]
        if self.day_starts is None or any(h is not None and h[1] >= 24 * 60 for h in clipped):
            ivs = self._scheduled_by_day(clipped)
        else:
            # Days follow each other and no day's time reaches midnight, so no two days' time
            # touch: the week is the union of its weekdays' time, shared by equal hours.
            ivs = [iv for wk, h in enumerate(clipped) if h is not None for iv in self._weekday_time(wk, h)]
            ivs.sort()
        return ivs

    def _clip(self, day_hours: tuple[int, int] | None) -> tuple[int, int] | None:
        """Working hours inside opening hours (customer searches); None when nothing is left."""
        if day_hours is None:
            return None
        lo, hi = day_hours
        if self.open_wall is not None:
            lo, hi = max(lo, self.open_wall[0]), min(hi, self.open_wall[1])
        return (lo, hi) if lo < hi else None

    def _weekday_time(self, wk: int, day_hours: tuple[int, int]) -> list[Interval]:
        """The open days of weekday wk in the searched days, from..to local time."""
        key = (wk, day_hours)
        ivs = self._weekday_cache.get(key)
        if ivs is None:
            ivs = self._weekday_cache[key] = [
                iv
                for di, day_wk in enumerate(self.day_wk)
                if day_wk == wk and not self.day_closed[di]
                for iv in self.cal.wall(self.n0 + di, *day_hours)
            ]
        return ivs

    def _scheduled_by_day(self, clipped: list[tuple[int, int] | None]) -> list[Interval]:
        """Day by day, joining a day's time with the next day's where they touch at midnight."""
        ivs: list[Interval] = []
        for di, wk in enumerate(self.day_wk):
            day_hours = clipped[wk]
            if day_hours is None or self.day_closed[di]:
                continue
            for a, b in self.cal.wall(self.n0 + di, *day_hours):
                if ivs and ivs[-1][1] == a:
                    ivs[-1] = (ivs[-1][0], b)
                else:
                    ivs.append((a, b))
        if self.day_starts is None:  # days interleave in UTC: put them in order
            ivs = _normalise(ivs)
        return ivs

    # -- the search ----------------------------------------------------------------------------

    def _is_joint(self) -> bool:
        search = self.search
        return bool(search.require_employee_participation and search.explicit_employee_ids and search.employee_types is None)

    def run(self) -> list:
        explicit_ids = list(dict.fromkeys(self.search.explicit_employee_ids))
        if self._is_joint():
            return self._joint(explicit_ids)
        return self._pool(explicit_ids)

    def in_play(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(advisor ids, room ids) whose claims this search can look at, before it runs."""
        explicit_ids = list(dict.fromkeys(self.search.explicit_employee_ids))
        if self._is_joint():
            advisors = [self.bank.advisors[i] for i in explicit_ids if i in self.bank.advisors]
            return tuple(adv.id for adv in advisors), self._rooms_at(advisors)
        reached = self._reached(explicit_ids)
        # the same for every search of this kind on the bank (a whole-bank one: 500 advisors)
        key = ("in play", self._reach_key, self.types, self.search.require_room, self.search.specific_room_ids)
        return self._memoised(key, lambda: (
            tuple(adv.id for adv, _, _, _ in reached), self._rooms_at([adv for adv, _, _, _ in reached])))

    def _rooms_at(self, advisors: list[Advisor]) -> tuple[str, ...]:
        """The rooms at the branches these advisors work from (when rooms can matter)."""
        if PHYSICAL not in self.types or self.search.require_room is False:
            return ()
        places = {loc for adv in advisors for loc in _week(adv.workdays).locations}
        specific = self.search.specific_room_ids
        return tuple(
            sorted(r.id for r in self.bank.rooms.values() if r.location in places and (specific is None or r.id in specific))
        )

    def _narrow_types(self, advisors: list[Advisor]) -> None:
        """Drop searched types that none of these advisors could offer at all (fewer matrices
        later), then set up rooms for what is left."""
        with_entries = set(self._calendar.owners)
        possible: set[str] = set()
        wanted = set(self.types)
        for adv in advisors:
            possible |= _week(adv.workdays).any_types
            if adv.id in with_entries:
                possible |= REMOTE_TYPES
            if possible >= wanted:
                break
        self.types = tuple(t for t in self.types if t in possible)
        self._setup_rooms()

    def _joint(self, explicit_ids: list[str]) -> list:
        """Every listed employee free at once; the slot names (and rooms at) the first."""
        advisors = self.bank.advisors
        members = [advisors[i] for i in explicit_ids if i in advisors and advisors[i].can_be_booked]
        self._narrow_types(members)
        if not members or not self.types:
            return []
        table = ((0,) * len(self.types),) * 7
        if not self._load(self._cohort(members, [table] * len(members))) or len(self.ids) < len(members):
            return []  # someone can take no meeting at all in this window
        offered = self._offered(rooms=False)
        cells = np.stack([o.all(axis=1) for o in offered], axis=1)  # (start, type)
        if self.phys_ti >= 0 and not self.rooms_off:
            cells[:, self.phys_ti] &= self._room_ok()[:, 0]
        col, ti = np.nonzero(cells)
        return self._emit(col, ti, np.zeros(len(col), dtype=np.int64))

    def _candidates(self, explicit_ids: list[str]) -> _Cohort | None:
        """Advisors in play (in id order) with their route tables, as a cohort; None when no one."""
        reached_by = self._reached(explicit_ids)
        self._narrow_types([adv for adv, _, _, _ in reached_by])
        if not self.types:
            return None
        # Depends on the bank, the reach and the searched types only: kept for later searches
        # (a few, each holds arrays over its advisors).
        key = (self._reach_key, self.types)
        cohorts = self._memo.setdefault("cohorts", {})
        cohort = cohorts.pop(key, None)
        if cohort is None:
            cohort = self._make_cohort(reached_by)
        cohorts[key] = cohort  # most recently used last
        while len(cohorts) > _COHORTS_KEPT:
            cohorts.pop(next(iter(cohorts)))
        return cohort if cohort.advisors else None

    def _make_cohort(self, reached_by: list) -> _Cohort:
        advisors: list[Advisor] = []
        tables: list[tuple] = []
        local_location = self.search.meeting_location or self.search.customer_location
        # A route table depends on the advisor only through the weekly locations: share it,
        # within this search and with the bank's later searches.
        cache: dict[tuple, tuple | None] = {}
        for adv, e_prio, l_prio, reached in reached_by:
            key = (_week(adv.workdays).locations, e_prio, l_prio, tuple((sg.id, p) for sg, p in reached))
            if key in cache:
                table = cache[key]
            else:
                table = cache[key] = self._memoised(
                    ("route", self.types, local_location, *key),
                    lambda: route_table(
                        adv, self.types, explicit_prio=e_prio, local_prio=l_prio, local_location=local_location, groups=reached
                    )
                    or _NO_TABLE,
                )
            if table is _NO_TABLE:
                table = None
            if table is not None:
                advisors.append(adv)
                tables.append(table)
        return self._cohort(advisors, tables)

    def _cohort(self, advisors: list[Advisor], tables: list[tuple]) -> _Cohort:
        """What `_load` reads of each advisor that does not depend on the window, as arrays."""
        weeks = [_week(adv.workdays) for adv in advisors]
        shape_ix, shapes = _distinct([w.shape for w in weeks], weeks)
        places_ix, places = _distinct([w.locations for w in weeks], [w.locations for w in weeks])
        table_ix, unique_tables = _distinct([id(t) for t in tables], tables)
        caps, bank_cap = self._group_caps, self.bank.settings.max_seconds_per_day
        cap = [daily_limit(adv, caps, bank_cap) for adv in advisors]
        nt = len(self.types)
        prio_tables = np.array(
            [[[_NO_ROUTE if p is None else p for p in row] for row in t] for t in unique_tables],
            dtype=np.int64,
        ).reshape(len(unique_tables), 7, nt)
        return _Cohort(
            advisors=advisors,
            weeks=weeks,
            ids=_objects([adv.id for adv in advisors]),
            shapes=shapes,
            shape_ix=shape_ix,
            places=places,
            places_ix=places_ix,
            cap=np.array([-1 if c is None else c for c in cap], dtype=np.int64),
            # (weekday, type, advisor) -> priority of the best route, _NO_ROUTE without one
            prio7=np.ascontiguousarray(prio_tables[table_ix].transpose(1, 2, 0)),
            open_time={},
        )

    def _reached(self, explicit_ids: list[str]) -> list[tuple[Advisor, int | None, int | None, list]]:
        """Bookable advisors some pool reaches, in id order: (advisor, Explicit priority, Local
        priority, [(service group, priority)])."""
        if self._reached_memo is None:
            search = self.search
            # Who a search reaches depends on the bank and these fields only, not on the window:
            # the same search a second later reuses it.
            key = self._reach_key = (
                "reach", search.employee_types, tuple(explicit_ids), search.topic_id, search.customer_type_id,
                search.customer_location, search.meeting_location,
            )
            self._reached_memo = self._memoised(key, lambda: self._reach(explicit_ids))
        return self._reached_memo

    def _memoised(self, key: tuple, make):
        """A value that depends only on the bank and `key`, kept for the bank's later searches."""
        memo = self._memo
        found = memo.get(key)
        if found is None:
            if len(memo) >= _MEMO_LIMIT:
                for k in [k for k in memo if k not in _BANK_WIDE]:
                    del memo[k]
            found = memo[key] = make()
        return found

    def _reach(self, explicit_ids: list[str]) -> list[tuple[Advisor, int | None, int | None, list]]:
        search, bank = self.search, self.bank
        if search.employee_types is not None:
            pools = search.employee_types
        else:
            pools = frozenset({EXPLICIT}) if explicit_ids else frozenset({LOCAL, SERVICE_GROUP})
        prios = Priorities(tuple(bank.settings.priority_rules))
        explicit = set(explicit_ids) if EXPLICIT in pools else set()
        qualified = (
            qualified_set(bank, self._tree, self._lineage, search.customer_type_id)
            if LOCAL in pools
            else frozenset()
        )
        local_location = search.meeting_location or search.customer_location
        groups = []
        if SERVICE_GROUP in pools:
            for sid in sorted(bank.service_groups):
                sg = bank.service_groups[sid]
                if triggered(sg, self._lineage, search):
                    groups.append((sg, prios.service_group(sg), self._sg_members[sid]))
        reached_by: list[tuple[Advisor, int | None, int | None, list]] = []
        # with the Explicit pool alone only the named advisors can be reached
        in_play = sorted(bank.advisors) if pools - {EXPLICIT} else sorted(i for i in explicit if i in bank.advisors)
        for aid in in_play:
            adv = bank.advisors[aid]
            if not adv.can_be_booked:
                continue
            e_prio = prios.explicit if aid in explicit else None
            l_prio = None
            reached: list = []
            if not adv.only_explicit:
                # the local route needs the meeting's branch on some weekday
                if aid in qualified and (local_location is None or local_location in _week(adv.workdays).locations):
                    l_prio = prios.local
                reached = [(sg, p) for sg, p, members in groups if aid in members]
            if e_prio is not None or l_prio is not None or reached:
                reached_by.append((adv, e_prio, l_prio, reached))
        return reached_by

    def _pool(self, explicit_ids: list[str]) -> list:
        cohort = self._candidates(explicit_ids)
        if cohort is None or not self._load(cohort):
            return []
        offered = self._offered(rooms=not self.rooms_off)
        picks = self._best_picks(offered) if self.best else self._all_picks(offered)
        return self._emit(*picks)

    # -- the advisors in play, as arrays -------------------------------------------------------

    def _load(self, cohort: _Cohort) -> bool:
        """Everything per advisor that the cells need; False when no start can be offered.

        Advisors who can take no meeting at all in the window (notice beyond it, or a daily cap
        below the meeting's length) are left out here, so row i is the i-th advisor kept.
        """
        rows, base = self._open_time(cohort)
        self._open_spans: list[Sequence[Interval]] = list(base.spans)  # per open-time row: its free time
        self._open_base = base
        # the earliest start per week shape (minimum notice counts working time from now)
        if self.notice:
            lo_starts = np.array([max(self.ws, self.earliest_start(week.hours)) for week in cohort.shapes], dtype=np.int64)
        else:
            lo_starts = np.full(len(cohort.shapes), self.ws, dtype=np.int64)
        lo_start = lo_starts[cohort.shape_ix]
        keep = lo_start < self.we
        limit = np.full(len(cohort.advisors), -1, dtype=np.int64)  # -1: no daily cap
        if self.customer:
            keep &= (cohort.cap < 0) | (cohort.cap >= self.duration)
            limit = cohort.cap
        kept = np.flatnonzero(keep)
        if not len(kept):
            return False
        self.advisors = [cohort.advisors[i] for i in kept.tolist()]
        self.weeks = [cohort.weeks[i] for i in kept.tolist()]
        self.ids = cohort.ids[kept]
        self.places_ix = cohort.places_ix[kept]
        self.places = cohort.places
        self.row_ix = rows[cohort.shape_ix[kept]]  # a copy: ExtraOpen time changes rows of it
        self.lo_start = lo_start[kept]
        self.limit = limit[kept]
        self.prio7 = np.ascontiguousarray(cohort.prio7[:, :, kept])
        self._read_occupancy()
        return self._columns()

    def _open_time(self, cohort: _Cohort) -> tuple[np.ndarray, _OpenTime]:
        """(open-time row per week shape and searched type, the rows' free time): the same for
        every search of the cohort over the same local days, so kept on it."""
        key = (self.n0, len(self.day_wk), self.open_wall)
        found = cohort.open_time.get(key)
        if found is None:
            self._open_spans = []
            keys: dict[Hours, int] = {}  # weekly hours -> row
            rows = np.empty((len(cohort.shapes), len(self.types)), dtype=np.int64)
            for k, week in enumerate(cohort.shapes):
                for ti, t in enumerate(self.types):
                    hours = _type_hours(week, t)
                    row = keys.get(hours)
                    if row is None:
                        row = keys[hours] = self._open_row(self.scheduled(hours))
                    rows[k, ti] = row
            spans = tuple(self._open_spans)
            base = _OpenTime(
                spans=spans,
                counts=np.array([len(free) for free in spans], dtype=np.int64),
                lo=np.array([a for free in spans for a, _ in free], dtype=np.int64),
                hi=np.array([b for free in spans for _, b in free], dtype=np.int64),
            )
            if len(cohort.open_time) >= _OPEN_TIMES_KEPT:  # day ranges move on
                cohort.open_time.clear()
            found = cohort.open_time[key] = (rows, base)
        return found

    def _open_row(self, free: Sequence[Interval]) -> int:
        self._open_spans.append(free)  # type: ignore[arg-type]
        return len(self._open_spans) - 1

    @property
    def _calendar(self) -> CalendarColumns:
        return CalendarColumns.of(self.occupancy.calendar)

    def _read_occupancy(self) -> None:
        """Claims and calendar entries of the advisors in play, as arrays: blocked spans
        (claims widened by the buffer before them, Busy), WorkingFromElsewhere spans, booked
        seconds per advisor and day; ExtraOpen time gives an advisor own open-time rows."""
        ids = self.ids.tolist()
        owner, start, end, secs = ClaimColumns.of(self.occupancy.advisor_claims).of_owners(ids)
        c_who, c_lo, c_hi, c_status = self._calendar.of_owners(ids)
        inside = (c_hi > self.ws) & (c_lo < self.span_hi)
        busy = inside & (c_status == STATUS_CODE[BUSY])
        away = inside & (c_status == STATUS_CODE[WORKING_FROM_ELSEWHERE]) & (c_lo < c_hi)
        extra = inside & (c_status == STATUS_CODE[EXTRA_OPEN])
        self._booked_seconds(owner, start, secs)
        # blocked spans: [claim start - buffer, claim end) and Busy time; empty spans block nothing
        b_owner, b_lo, b_hi = owner, start - self.buffer, end
        if busy.any():
            b_owner = np.concatenate([b_owner, c_who[busy]])
            b_lo = np.concatenate([b_lo, c_lo[busy]])
            b_hi = np.concatenate([b_hi, c_hi[busy]])
        keep = b_lo < b_hi
        self._blocked = (b_owner[keep], b_lo[keep], b_hi[keep])
        self._away = (c_who[away], c_lo[away], c_hi[away]) if away.any() else None
        if extra.any():
            # advisor by advisor, each one's entries in the order read
            order = np.argsort(c_who[extra], kind="stable")
            who, lo, hi = c_who[extra][order].tolist(), c_lo[extra][order].tolist(), c_hi[extra][order].tolist()
            first = 0
            for k in range(1, len(who) + 1):
                if k == len(who) or who[k] != who[first]:
                    self._extra_rows(who[first], list(zip(lo[first:k], hi[first:k])))
                    first = k

    def _booked_seconds(self, owner: np.ndarray, start: np.ndarray, secs: np.ndarray) -> None:
        """Booked meeting seconds per advisor and local day (the day a claim starts on)."""
        ndays = len(self.day_wk)
        self.used = None
        if not (self.best or (self.limit >= 0).any()) or not len(owner):
            return
        inside = (start >= self.days_lo) & (start < self.days_hi)
        owner, start, secs = owner[inside], start[inside], secs[inside]
        if self.day_starts is not None:
            di = np.searchsorted(np.array(self.day_starts, dtype=np.int64), start, side="right") - 1
        else:
            local_day, n0 = self.cal.local_day, self.n0
            di = np.array([local_day(t) - n0 for t in start.tolist()], dtype=np.int64)
        used = np.bincount(owner * ndays + di, weights=secs, minlength=len(self.advisors) * ndays)
        self.used = used.astype(np.int64).reshape(len(self.advisors), ndays)

    def _extra_rows(self, ai: int, spans: list[Interval]) -> None:
        """Remote types of an advisor with ExtraOpen time (inside opening hours) get own open-time
        rows: the schedule joined with that time (a meeting may span both). Blocked time is
        taken out with everyone else's, in `_offered`."""
        extra = _within(_normalise(spans), self.opened)
        if not extra:
            return
        week = self.weeks[ai]
        rows: dict[Hours, int] = {}
        for ti, t in enumerate(self.types):
            if t in REMOTE_TYPES:
                hours = _type_hours(week, t)
                if hours not in rows:
                    rows[hours] = self._open_row(_joined(self.scheduled(hours), extra))
                self.row_ix[ai, ti] = rows[hours]

    def _columns(self) -> bool:
        """The open-time matrix (start x row), on the grid starts that some row opens; False
        when none does."""
        spans, base = self._open_spans, self._open_base
        extra = spans[len(base.spans):]  # ExtraOpen rows of this search
        counts = np.concatenate([base.counts, np.array([len(free) for free in extra], dtype=np.int64)])
        rows = np.repeat(np.arange(len(spans)), counts)
        lo = np.concatenate([base.lo, np.array([a for free in extra for a, _ in free], dtype=np.int64)])
        hi = np.concatenate([base.hi, np.array([b for free in extra for _, b in free], dtype=np.int64)])
        grid = self.grid
        first, stop = Starts(grid, np.ones(len(grid), dtype=bool)).fitting(lo, hi, self.duration)
        keep = paint(len(grid), 1, np.zeros(len(rows), dtype=np.int64), first, stop)[:, 0]
        if not keep.any():
            return False
        starts = self.starts = Starts(grid, keep)
        first, stop = starts.kept_below[first], starts.kept_below[stop]
        self.open_rows = paint(len(starts), len(spans), rows, first, stop)
        self.ci = starts.instants  # the kept starts
        self.cday = self.gday[keep]
        self.cwk = np.array(self.day_wk, dtype=np.int64)[self.cday]
        return True

    # -- cells ---------------------------------------------------------------------------------

    def _offered(self, rooms: bool) -> list[np.ndarray]:
        """Per searched type, (kept start, advisor) -> the meeting can be offered."""
        n, height = len(self.advisors), len(self.ci)
        starts, duration = self.starts, self.duration
        owner, lo, hi = self._blocked
        common = ~paint(height, n, owner, *starts.touching(lo, hi, duration))
        if self.notice:
            common &= self.ci[:, None] >= self.lo_start[None, :]
        if self.customer and self.used is not None and (self.limit >= 0).any():
            under = (self.used + duration <= self.limit[:, None]) | (self.limit < 0)[:, None]
            common &= under.T[self.cday]
        routed = (self.prio7 != _NO_ROUTE)[self.cwk]  # (start, type, advisor)
        out = []
        for ti in range(len(self.types)):
            cells = self.open_rows[:, self.row_ix[:, ti]]
            cells &= common
            cells &= routed[:, ti]
            if ti == self.phys_ti:
                if self._away is not None:
                    away_owner, away_lo, away_hi = self._away
                    cells &= ~paint(height, n, away_owner, *starts.touching(away_lo, away_hi, duration))
                if rooms:
                    cells &= self._room_ok()
            out.append(cells)
        return out

    def _room_ok(self) -> np.ndarray:
        """(kept start, advisor) -> no room is needed at the advisor's branch that day, or one
        is free. Also keeps what `_emit` needs to name the room (`room_first`, `room_col7`)."""
        index: dict[str | None, int] = {}  # location -> room table column, 0: no room needed
        wanted: list[str | None] = []
        # weekly locations (distinct among the advisors kept) -> room table column per weekday
        columns = np.zeros((len(self.places), 7), dtype=np.int64)
        for k in np.unique(self.places_ix).tolist():
            for wk, loc in enumerate(self.places[k]):
                if loc not in index:
                    index[loc] = 0
                    if self.needs_room(loc):
                        wanted.append(loc)
                        index[loc] = len(wanted)
                columns[k, wk] = index[loc]
        free, first = self._room_tables(wanted)
        height, n = len(self.ci), len(self.advisors)
        self.room_first = np.hstack([np.full((height, 1), None, dtype=object), first])
        self.room_col7 = columns[self.places_ix]
        ok = np.ones((height, n), dtype=bool)
        needing = np.flatnonzero(self.room_col7.any(axis=1))
        if len(needing):
            free = np.hstack([np.ones((height, 1), dtype=bool), free])
            column = self.room_col7[needing].T[self.cwk]  # (start, advisor needing a room)
            ok[:, needing] = free[np.arange(height)[:, None], column]
        return ok

    # -- choosing and listing --------------------------------------------------------------------

    def _all_picks(self, offered: list[np.ndarray]) -> tuple[np.ndarray, ...]:
        """Every offered cell, in (start, type, advisor) order."""
        return np.nonzero(np.stack(offered, axis=1))  # (start, type, advisor)

    def _best_picks(self, offered: list[np.ndarray]) -> tuple[np.ndarray, ...]:
        """One advisor per (start, type): best priority, then least booked that day, then the
        stable hash of (date, employee id), then id.

        Within a local day the tie-breaks give every advisor one rank, so a candidate's key is
        the integer priority * n + rank. Sorting a day's advisors by key once per type, each
        start's pick is the first advisor in that order who offers it.
        """
        n, ndays = len(self.advisors), len(self.day_wk)
        p_ai, p_day = self._offering_days(np.logical_or.reduce(offered))
        booked = self.used[p_ai, p_day] if self.used is not None else np.zeros(len(p_ai), np.int64)
        rank = np.full((ndays, n), n, dtype=np.int64)  # offering nothing that day: last
        rank[p_day, p_ai] = rank_within_groups(p_day, booked, self._hash_ranks(p_ai, p_day))
        # (day, type, advisor); no route: never offered, so any key will do
        keys = np.maximum(self.prio7, 0)[self.day_wk] * n + rank[:, None, :]
        order = np.argsort(keys, axis=2)
        cells = np.stack(offered, axis=1)  # (start, type, advisor)
        col, ti = np.nonzero(cells.any(axis=2))
        day = self.cday[col]
        winner = np.empty(len(col), dtype=np.int64)
        # Walk down each cell's order a step at a time, for the cells still without a pick: the
        # best advisor is usually free, so a few steps settle almost every cell.
        left = np.arange(len(col))
        for k in range(min(n, _GREEDY_STEPS)):
            if not len(left):
                break
            who = order[day[left], ti[left], k]
            hit = cells[col[left], ti[left], who]
            winner[left[hit]] = who[hit]
            left = left[~hit]
        # The rest at once: each cell's advisors in key order, the first who offers it.
        for chunk in np.array_split(left, max(1, len(left) * n // _GATHER_CELLS)) if len(left) else ():
            ranked = order[day[chunk], ti[chunk]]  # (cell, advisor in key order)
            first = cells[col[chunk, None], ti[chunk, None], ranked].argmax(axis=1)
            winner[chunk] = ranked[np.arange(len(chunk)), first]
        return col, ti, winner

    def _offering_days(self, anything: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The (advisor, day index) pairs with at least one offered cell, advisors in order
        within each day."""
        cday = self.cday
        if (cday[1:] >= cday[:-1]).all():  # starts grouped by day: one reduction per day
            bounds = np.flatnonzero(np.r_[True, cday[1:] != cday[:-1]])
            k, ai = np.nonzero(np.logical_or.reduceat(anything, bounds, axis=0))
            return ai, cday[bounds][k]
        ndays = len(self.day_wk)
        col, ai = np.nonzero(anything)
        pairs = np.unique(ai * ndays + cday[col])
        return pairs // ndays, pairs % ndays

    def _hash_ranks(self, ai: np.ndarray, day: np.ndarray) -> np.ndarray:
        """For each (advisor, day index) pair, the rank of the advisor's tie_break_hash among
        every advisor of the bank that day (equal hashes by id): ordering by it is ordering by
        (hash, id). From the bank's memo of whole days."""
        if not len(ai):
            return np.empty(0, dtype=np.int64)
        order = self._memoised(("advisor order",), lambda: {aid: k for k, aid in enumerate(sorted(self.bank.advisors))})
        in_bank = np.array([order[aid] for aid in self.ids.tolist()], dtype=np.int64)
        days = np.unique(day).tolist()
        table = np.stack([self._day_hash_ranks(self.n0 + d, order) for d in days])  # (day, bank advisor)
        return table[np.searchsorted(np.array(days, dtype=np.int64), day), in_bank[ai]]

    def _day_hash_ranks(self, n: int, order: dict[str, int]) -> np.ndarray:
        """Every advisor's tie-break rank for local day n, in bank order: the same for every search."""

        def make() -> np.ndarray:
            iso = day_date(n).isoformat()
            hashes = np.array([tie_break_hash(iso, aid) for aid in order], dtype=np.uint64)
            ranks = np.empty(len(hashes), dtype=np.int64)
            ranks[np.argsort(hashes, kind="stable")] = np.arange(len(hashes))  # bank order is id order
            return ranks

        return self._memoised(("tie ranks", n), make)

    def _emit(self, col: np.ndarray, ti: np.ndarray, ai: np.ndarray) -> list:
        """Slots (or rows) for the picked cells, in the order given.

        Columns are gathered from object arrays, so the 150,000 slots of a month share a few
        hundred int and str objects instead of making their own."""
        starts = _objects(self.ci.tolist())[col].tolist()
        ends = _objects((self.ci + self.duration).tolist())[col].tolist()
        mtypes = _objects(self.types)[ti].tolist()
        ids = self.ids[ai].tolist()
        rooms = repeat(None)
        if self.room_first is not None:
            room = np.full(len(col), None, dtype=object)
            phys = ti == self.phys_ti
            if phys.any():
                c = col[phys]
                room[phys] = self.room_first[c, self.room_col7[ai[phys], self.cwk[c]]]
            rooms = room.tolist()
        topics = repeat(self.search.topic_id)
        with collection_deferred():
            if self.as_rows:
                return list(zip(starts, ends, mtypes, ids, rooms, topics))
            return list(map(Slot, starts, ends, mtypes, ids, rooms, topics))


class _Cohort(NamedTuple):
    """The advisors a kind of search reaches and what the engine reads of each, as arrays (the
    same for every search of that kind on the bank, whatever its window)."""

    advisors: list[Advisor]
    weeks: list[_Week]
    ids: np.ndarray  # object array of advisor ids
    shapes: list[_Week]  # one week per distinct shape
    shape_ix: np.ndarray  # advisor -> index into shapes
    places: list[tuple]  # distinct weekly locations
    places_ix: np.ndarray  # advisor -> index into places
    cap: np.ndarray  # daily cap in seconds, -1: none
    prio7: np.ndarray  # (weekday, type, advisor) -> priority of the best route, _NO_ROUTE without one
    open_time: dict  # (first day, days, opening hours) -> `_Engine._open_time`


class _OpenTime(NamedTuple):
    """Free time of the open-time rows, as intervals and as arrays."""

    spans: tuple  # per row: its free time (intervals)
    counts: np.ndarray  # intervals per row
    lo: np.ndarray  # every interval's start, row after row
    hi: np.ndarray


def _distinct(keys: list, values: list) -> tuple[np.ndarray, list]:
    """(for each item the index of its key among the distinct keys, in order of first
    appearance; the value of each distinct key's first item)."""
    seen: dict = {}
    index: list[int] = []
    out: list = []
    for k, v in zip(keys, values):
        i = seen.get(k)
        if i is None:
            i = seen[k] = len(out)
            out.append(v)
        index.append(i)
    return np.array(index, dtype=np.int64), out


def _objects(values: Sequence) -> np.ndarray:
    """A 1-d object array of the values (np.array would make a 2-d array of tuples)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


@contextmanager
def collection_deferred():
    """No cyclic garbage collection while tens of thousands of objects that hold no cycles are
    made (an answer's slots, a read's rows): they would trigger several collections, each
    walking much of the heap, for nothing. The collector runs again right after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
