"""Available time slots: `compute_slots(search, bank, occupancy, now) -> list[Slot]`.

Pure: the standard library only, no clock (`now` is an argument), no I/O. All arithmetic is on
integer epoch seconds; the bank's local time enters through `LocalCalendar`, worked out once per
search (day boundaries, wall-clock ranges, the :00/:30 grid), never per advisor.

How a search runs
1. The window is [max(window_start, now), min(window_end, now + max_ahead)). A slot's *start*
   lies in the window; its end may lie after the window end.
2. The grid instants of the window are listed once (sorted). Slot starts are indices into it.
3. For each advisor in play, per group of meeting types that share the same open time:
   open time (weekly schedule per local day, inside opening hours for customer searches, no
   closing days; plus ExtraOpen for remote types) minus blocked time (claims widened by the
   buffer, Busy; WorkingFromElsewhere for Physical). Every free interval [a, b) yields the grid
   starts s with max(window start, notice) <= s <= b - duration: two bisections.
4. Those runs of starts are checked against the day's cap and the advisor's routes (pools,
   service levels, priorities) and, for Physical meetings that need one, a free room.
5. They are dropped into buckets indexed by (grid index, type index); advisors are visited in id
   order, so reading the buckets in order yields slots sorted by (start, type, employee) with
   no sort. With best-slot selection a bucket keeps only its best candidate.

Open time is the union of the local days' working ranges, so a meeting may run past local
midnight when the next day's schedule continues it (00:00-24:00 schedules). The start's local
day is "the day" of a slot for the cap, the advisor's location, the room and the tie-break.
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
    Workday,
)
from .pools import (
    GroupTree,
    Priorities,
    daily_limit,
    qualified_set,
    route_table,
    service_group_members,
    topic_lineage,
    triggered,
)

NOTICE_LOOKAHEAD_DAYS = 366  # minimum notice that cannot be worked off within a year: no slots
_NEVER = 1 << 62
_SENTINEL = 1 << 200  # larger than any best-slot key

Interval = tuple[int, int]


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
    """The slots the bank offers for `search` at instant `now`, sorted by (start, type, employee)."""
    engine = _Engine.prepare(search, bank, occupancy, now)
    if engine is None:
        return []
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
        self._tree = GroupTree(bank.competence_groups)
        self._sg_members = service_group_members(bank, self._tree)
        self._lineage = topic_lineage(bank, search.topic_id)
        self._setup_rooms()

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
        loc = self.bank.locations.get(location) if location is not None else None
        return loc is not None and loc.require_available_room

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

    def earliest_start(self, workdays: tuple[Workday | None, ...]) -> int:
        """When `notice` seconds of scheduled working time after `now` have passed."""
        cached = self._notice_cache.get(workdays)
        if cached is not None:
            return cached
        remaining = self.notice
        now = self.now
        n = self.cal.local_day(now)
        result = _NEVER
        for m in range(n, n + NOTICE_LOOKAHEAD_DAYS + 1):
            if m in self.closing:
                continue
            wd = workdays[weekday(m)]
            if wd is None or not wd.is_available:
                continue
            for a, b in self.cal.wall(m, wd.start_minute, wd.end_minute):
                if b <= now:
                    continue
                a = max(a, now)
                if b - a >= remaining:
                    result = a + remaining
                    break
                remaining -= b - a
            if result != _NEVER:
                break
        self._notice_cache[workdays] = result
        return result

    def scheduled(self, workdays: tuple[Workday | None, ...], bits: tuple[bool, ...]):
        """Open schedule time on the weekdays flagged in `bits` (shared by equal schedules)."""
        key = (workdays, bits)
        ivs = self._sched_cache.get(key)
        if ivs is not None:
            return ivs
        cal, ow = self.cal, self.open_wall
        ivs = []
        for di, wk in enumerate(self.day_wk):
            if not bits[wk] or self.day_closed[di]:
                continue
            wd = workdays[wk]
            lo, hi = wd.start_minute, wd.end_minute  # type: ignore[union-attr]
            if ow is not None:
                lo, hi = max(lo, ow[0]), min(hi, ow[1])
            for a, b in cal.wall(self.n0 + di, lo, hi):
                if ivs and ivs[-1][1] == a:
                    ivs[-1] = (ivs[-1][0], b)
                else:
                    ivs.append((a, b))
        self._sched_cache[key] = ivs
        return ivs

    def advisor_ranges(self, adv: Advisor, table) -> tuple[list[tuple], dict[int, int]] | None:
        """Runs of offered starts: [(day index, type index, grid i0, grid i1, priority)], and the
        advisor's booked meeting seconds per day index."""
        ws, we, duration = self.ws, self.we, self.duration
        lo_start = ws
        workdays = tuple(adv.workdays) + (None,) * (7 - len(adv.workdays))
        if self.notice:
            lo_start = max(lo_start, self.earliest_start(workdays))
            if lo_start >= we:
                return None
        limit = None
        if self.customer:
            limit = daily_limit(adv, self.bank, self._sg_members)
            if limit is not None and duration > limit:
                return None

        buffer, span_hi = self.buffer, self.span_hi
        used: dict[int, int] = {}
        blocks: list[Interval] = []
        days_lo, days_hi = self.days_lo, self.days_hi
        local_day, n0 = self.cal.local_day, self.n0
        for c in self.occupancy.advisor_claims.get(adv.id, ()):
            if days_lo <= c.start < days_hi:
                di = local_day(c.start) - n0
                used[di] = used.get(di, 0) + c.meeting_seconds
            if c.end > ws and c.start - buffer < span_hi:
                blocks.append((c.start - buffer, c.end))
        extra: list[Interval] = []
        elsewhere: list[Interval] = []
        for e in self.occupancy.calendar.get(adv.id, ()):
            if e.end <= ws or e.start >= span_hi:
                continue
            if e.status == BUSY:
                blocks.append((e.start, e.end))
            elif e.status == EXTRA_OPEN:
                extra.append((e.start, e.end))
            elif e.status == WORKING_FROM_ELSEWHERE:
                elsewhere.append((e.start, e.end))
        blocks = _normalise(blocks)
        if extra:
            extra = _intersect(_normalise(extra), self.opened)
        if elsewhere:
            elsewhere = _normalise(elsewhere + blocks)

        # Group the searched types by the open time they share.
        groups: dict[tuple, list[int]] = {}
        for ti, mtype in enumerate(self.types):
            if all(row[ti] is None for row in table):
                continue
            bits = tuple(
                wd is not None and wd.is_available and mtype in wd.meeting_types
                for wd in workdays
            )
            remote = bool(extra) and mtype in REMOTE_TYPES
            if not remote and not any(bits):
                continue
            key = (bits, remote, bool(elsewhere) and mtype == PHYSICAL)
            groups.setdefault(key, []).append(ti)

        out: list[tuple] = []
        grid, gday, run_end, day_wk = self.grid, self.gday, self.run_end, self.day_wk
        last = we - 1
        for (bits, remote, away), tis in groups.items():
            free = self.scheduled(workdays, bits)
            if remote:
                free = _normalise(list(free) + extra)
            free = _subtract(free, elsewhere if away else blocks)
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
                    if limit is None or used.get(di, 0) + duration <= limit:
                        row = table[day_wk[di]]
                        for ti in tis:
                            prio = row[ti]
                            if prio is not None:
                                out.append((di, ti, i0, j, prio))
                    i0 = j
        return out, used

    # -- the search ----------------------------------------------------------------------------

    def run(self) -> list[Slot]:
        search = self.search
        explicit_ids = list(dict.fromkeys(search.explicit_employee_ids))
        if (
            search.require_employee_participation
            and explicit_ids
            and search.employee_types is None
        ):
            return self._joint(explicit_ids)
        return self._pool(explicit_ids)

    def _location(self, adv: Advisor, di: int) -> str | None:
        wk = self.day_wk[di]
        wd = adv.workdays[wk] if wk < len(adv.workdays) else None
        return wd.location if wd is not None else None

    def _joint(self, explicit_ids: list[str]) -> list[Slot]:
        advisors = self.bank.advisors
        members = [advisors[i] for i in explicit_ids if i in advisors and advisors[i].can_be_booked]
        if not members:
            return []
        nt = len(self.types)
        table = ((0,) * nt,) * 7
        common: set[int] | None = None
        for adv in members:
            found = self.advisor_ranges(adv, table)
            if found is None:
                return []
            keys: set[int] = set()
            for _, ti, i0, i1, _ in found[0]:
                keys.update(range(i0 * nt + ti, i1 * nt + ti, nt))
            common = keys if common is None else common & keys
            if not common:
                return []
        first = members[0]
        out = []
        grid, types, duration = self.grid, self.types, self.duration
        topic_id = self.search.topic_id
        for k in sorted(common or ()):
            g, ti = divmod(k, nt)
            room = None
            if ti == self.phys_ti:
                loc = self._location(first, self.gday[g])
                if self.needs_room(loc):
                    room = self.room_for(loc, g)
                    if room is None:
                        continue
            s = grid[g]
            out.append(Slot(s, s + duration, types[ti], first.id, room, topic_id))
        return out

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
        out = []
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
            if e_prio is None and l_prio is None and not reached:
                continue
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

    def _pool(self, explicit_ids: list[str]) -> list[Slot]:
        candidates = self._candidates(explicit_ids)
        if not candidates:
            return []
        nt = len(self.types)
        size = len(self.grid) * nt
        phys_ti = self.phys_ti
        best = self.best
        if best:
            chosen = [_SENTINEL] * size
        else:
            buckets: list[list[int]] = [[] for _ in range(size)]
        for ai, (adv, table) in enumerate(candidates):
            found = self.advisor_ranges(adv, table)
            if found is None:
                continue
            ranges, used = found
            hashes: dict[int, int] = {}
            for di, ti, i0, i1, prio in ranges:
                room_loc = None
                check_rooms = False
                if ti == phys_ti:
                    room_loc = self._location(adv, di)
                    check_rooms = self.needs_room(room_loc)
                if check_rooms:
                    gs = [g for g in range(i0, i1) if self.room_for(room_loc, g) is not None]
                    ks = [g * nt + ti for g in gs]
                else:
                    ks = range(i0 * nt + ti, i1 * nt + ti, nt)
                if best:
                    h = hashes.get(di)
                    if h is None:
                        h = hashes[di] = tie_break_hash(
                            day_date(self.n0 + di).isoformat(), adv.id
                        )
                    key = (prio << 160) | (used.get(di, 0) << 100) | (h << 32) | ai
                    for k in ks:
                        if key < chosen[k]:
                            chosen[k] = key
                else:
                    for k in ks:
                        buckets[k].append(ai)
        return self._emit(candidates, chosen if best else buckets, best)

    def _emit(self, candidates, table, best: bool) -> list[Slot]:
        nt = len(self.types)
        grid, gday, types, duration = self.grid, self.gday, self.types, self.duration
        phys_ti, topic_id = self.phys_ti, self.search.topic_id
        ids = [adv.id for adv, _ in candidates]
        out: list[Slot] = []
        append = out.append
        mask = (1 << 32) - 1
        for k, entry in enumerate(table):
            if best:
                if entry == _SENTINEL:
                    continue
                ais: Sequence[int] = (entry & mask,)
            else:
                if not entry:
                    continue
                ais = entry
            g, ti = divmod(k, nt)
            s = grid[g]
            e = s + duration
            mtype = types[ti]
            if ti == phys_ti and not self.rooms_off:
                for ai in ais:
                    loc = self._location(candidates[ai][0], gday[g])
                    room = self.room_for(loc, g) if self.needs_room(loc) else None
                    append(Slot(s, e, mtype, ids[ai], room, topic_id))
            else:
                for ai in ais:
                    append(Slot(s, e, mtype, ids[ai], None, topic_id))
        return out
