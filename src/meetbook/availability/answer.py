"""The answer: the picked cells as `Slot` values, as plain rows (start, end, meeting_type,
employee_id, room_id, topic_id), or as `Columns` for a caller that encodes them itself."""

from __future__ import annotations

import gc
from itertools import repeat
from typing import NamedTuple

import numpy as np

from .cells import objects
from .model import Slot
from .rooms import FreeRooms

Row = tuple[int, int, str, str, str | None, str | None]


class Columns(NamedTuple):
    """The answer as integer columns over a few small tables: slot k starts at
    `starts[start_ix[k]]`, ends `duration` later, is of type `types[type_ix[k]]`, with the advisor
    `ids[advisor_ix[k]]`, the room `rooms[room_ix[k]]` (`rooms[0]` is None: no room) and the topic
    `topic_id`. No Python object per slot: a month of a bank's 150,000 slots can be encoded from
    the tables' few thousand values. `rows()` is the same answer as `Row`s, in the same order."""

    starts: np.ndarray  # int64 instants
    duration: int
    types: tuple[str, ...]
    ids: np.ndarray  # object array of advisor ids
    rooms: tuple[str | None, ...]
    topic_id: str | None
    start_ix: np.ndarray
    type_ix: np.ndarray
    advisor_ix: np.ndarray
    room_ix: np.ndarray

    @property
    def count(self) -> int:
        return len(self.start_ix)

    def rows(self) -> list[Row]:
        return _made(self, as_rows=True)

    def slots(self) -> list[Slot]:
        return _made(self, as_rows=False)


EMPTY_IX = np.zeros(0, dtype=np.int64)


def empty_columns(topic_id: str | None = None) -> Columns:
    return Columns(EMPTY_IX, 0, (), objects([]), (None,), topic_id, EMPTY_IX, EMPTY_IX, EMPTY_IX, EMPTY_IX)


def answer_columns(
    picks: tuple[np.ndarray, np.ndarray, np.ndarray],
    instants: np.ndarray,
    weekday: np.ndarray,
    duration: int,
    types: tuple[str, ...],
    ids: np.ndarray,
    rooms: FreeRooms | None,
    physical: int,
    topic_id: str | None,
) -> Columns:
    """The picks (start, type, advisor), in the order given, as columns. `instants` and `weekday`
    are the starts' instants and weekdays; `rooms` names a Physical slot's room."""
    col, ti, ai = picks
    room_ix = np.zeros(len(col), dtype=np.int64)
    names: tuple[str | None, ...] = (None,)
    if rooms is not None:
        names = rooms.names
        phys = ti == physical
        if phys.any():
            c = col[phys]
            room_ix[phys] = rooms.first[c, rooms.column[ai[phys], weekday[c]]]
    return Columns(instants, duration, types, ids, names, topic_id, col, ti, ai, room_ix)


def _made(c: Columns, as_rows: bool) -> list:
    """Columns are gathered from object arrays, so the 150,000 slots of a month share a few
    hundred int and str objects instead of making their own."""
    if not c.count:
        return []
    starts = objects(c.starts.tolist())[c.start_ix].tolist()
    ends = objects((c.starts + c.duration).tolist())[c.start_ix].tolist()
    mtypes = objects(c.types)[c.type_ix].tolist()
    employees = c.ids[c.advisor_ix].tolist()
    room_ids = objects(c.rooms)[c.room_ix].tolist() if len(c.rooms) > 1 else repeat(None)
    topics = repeat(c.topic_id)
    # No cyclic collection while the answer's cycle-free objects are made (they would set off
    # several collections, each walking much of the heap, for nothing).
    collecting = gc.isenabled()
    gc.disable()
    try:
        if as_rows:
            return list(zip(starts, ends, mtypes, employees, room_ids, topics))
        return list(map(Slot, starts, ends, mtypes, employees, room_ids, topics))
    finally:
        if collecting:
            gc.enable()
