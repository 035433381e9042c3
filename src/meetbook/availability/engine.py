"""Available time slots: `compute_slots(search, bank, occupancy, now) -> list[Slot]`.

Pure: the standard library only, no clock (`now` is an argument), no I/O. All arithmetic is on
integer epoch seconds; the bank's local time enters through `LocalCalendar`, worked out once per
search (day boundaries, wall-clock ranges, the :00/:30 grid), never per advisor.

How a search runs
1. The window is [max(window_start, now), min(window_end, now + max_ahead)). A slot's *start*
   lies in the window; its end may lie after the window end.
2. The grid instants of the window are listed once (sorted); a slot start is an index into it,
   and a (start, type) pair is the cell g * len(types) + type index.
3. Who is in play, by which routes and with which priority (pools.py), once per search.
4. For each advisor: open time (weekly schedule per local day, inside opening hours for
   customer searches, no closing days; ExtraOpen adds time for remote types) minus blocked
   time (claims widened by the buffer, Busy; WorkingFromElsewhere for Physical). Every free
   interval [a, b) gives the grid starts max(window start, notice) <= s <= b - duration by
   two bisections: runs of starts, each with the (type, priority) pairs the start's day
   offers, after the day's cap. Types that need nothing special share one walk.
5. Runs go into cells. Advisors are visited in id order, so the cells read in order give the
   slots sorted by (start, type, employee) with no sort. With best-slot selection each cell
   keeps one advisor (see `_best_picks`). Physical runs that need a room keep the starts
   where one is free.

Open time is the union of the local days' working ranges, so a meeting may run past local
midnight when the next day's schedule continues it (00:00-24:00 schedules), for the types both
days offer. The start's local day is "the day" of a slot for the cap, the advisor's location,
the room and the tie-break.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

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
    Bank,
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

Interval = tuple[int, int]
Hours = tuple[tuple[int, int] | None, ...]  # per weekday: working (from, to) minutes, or None


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


def _intersect(xs: Sequence[Interval], ys: Sequence[Interval]) -> list[Interval]:
    out = []
    i = j = 0
    while i < len(xs) and j < len(ys):
        a = max(xs[i][0], ys[j][0])
        b = min(xs[i][1], ys[j][1])
        if a < b:
            out.append((a, b))
        if xs[i][1] < ys[j][1]:
            i += 1
        else:
            j += 1
    return out


def _subtract(xs: Sequence[Interval], ys: Sequence[Interval]) -> list[Interval]:
    out = []
    j = 0
    ny = len(ys)
    for a, b in xs:
        while j < ny and ys[j][1] <= a:
            j += 1
        k = j
        cur = a
        while k < ny and ys[k][0] < b:
            ya, yb = ys[k]
            if ya > cur:
                out.append((cur, ya))
            if yb > cur:
                cur = yb
            if cur >= b:
                break
            k += 1
        if cur < b:
            out.append((cur, b))
    return out


def tie_break_hash(date_iso: str, employee_id: str) -> int:
    """The last tie-break of best-slot selection: lowest wins. Stable across processes."""
    digest = hashlib.blake2b(f"{date_iso}|{employee_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


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
) -> list[tuple[int, int, str, str, str | None, str | None]]:
    """`compute_slots` as plain tuples (start, end, meeting_type, employee_id, room_id, topic_id),
    same order. Building 100,000 `Slot` objects costs about as much as finding them; a caller
    that only serialises the answer can skip that."""
    engine = _Engine.prepare(search, bank, occupancy, now)
    if engine is None:
        return []
    engine.as_rows = True
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
        self.day_ends = [day[-1][1] if day else 0 for day in segs]
        self._no_day_ends = [-(1 << 62)] * len(segs)

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

        # The grid, and for each grid index its day index and the end of its day's run.
        grid, gdays = cal.grid(ws, we)
        self.grid = grid
        self.gday = [n - n0 for n in gdays]
        run_end = [0] * len(grid)
        end = len(grid)
        for i in range(len(grid) - 1, -1, -1):
            if i + 1 < len(grid) and gdays[i + 1] != gdays[i]:
                end = i + 1
            run_end[i] = end
        self.run_end = run_end

        self._sched_cache: dict[tuple, list[Interval]] = {}
        self._notice_cache: dict[tuple, int] = {}
        self._plan_cache: dict[tuple, list[tuple]] = {}
        self._tree = GroupTree(bank.competence_groups)
        self._sg_members = service_group_members(bank, self._tree)
        self._group_caps = group_caps(bank, self._sg_members)
        self._lineage = topic_lineage(bank, search.topic_id)

    # -- rooms ---------------------------------------------------------------------------------

    def _setup_rooms(self) -> None:
        search, bank = self.search, self.bank
        self.phys_ti = self.types.index(PHYSICAL) if PHYSICAL in self.types else -1
        self.rooms_off = search.require_room is False or self.phys_ti < 0
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
            entries = []
            for room in rooms:
                taken = _normalise(
                    [(c.start, c.end) for c in self.occupancy.room_claims.get(room.id, ())]
                )
                entries.append((room.id, [a for a, _ in taken], [b for _, b in taken]))
            self.rooms_by_loc[loc] = entries
        self._room_cache: dict[tuple[str | None, int], str | None] = {}

    def needs_room(self, location: str | None) -> bool:
        if self.rooms_off:
            return False
        if self.rooms_forced:
            return True
        if location is None or location not in self.bank.locations:
            return False
        return self.bank.locations[location].require_available_room

    def room_for(self, location: str | None, g: int) -> str | None:
        """The first free room (by name, id) at the location for the meeting starting at grid[g]."""
        key = (location, g)
        cache = self._room_cache
        if key in cache:
            return cache[key]
        s = self.grid[g]
        e = s + self.duration + self.buffer
        found = None
        for room_id, starts, ends in self.rooms_by_loc.get(location, ()):  # type: ignore[arg-type]
            i = bisect_left(starts, e) - 1
            if i < 0 or ends[i] <= s:
                found = room_id
                break
        cache[key] = found
        return found

    # -- one advisor ---------------------------------------------------------------------------

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
        cal, ow = self.cal, self.open_wall
        ivs = []
        for di, wk in enumerate(self.day_wk):
            day_hours = hours[wk]
            if day_hours is None or self.day_closed[di]:
                continue
            lo, hi = day_hours
            if ow is not None:
                lo, hi = max(lo, ow[0]), min(hi, ow[1])
            for a, b in cal.wall(self.n0 + di, lo, hi):
                if ivs and ivs[-1][1] == a:
                    ivs[-1] = (ivs[-1][0], b)
                else:
                    ivs.append((a, b))
        if self.day_starts is None:  # days interleave in UTC: put them in order
            ivs = _normalise(ivs)
        self._sched_cache[hours] = ivs
        return ivs

    def _plan(self, type_bits, table, extra: bool, elsewhere: bool) -> list[tuple]:
        """How to walk one advisor's time: [(weekday bits, ExtraOpen adds to it,
        WorkingFromElsewhere cuts it, per-weekday offers, per-weekday type sets or None)].

        Types that need nothing special share one walk over every day that offers any of them;
        each start then offers its day's types (`offers[weekday]`: the (type index, priority)
        pairs, and their common priority when they cover every searched type alike). A meeting
        that runs into the next local day needs its types on both days: the per-weekday type
        sets are given for that check when the days differ. Remote types with ExtraOpen time
        and Physical with WorkingFromElsewhere time walk on their own, grouped by equal days.
        """
        nt = len(self.types)

        def offers_for(tis: list[int], by_day: bool) -> list[tuple[tuple, int | None]]:
            out = []
            for wk, row in enumerate(table):
                pairs = tuple(
                    (ti, row[ti])
                    for ti in tis
                    if row[ti] is not None and (type_bits[ti][wk] or not by_day)
                )
                prios = {p for _, p in pairs}
                uniform = prios.pop() if len(pairs) == nt and len(prios) == 1 else None
                out.append((pairs, uniform))
            return out

        plain: list[int] = []
        special: dict[tuple, list[int]] = {}
        for ti, mtype in enumerate(self.types):
            if all(row[ti] is None for row in table):
                continue
            bits = type_bits[ti]
            remote = extra and mtype in REMOTE_TYPES
            away = elsewhere and mtype == PHYSICAL
            if not remote and not any(bits):
                continue
            if remote or away:
                special.setdefault((bits, remote, away), []).append(ti)
            else:
                plain.append(ti)
        plan = []
        if plain:
            bits = tuple(any(type_bits[ti][wk] for ti in plain) for wk in range(7))
            day_tis = [frozenset(ti for ti in plain if type_bits[ti][wk]) for wk in range(7)]
            mixed = len({d for d, b in zip(day_tis, bits) if b}) > 1
            plan.append((bits, False, False, offers_for(plain, True), day_tis if mixed else None))
        for (bits, remote, away), tis in special.items():
            plan.append((bits, remote, away, offers_for(tis, False), None))
        return plan

    def advisor_ranges(self, adv: Advisor, table) -> tuple[list[tuple], dict[int, int]] | None:
        """Runs of offered starts: [(day index, grid i0, grid i1, pairs, uniform)], and the
        advisor's booked meeting seconds per day index. `pairs` are the (type index, priority)
        offered; `uniform` is their one priority when they cover every searched type alike,
        else None."""
        ws, we, duration = self.ws, self.we, self.duration
        lo_start = ws
        workdays = tuple(adv.workdays[:7]) + (None,) * (7 - len(adv.workdays))
        hours: Hours = tuple(
            (wd.start_minute, wd.end_minute) if wd is not None and wd.is_available else None
            for wd in workdays
        )
        if self.notice:
            lo_start = max(lo_start, self.earliest_start(hours))
            if lo_start >= we:
                return None
        limit = None
        if self.customer:
            limit = daily_limit(adv, self._group_caps, self.bank.settings.max_seconds_per_day)
            if limit is not None and duration > limit:
                return None

        buffer, span_hi = self.buffer, self.span_hi
        used: dict[int, int] = {}
        blocks: list[Interval] = []
        claims = self.occupancy.advisor_claims.get(adv.id, ())
        if claims and (limit is not None or self.best):
            days_lo, days_hi, day_starts = self.days_lo, self.days_hi, self.day_starts
            local_day, n0 = self.cal.local_day, self.n0
            get = used.get
            for c in claims:
                cs = c.start
                if days_lo <= cs < days_hi:
                    if day_starts is not None:
                        di = bisect_right(day_starts, cs) - 1
                    else:
                        di = local_day(cs) - n0
                    used[di] = get(di, 0) + c.meeting_seconds
        add_block = blocks.append
        for c in claims:
            bs = c.start - buffer
            ce = c.end
            if ce > ws and bs < span_hi:
                add_block((bs, ce))
        extra: list[Interval] = []
        elsewhere: list[Interval] = []
        entries = self.occupancy.calendar.get(adv.id, ())
        for e in entries:
            if e.end <= ws or e.start >= span_hi:
                continue
            if e.status == BUSY:
                blocks.append((e.start, e.end))
            elif e.status == EXTRA_OPEN:
                extra.append((e.start, e.end))
            elif e.status == WORKING_FROM_ELSEWHERE:
                elsewhere.append((e.start, e.end))
        if blocks:
            blocks = _normalise(blocks)
        if extra:
            extra = _intersect(_normalise(extra), self.opened)
        if elsewhere:
            elsewhere = _normalise(elsewhere + blocks)

        type_bits = tuple(
            tuple(h is not None and t in wd.meeting_types for wd, h in zip(workdays, hours))  # type: ignore[union-attr]
            for t in self.types
        )
        plan_key = (type_bits, table, bool(extra), bool(elsewhere))
        plan = self._plan_cache.get(plan_key)
        if plan is None:
            plan = self._plan_cache[plan_key] = self._plan(*plan_key)

        out: list[tuple] = []
        append = out.append
        grid, gday, run_end, day_wk = self.grid, self.gday, self.run_end, self.day_wk
        # a run of starts whose meetings all end by the end of their day needs no crossing
        # check; where days interleave in UTC every run gets it
        day_ends = self.day_ends if self.day_starts is not None else self._no_day_ends
        last = we - 1
        get = used.get
        for bits, remote, away, offers, day_tis in plan:
            free = self.scheduled(tuple(h if b else None for h, b in zip(hours, bits)))
            if remote:
                free = _normalise(list(free) + extra)
            cut = elsewhere if away else blocks
            if cut:
                free = _subtract(free, cut)
            for a, b in free:
                lo = a if a > lo_start else lo_start
                hi = b - duration
                if hi > last:
                    hi = last
                if lo > hi:
                    continue
                i0 = bisect_left(grid, lo)
                i1 = bisect_right(grid, hi, i0)
                while i0 < i1:
                    di = gday[i0]
                    j = run_end[i0]
                    if j > i1:
                        j = i1
                    if limit is None or get(di, 0) + duration <= limit:
                        pairs, uniform = offers[day_wk[di]]
                        if not pairs:
                            pass
                        elif day_tis is None or grid[j - 1] + duration <= day_ends[di]:
                            append((di, i0, j, pairs, uniform))
                        else:
                            self._crossing(out, di, i0, j, pairs, uniform, day_tis)
                    i0 = j
        if len(plan) > 1 and out:
            out = self._merge_runs(out)
        return out, used

    def _merge_runs(self, runs: list[tuple]) -> list[tuple]:
        """Join runs of different type groups that cover the same starts (most of them, away
        from the ExtraOpen or WorkingFromElsewhere time that made the groups differ)."""
        merged: dict[tuple[int, int, int], tuple] = {}
        joined = False
        for run in runs:
            key = run[:3]
            prev = merged.get(key)
            if prev is None:
                merged[key] = run
            else:
                joined = True
                merged[key] = (*key, prev[3] + run[3], None)
        if not joined:
            return runs
        nt = len(self.types)
        out = []
        for run in merged.values():
            pairs = run[3]
            if run[4] is None and len(pairs) == nt:
                pairs = tuple(sorted(pairs))
                first = pairs[0][1]
                if all(p == first for _, p in pairs):
                    run = (*run[:3], pairs, first)
            out.append(run)
        return out

    def _crossing(self, out: list, di: int, i0: int, j: int, pairs, uniform, day_tis) -> None:
        """Starts i0..j-1 of day di whose meetings may run into following local days: a type
        is offered only if every day the meeting touches offers it."""
        grid, duration = self.grid, self.duration
        k = i0
        if self.day_starts is not None:  # meetings ending by the day's end are simple
            k = bisect_right(grid, self.day_ends[di] - duration, i0, j)
            if k > i0:
                out.append((di, i0, k, pairs, uniform))
        nt = len(self.types)
        for g in range(k, j):
            s = grid[g]
            allowed = day_tis[self.day_wk[di]]
            for a, b, off in self.cal.pieces(s, s + duration):
                for n in range((a + off) // DAY, (b - 1 + off) // DAY + 1):
                    allowed = allowed & day_tis[weekday(n)]
            kept = tuple(pair for pair in pairs if pair[0] in allowed)
            if kept:
                prios = {p for _, p in kept}
                same = prios.pop() if len(kept) == nt and len(prios) == 1 else None
                out.append((di, g, g + 1, kept, same))

    # -- the search ----------------------------------------------------------------------------

    def run(self) -> list:
        search = self.search
        explicit_ids = list(dict.fromkeys(search.explicit_employee_ids))
        if (
            search.require_employee_participation
            and explicit_ids
            and search.employee_types is None
        ):
            return self._joint(explicit_ids)
        return self._pool(explicit_ids)

    def _narrow_types(self, advisors: list[Advisor]) -> None:
        """Drop searched types that none of these advisors could offer at all (fewer, wider
        runs later), then set up rooms for what is left."""
        calendar = self.occupancy.calendar
        possible: set[str] = set()
        for adv in advisors:
            for wd in adv.workdays:
                if wd is not None and wd.is_available:
                    possible |= wd.meeting_types
            if calendar.get(adv.id):
                possible |= REMOTE_TYPES
        self.types = tuple(t for t in self.types if t in possible)
        self._setup_rooms()

    def _location(self, adv: Advisor, di: int) -> str | None:
        return self._weekday_location(adv, self.day_wk[di])

    @staticmethod
    def _weekday_location(adv: Advisor, wk: int) -> str | None:
        wd = adv.workdays[wk] if wk < len(adv.workdays) else None
        return wd.location if wd is not None else None

    def _joint(self, explicit_ids: list[str]) -> list:
        advisors = self.bank.advisors
        members = [advisors[i] for i in explicit_ids if i in advisors and advisors[i].can_be_booked]
        self._narrow_types(members)
        if not members or not self.types:
            return []
        nt = len(self.types)
        table = ((0,) * nt,) * 7
        common: set[int] | None = None
        for adv in members:
            found = self.advisor_ranges(adv, table)
            if found is None:
                return []
            keys: set[int] = set()
            for _, i0, i1, pairs, _ in found[0]:
                for ti, _ in pairs:
                    keys.update(range(i0 * nt + ti, i1 * nt + ti, nt))
            common = keys if common is None else common & keys
            if not common:
                return []
        first = members[0]
        picks = []
        for k in sorted(common or ()):
            g, ti = divmod(k, nt)
            if ti == self.phys_ti:
                loc = self._location(first, self.gday[g])
                if self.needs_room(loc) and self.room_for(loc, g) is None:
                    continue
            picks.append((k, (0,)))
        return self._emit(picks, [first])

    def _candidates(self, explicit_ids: list[str]) -> list[tuple[Advisor, tuple]]:
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
        for aid in sorted(bank.advisors):
            adv = bank.advisors[aid]
            if not adv.can_be_booked:
                continue
            e_prio = prios.explicit if aid in explicit else None
            l_prio = None
            reached: list = []
            if not adv.only_explicit:
                if aid in qualified:
                    l_prio = prios.local
                reached = [(sg, p) for sg, p, members in groups if aid in members]
            if e_prio is not None or l_prio is not None or reached:
                reached_by.append((adv, e_prio, l_prio, reached))
        self._narrow_types([adv for adv, _, _, _ in reached_by])
        out = []
        if not self.types:
            return out
        for adv, e_prio, l_prio, reached in reached_by:
            table = route_table(
                adv,
                self.types,
                explicit_prio=e_prio,
                local_prio=l_prio,
                local_location=local_location,
                groups=reached,
            )
            if table is not None:
                out.append((adv, table))
        return out

    def _pool(self, explicit_ids: list[str]) -> list:
        candidates = self._candidates(explicit_ids)
        if not candidates:
            return []
        found = []
        for ai, (adv, table) in enumerate(candidates):
            result = self.advisor_ranges(adv, table)
            if result is not None and result[0]:
                found.append((ai, adv, *result))
        advisors = [adv for adv, _ in candidates]
        if self.best:
            return self._emit(self._best_picks(found), advisors)
        return self._emit(self._all_picks(found), advisors)

    def _runs(self, adv: Advisor, ranges: list[tuple]):
        """(day index, key cells) for each offered run: `first, stop, step, count` of the cells
        g * nt + ti it covers, and the priority. Physical runs that need a room keep only the
        starts where one is free."""
        nt = len(self.types)
        phys_ti = -1 if self.rooms_off else self.phys_ti
        day_wk = self.day_wk
        room_loc = [self._weekday_location(adv, wk) for wk in range(7)]
        room_need = [phys_ti >= 0 and self.needs_room(loc) for loc in room_loc]
        for di, i0, i1, pairs, uniform in ranges:
            wk = day_wk[di]
            need_room = room_need[wk]
            if uniform is not None and not need_room:
                # every type, one priority, no room to find: one contiguous run of cells
                yield di, uniform, i0 * nt, i1 * nt, 1, (i1 - i0) * nt
                continue
            for ti, prio in pairs:
                if ti != phys_ti or not need_room:
                    yield di, prio, i0 * nt + ti, i1 * nt + ti, nt, i1 - i0
                    continue
                loc = room_loc[wk]
                for g in range(i0, i1):
                    if self.room_for(loc, g) is not None:
                        yield di, prio, g * nt + ti, g * nt + ti + 1, 1, 1

    def _all_picks(self, found: list[tuple]) -> list[tuple[int, list[int]]]:
        """Every advisor's slots: cell -> advisor indices, in id order (the visiting order)."""
        buckets: list[list[int]] = [[] for _ in range(len(self.grid) * len(self.types))]
        for ai, adv, ranges, _ in found:
            for _, _, a, b, step, _ in self._runs(adv, ranges):
                for bucket in buckets[a:b:step]:
                    bucket.append(ai)
        return [(k, b) for k, b in enumerate(buckets) if b]

    def _best_picks(self, found: list[tuple]) -> list[tuple[int, tuple[int]]]:
        """One advisor per cell: best priority, then least booked that day, then the stable
        hash of (date, employee id), then id.

        Within a local day the tie-breaks give every advisor one rank, so a candidate's key is
        the small integer prio * n + rank. Runs are painted onto the cells from the worst key
        to the best, so each cell keeps its best; no comparison sort over all runs is needed.
        """
        ndays = len(self.day_wk)
        day_iso = [day_date(self.n0 + di).isoformat() for di in range(ndays)]
        per_day: list[list[tuple[int, int, int]]] = [[] for _ in range(ndays)]
        for ai, adv, ranges, used in found:
            for di in {r[0] for r in ranges}:
                per_day[di].append((used.get(di, 0), tie_break_hash(day_iso[di], adv.id), ai))
        order: list[list[int]] = []
        rank: list[dict[int, int]] = []
        for day in per_day:
            day.sort()
            order.append([ai for _, _, ai in day])
            rank.append({ai: r for r, (_, _, ai) in enumerate(day)})
        n = max(len(day) for day in per_day)
        runs_by_key: dict[int, list[tuple[int, int, int, int]]] = {}
        get = runs_by_key.get
        for ai, adv, ranges, _ in found:
            keys = {}  # (day index, priority) -> key
            for di, prio, a, b, step, count in self._runs(adv, ranges):
                key = keys.get((di, prio))
                if key is None:
                    key = keys[(di, prio)] = prio * n + rank[di][ai]
                runs = get(key)
                if runs is None:
                    runs_by_key[key] = [(a, b, step, count)]
                else:
                    runs.append((a, b, step, count))
        chosen = [-1] * (len(self.grid) * len(self.types))
        for key in sorted(runs_by_key, reverse=True):
            for a, b, step, count in runs_by_key[key]:
                chosen[a:b:step] = [key] * count
        nt, gday = len(self.types), self.gday
        return [
            (k, (order[gday[k // nt]][key % n],)) for k, key in enumerate(chosen) if key >= 0
        ]

    def _emit(self, picks, advisors: list[Advisor]) -> list:
        """Slots (or rows) from (g * nt + ti, advisor indices) pairs in order."""
        nt = len(self.types)
        grid, gday, types, duration = self.grid, self.gday, self.types, self.duration
        phys_ti, topic_id = self.phys_ti, self.search.topic_id
        rooms = not self.rooms_off
        ids = [adv.id for adv in advisors]
        out: list = []
        append = out.append
        as_rows = self.as_rows
        for gt, ais in picks:
            g, ti = divmod(gt, nt)
            s = grid[g]
            e = s + duration
            mtype = types[ti]
            if rooms and ti == phys_ti:
                for ai in ais:
                    loc = self._location(advisors[ai], gday[g])
                    room = self.room_for(loc, g) if self.needs_room(loc) else None
                    row = (s, e, mtype, ids[ai], room, topic_id)
                    append(row if as_rows else Slot(*row))
            elif as_rows:
                for ai in ais:
                    append((s, e, mtype, ids[ai], None, topic_id))
            else:
                for ai in ais:
                    append(Slot(s, e, mtype, ids[ai], None, topic_id))
        return out
