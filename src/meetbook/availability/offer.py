"""What is offered: per searched type, a yes/no cell for each (start, advisor), the rules' masks
together. A start is offered to an advisor for a type when
- the whole meeting lies in the advisor's open time for the type (`open_time.py`);
- it touches nothing blocked, nor WorkingFromElsewhere time for Physical (`blocked.py`);
- it is after the minimum notice (`notice.py`) and under the daily cap (`daily_cap.py`);
- some route offers the type on the start's weekday (`reach.py`, `advisors.py`);
- for Physical, a room is free where one is needed (`rooms.py`).
"""

from __future__ import annotations

import numpy as np

from .advisors import NO_ROUTE, Advisors
from .blocked import Blocked
from .daily_cap import under_cap
from .open_time import OpenRows, OpenStarts
from .rooms import FreeRooms


def offered(
    advisors: Advisors,
    open_rows: OpenRows,
    starts: OpenStarts,
    blocked: Blocked,
    used: np.ndarray | None,
    duration: int,
    physical: int,
    rooms: FreeRooms | None,
) -> list[np.ndarray]:
    """Per searched type, (start, advisor) -> the meeting can be offered. `physical` is the index
    of Physical among the types (-1: none); `rooms` None: the room rule is not applied."""
    n = len(advisors.ids)
    common = blocked.free(starts.starts, duration, n)
    if advisors.earliest is not None:
        common &= starts.instants[:, None] >= advisors.earliest[None, :]
    under = under_cap(used, advisors.limit, duration, starts.day)
    if under is not None:
        common &= under
    out = []
    for ti in range(open_rows.row.shape[1]):
        # take: C order, as every mask below (`open[:, rows]` comes back in Fortran order, and
        # mixing orders makes each & a strided pass)
        cells = starts.open.take(open_rows.row[:, ti], axis=1)
        cells &= common
        routed = advisors.prio[:, ti] != NO_ROUTE  # (weekday, advisor)
        if not routed.all():
            cells &= routed[starts.weekday]
        if ti == physical:
            # in place: each would otherwise be a matrix of the cells' size
            blocked.clear_physical(cells, starts.starts, duration)
            if rooms is not None:
                rooms.restrict(cells)
        out.append(cells)
    return out
