"""Rooms: a Physical meeting that needs a room (`requireRoom`, or the branch's
`requireAvailableRoom`) is offered only with a bookable room at the advisor's branch that day
(one of `specificRooms` when given) free for the whole meeting and its buffer. The slot names the
first free room by (name, id); the hold and the meeting claim it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from .cells import paint
from .model import PHYSICAL, Advisor, Bank, ClaimColumns, Location, Room, SlotSearch
from .open_time import OpenStarts
from .schedule import week_of


class RoomRule(NamedTuple):
    physical: int  # index of Physical among the searched types, -1: not searched
    off: bool  # no slot needs a room
    forced: bool  # every Physical slot needs one
    by_location: Mapping[str, list[Room]]  # bookable rooms (of specificRooms) by (name, id)
    locations: Mapping[str, Location]

    def needs_room(self, location: str | None) -> bool:
        if self.off:
            return False
        if self.forced:
            return True
        if location is None or location not in self.locations:
            return False
        return self.locations[location].require_available_room


def room_rule(search: SlotSearch, bank: Bank, types: tuple[str, ...]) -> RoomRule:
    physical = types.index(PHYSICAL) if PHYSICAL in types else -1
    if search.require_room is False or physical < 0:
        return RoomRule(physical, off=True, forced=False, by_location={}, locations=bank.locations)
    specific = search.specific_room_ids or None
    by_location: dict[str, list[Room]] = {}
    for room in bank.rooms.values():
        if room.can_be_booked and (specific is None or room.id in specific):
            by_location.setdefault(room.location, []).append(room)
    for rooms in by_location.values():
        rooms.sort(key=lambda r: (r.name, r.id))
    return RoomRule(
        physical,
        off=False,
        forced=search.require_room is True or specific is not None,
        by_location=by_location,
        locations=bank.locations,
    )


def rooms_at(search: SlotSearch, bank: Bank, types: tuple[str, ...], advisors: Sequence[Advisor]) -> tuple[str, ...]:
    """The rooms at the branches these advisors work from, when rooms can matter."""
    if PHYSICAL not in types or search.require_room is False:
        return ()
    places = {loc for adv in advisors for loc in week_of(adv.workdays).locations}
    specific = search.specific_room_ids
    return tuple(
        sorted(r.id for r in bank.rooms.values() if r.location in places and (specific is None or r.id in specific))
    )


class FreeRooms(NamedTuple):
    """Where a room is free, per start and column: column 0 is "no room needed", column k the
    k-th branch that needs one."""

    free: np.ndarray  # (start, column) -> a room is free (always in column 0)
    first: np.ndarray  # (start, column) -> the first free room, an index into `names` (0 in column 0)
    column: np.ndarray  # (advisor, weekday) -> column of the advisor's branch that day
    weekday: np.ndarray  # of each start
    names: tuple[str | None, ...]  # the rooms' ids, names[0] = None (no room)
    place: np.ndarray  # advisor -> their weekly locations, an index into the rows of `by_place`
    by_place: np.ndarray  # (weekly locations, weekday) -> column; `column` is by_place[place]

    def ok(self) -> np.ndarray:
        """(start, advisor) -> no room is needed at the advisor's branch that day, or one is free.
        Made when asked: the cells use it once."""
        ok = np.ones((len(self.free), len(self.column)), dtype=bool)
        self.restrict(ok)
        return ok

    def restrict(self, cells: np.ndarray) -> None:
        """In place: `cells &= self.ok()`, worked out once per weekly locations (a few dozen)
        rather than per advisor."""
        needs = self.by_place.any(axis=1)  # weekly locations with a branch needing a room
        needing = np.flatnonzero(needs[self.place])  # advisors
        if not len(needing):
            return
        wanted = np.flatnonzero(needs)
        # (start, weekly locations needing a room) -> a room is free where it is needed
        free = self.free[np.arange(len(self.free))[:, None], self.by_place[wanted].T[self.weekday]]
        slot = np.zeros(len(self.by_place), dtype=np.int64)
        slot[wanted] = np.arange(len(wanted))
        cells[:, needing] &= free[:, slot[self.place[needing]]]


def free_rooms(
    rule: RoomRule,
    places: list[tuple],
    places_ix: np.ndarray,
    starts: OpenStarts,
    room_claims: ClaimColumns,
    length: int,
) -> FreeRooms:
    """For advisors with weekly locations `places[places_ix[advisor]]`; `length` is the meeting
    and its buffer."""
    index: dict[str | None, int] = {}  # location -> column, 0: no room needed
    wanted: list[str | None] = []
    # weekly locations (distinct among the advisors) -> column per weekday
    columns = np.zeros((len(places), 7), dtype=np.int64)
    for k in np.unique(places_ix).tolist():
        for wk, loc in enumerate(places[k]):
            if loc not in index:
                index[loc] = 0
                if rule.needs_room(loc):
                    wanted.append(loc)
                    index[loc] = len(wanted)
            columns[k, wk] = index[loc]
    free, first, names = _room_tables(rule, wanted, starts, room_claims, length)
    return FreeRooms(free, first, columns[places_ix], starts.weekday, names, places_ix, columns)


def _room_tables(
    rule: RoomRule, locations: list[str | None], starts: OpenStarts, room_claims: ClaimColumns, length: int
) -> tuple[np.ndarray, np.ndarray, tuple[str | None, ...]]:
    """For each start (row) and column (0, then the locations): is a room free, and the first
    free one (an index into the names, 0: none); and the names."""
    height = len(starts.instants)
    free = np.zeros((height, len(locations) + 1), dtype=bool)
    free[:, 0] = True
    first = np.zeros((height, len(locations) + 1), dtype=np.int64)
    # Every location's rooms painted at once, side by side in location order (one pass, not one
    # per branch): a location's columns are free where any of its rooms is, first at the lowest.
    columns = [li for li, loc in enumerate(locations, 1) if rule.by_location.get(loc)]  # type: ignore[arg-type]
    rooms = [room for li in columns for room in rule.by_location[locations[li - 1]]]  # type: ignore[index]
    if not rooms:
        return free, first, (None,)
    owner, span_lo, span_hi, _ = room_claims.of_owners([room.id for room in rooms])
    real = span_lo < span_hi  # an empty claim takes no time
    touched = starts.starts.touching(span_lo[real], span_hi[real], length)
    room_free = ~paint(height, len(rooms), owner[real], *touched)  # (start, room)
    bounds = np.cumsum([0] + [len(rule.by_location[locations[li - 1]]) for li in columns[:-1]])  # type: ignore[index]
    lowest = np.minimum.reduceat(np.where(room_free, np.arange(len(rooms)), len(rooms)), bounds, axis=1)
    found = lowest < len(rooms)
    free[:, columns] = found
    first[:, columns] = np.where(found, 1 + lowest, 0)
    return free, first, (None, *(room.id for room in rooms))
