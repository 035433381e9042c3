"""The answer: the picked cells as `Slot` values, or as plain rows (start, end, meeting_type,
employee_id, room_id, topic_id) for a caller that only serialises them."""

from __future__ import annotations

import gc
from itertools import repeat

import numpy as np

from .cells import objects
from .model import Slot
from .rooms import FreeRooms

Row = tuple[int, int, str, str, str | None, str | None]


def answer(
    picks: tuple[np.ndarray, np.ndarray, np.ndarray],
    instants: np.ndarray,
    weekday: np.ndarray,
    duration: int,
    types: tuple[str, ...],
    ids: np.ndarray,
    rooms: FreeRooms | None,
    physical: int,
    topic_id: str | None,
    as_rows: bool,
) -> list:
    """Slots (or rows) for the picks (start, type, advisor), in the order given. `instants` and
    `weekday` are the starts' instants and weekdays; `rooms` names a Physical slot's room.

    Columns are gathered from object arrays, so the 150,000 slots of a month share a few hundred
    int and str objects instead of making their own."""
    col, ti, ai = picks
    starts = objects(instants.tolist())[col].tolist()
    ends = objects((instants + duration).tolist())[col].tolist()
    mtypes = objects(types)[ti].tolist()
    employees = ids[ai].tolist()
    room_ids = repeat(None)
    if rooms is not None:
        room = np.full(len(col), None, dtype=object)
        phys = ti == physical
        if phys.any():
            c = col[phys]
            room[phys] = rooms.first[c, rooms.column[ai[phys], weekday[c]]]
        room_ids = room.tolist()
    topics = repeat(topic_id)
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
