"""What blocks a start: booked meetings and other tokens' active holds (their claims, each
followed by the bank's buffer) and external Busy time block every meeting type;
WorkingFromElsewhere time blocks Physical meetings only (remote ones stay open).

A new meeting is followed by the buffer too, so a claim blocks the meeting's starts from
`buffer` seconds before it. The caller leaves out the claims a search must ignore (expired
holds, the caller's own hold, `ignoreMeetingIds`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .cells import Starts, clear
from .model import BUSY, STATUS_CODE, WORKING_FROM_ELSEWHERE

Spans = tuple[np.ndarray, np.ndarray, np.ndarray]  # advisor, start, end


class Blocked(NamedTuple):
    everything: Spans  # claims widened by the buffer before them, and Busy time
    physical: Spans | None  # WorkingFromElsewhere time; None without any

    def free(self, starts: Starts, duration: int, advisors: int) -> np.ndarray:
        """(start, advisor) -> the meeting touches nothing blocked."""
        owner, lo, hi = self.everything
        out = np.ones((len(starts), advisors), dtype=bool)
        clear(out, owner, *starts.touching(lo, hi, duration))
        return out

    def free_for_physical(self, starts: Starts, duration: int, advisors: int) -> np.ndarray | None:
        """(start, advisor) -> a Physical meeting touches no WorkingFromElsewhere time; None
        when there is none."""
        if self.physical is None:
            return None
        out = np.ones((len(starts), advisors), dtype=bool)
        self.clear_physical(out, starts, duration)
        return out

    def clear_physical(self, cells: np.ndarray, starts: Starts, duration: int) -> None:
        """In place: (start, advisor) cells of a Physical meeting that touches WorkingFromElsewhere
        time become False (`cells &= free_for_physical(...)` without the matrix)."""
        if self.physical is not None:
            owner, lo, hi = self.physical
            clear(cells, owner, *starts.touching(lo, hi, duration))


def blocked_time(claims: Spans, calendar: tuple[np.ndarray, ...], buffer: int) -> Blocked:
    """From the advisors' claims and calendar entries (advisor, start, end, status code)."""
    owner, start, end = claims
    c_who, c_lo, c_hi, c_status = calendar
    busy = c_status == STATUS_CODE[BUSY]
    away = (c_status == STATUS_CODE[WORKING_FROM_ELSEWHERE]) & (c_lo < c_hi)
    b_owner, b_lo, b_hi = owner, start - buffer, end
    if busy.any():
        b_owner = np.concatenate([b_owner, c_who[busy]])
        b_lo = np.concatenate([b_lo, c_lo[busy]])
        b_hi = np.concatenate([b_hi, c_hi[busy]])
    keep = b_lo < b_hi  # an empty span blocks nothing
    if not keep.all():
        b_owner, b_lo, b_hi = b_owner[keep], b_lo[keep], b_hi[keep]
    return Blocked(
        everything=(b_owner, b_lo, b_hi),
        physical=(c_who[away], c_lo[away], c_hi[away]) if away.any() else None,
    )
