"""Interval lists: sorted, disjoint, non-touching [start, end) pairs of epoch seconds."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

Interval = tuple[int, int]


def normalise(ivs: list[Interval]) -> list[Interval]:
    """The union of the intervals as an interval list (sorts `ivs` in place)."""
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


def within(xs: Sequence[Interval], ys: Sequence[Interval]) -> list[Interval]:
    """The intersection of a few intervals with a long list."""
    out = []
    for a, b in xs:
        k = bisect_right(ys, a, key=_end)  # first y ending after a
        while k < len(ys) and ys[k][0] < b:
            lo, hi = max(a, ys[k][0]), min(b, ys[k][1])
            if lo < hi:
                out.append((lo, hi))
            k += 1
    return out


def joined(xs: Sequence[Interval], ys: Sequence[Interval]) -> list[Interval]:
    """The union of a long interval list and a few more intervals."""
    out = list(xs)
    for a, b in ys:
        i = bisect_left(out, a, key=_end)  # first interval ending at or after a
        j = bisect_right(out, b, key=_start)  # first interval starting after b
        if i < j:
            a, b = min(a, out[i][0]), max(b, out[j - 1][1])
        out[i:j] = [(a, b)]
    return out
