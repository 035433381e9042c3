"""Grid arithmetic as numpy arrays: which meeting starts fit, for many advisors at once.

A search's candidate starts are the grid instants of its window. Everything the engine asks of a
start (does the whole meeting lie in this free time? does it touch that claim? is a room free?)
is a question about an interval of time, and every such interval turns into one contiguous range
of starts (an index range into the sorted starts). Ranges for many owners (advisors, rooms,
schedules) are painted into one boolean matrix, starts x owners: a few array operations per
search instead of Python work per start.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Starts:
    """Sorted start instants, a subset of a sorted grid, with vectorised counting.

    `before(t)` is how many starts are < t and `upto(t)` how many are <= t, for arrays of t:
    the index ranges of binary searches. On an evenly spaced grid (every window whose UTC
    offset changes only by whole half hours) that is arithmetic, else `np.searchsorted`.
    """

    def __init__(self, grid: np.ndarray, keep: np.ndarray) -> None:
        self.instants = grid[keep]
        # kept starts among the first k grid instants, for k = 0 .. len(grid)
        self.kept_below = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
        self._step = 0
        if len(grid) > 1:
            step = int(grid[1] - grid[0])
            if step > 0 and bool((np.diff(grid) == step).all()):
                self._step, self._first, self._n = step, int(grid[0]), len(grid)

    def __len__(self) -> int:
        return len(self.instants)

    def before(self, t: np.ndarray) -> np.ndarray:
        if not self._step:
            return np.searchsorted(self.instants, t, side="left")
        k = -((self._first - t) // self._step)  # grid instants < t: ceil((t - first) / step)
        return self.kept_below[np.clip(k, 0, self._n)]

    def upto(self, t: np.ndarray) -> np.ndarray:
        if not self._step:
            return np.searchsorted(self.instants, t, side="right")
        k = (t - self._first) // self._step + 1  # grid instants <= t
        return self.kept_below[np.clip(k, 0, self._n)]

    def fitting(self, lo: np.ndarray, hi: np.ndarray, duration: int):
        """Index ranges of the starts s with lo <= s and s + duration <= hi."""
        return self.before(lo), self.upto(hi - duration)

    def touching(self, lo: np.ndarray, hi: np.ndarray, length: int):
        """Index ranges of the starts s whose span [s, s + length) overlaps [lo, hi)."""
        return self.upto(lo - length), self.before(hi)


_SHORT = 48  # ranges up to this long (a day of grid starts) are painted a row at a time, longer ones by slices or a running sum
_FEW = 2000  # up to this many long ranges are painted one slice at a time


def paint(height: int, owners: int, owner, first, stop) -> np.ndarray:
    """Boolean (height, owners): True on rows first..stop-1 of each range's owner column.

    Ranges may overlap; empty or reversed ones are ignored. Most ranges (a claim's starts) are a
    few cells long: setting those cells directly allocates nothing of the matrix's size, which
    matters more than the arithmetic (fresh large arrays cost page faults).
    """
    out = np.zeros((height, owners), dtype=bool)
    _mark(out, owner, first, stop, True)
    return out


def clear(out: np.ndarray, owner, first, stop) -> None:
    """In place: False on rows first..stop-1 of each range's owner column of `out` (as `paint`),
    with no matrix of its size made for the few ranges most callers have."""
    _mark(out, owner, first, stop, False)


def _mark(out: np.ndarray, owner, first, stop, value: bool) -> None:
    if not out.flags.c_contiguous:  # the short ranges are set through a flat view
        raise ValueError("a matrix to mark must be C-contiguous")
    height, owners = out.shape
    owner = np.asarray(owner, dtype=np.int64)
    first = np.asarray(first, dtype=np.int64)
    length = np.asarray(stop, dtype=np.int64) - first
    long = length > _SHORT
    if long.any():
        if np.count_nonzero(long) <= _FEW:
            for o, i, n in zip(owner[long].tolist(), first[long].tolist(), length[long].tolist()):
                out[i : i + n, o] = value
        else:
            covered = _running(height, owners, owner[long], first[long], first[long] + length[long])
            if value:
                out |= covered
            else:
                out &= ~covered
    short = (length > 0) & ~long
    pos = first[short] * owners + owner[short]
    left = length[short]
    flat = out.reshape(-1)
    while len(pos):
        flat[pos] = value
        more = left > 1
        pos = pos[more] + owners
        left = left[more] - 1


def _running(height: int, owners: int, owner, first, stop) -> np.ndarray:
    """`paint` for long ranges: +1 where a range starts, -1 where it stops, summed down."""
    size = (height + 1) * owners
    diff = np.bincount(first * owners + owner, minlength=size)
    diff -= np.bincount(stop * owners + owner, minlength=size)
    return np.cumsum(diff.reshape(height + 1, owners)[:height], axis=0) > 0


def rank_within_groups(group: np.ndarray, *keys: np.ndarray) -> np.ndarray:
    """For each item, its position among the items of its group when ordered by `keys`
    (most significant first); items equal in every key keep their order (a stable sort)."""
    combined = _mixed_radix(group, *keys)
    order = np.argsort(combined, kind="stable") if combined is not None else np.lexsort((*reversed(keys), group))
    sorted_group = group[order]
    starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    pos = np.arange(len(order)) - np.repeat(starts, sizes)
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = pos
    return ranks


def _mixed_radix(*columns: np.ndarray) -> np.ndarray | None:
    """The columns (non-negative integers, most significant first) as one int64 key that sorts
    the same way, or None when they do not fit in one: one sort is four times faster than a
    lexsort of three keys."""
    if not len(columns[0]):
        return None
    key = np.zeros(len(columns[0]), dtype=np.int64)
    span = 1
    for column in columns:
        if column.dtype.kind not in "iu" or column.min() < 0:
            return None
        radix = int(column.max()) + 1
        span *= radix
        if span >= 1 << 62:
            return None
        key = key * radix + column.astype(np.int64)
    return key


def objects(values: Sequence) -> np.ndarray:
    """A 1-d object array of the values (np.array would make a 2-d array of tuples)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
