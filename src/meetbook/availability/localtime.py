"""The bank's local time on integer seconds.

A zone is turned into breakpoints (UTC instant, UTC offset) once per search; after that every
question the engine asks ("which local day is this instant on?", "which instants of local day n
have a wall-clock time between 08:00 and 16:00?", "which instants are on the :00/:30 grid?") is
integer arithmetic, exact across daylight-saving changes:

- a local day is the set of instants whose local date is that day (23 or 25 hours long on DST
  days), kept as UTC segments of constant offset;
- a wall-clock range [from, to) of a day is the set of that day's instants whose local time of
  day lies in the range: nothing in the missing spring hour, both copies of the repeated autumn
  hour;
- an instant is on the grid when its local wall-clock time is hh:00:00 or hh:30:00, i.e.
  (t + offset(t)) % 1800 == 0, so each grid instant appears once even when a wall time repeats.

Days are numbered like Unix days of the local calendar: day n is date(1970, 1, 1) + n days.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from zoneinfo import ZoneInfo

import numpy as np

DAY = 86_400
GRID = 1_800
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_SAMPLE = 6 * 3_600  # zones never change offset twice within six hours
_MARGIN = 15 * 3_600  # more than any UTC offset (-12:00 .. +14:00)
_CHUNK = 2 * DAY  # how far the covered range grows at a time (a search needs a few days)


def day_date(n: int) -> dt.date:
    return dt.date.fromordinal(n + _EPOCH_ORDINAL)


def day_number(date: dt.date) -> int:
    return date.toordinal() - _EPOCH_ORDINAL


def weekday(n: int) -> int:
    """Monday is 0, like date.weekday(); day 0 (1970-01-01) was a Thursday."""
    return (n + 3) % 7


class LocalTime:
    """One zone's offsets over a growing range of instants, with per-day caches."""

    def __init__(self, zone_name: str) -> None:
        self._tz = ZoneInfo(zone_name)
        self._starts: list[int] = []  # offset self._offs[i] holds on [starts[i], starts[i + 1])
        self._offs: list[int] = []
        self._lo = 0
        self._hi = 0
        self._days: dict[int, tuple[tuple[int, int, int], ...]] = {}
        self._walls: dict[tuple[int, int, int], tuple[tuple[int, int], ...]] = {}

    # -- offsets ---------------------------------------------------------------------------

    def _offset(self, t: int) -> int:
        off = dt.datetime.fromtimestamp(t, self._tz).utcoffset()
        return 0 if off is None else int(off.total_seconds())

    def _scan(self, lo: int, hi: int) -> tuple[list[int], list[int]]:
        """Breakpoints of [lo, hi): sample every few hours, bisect each change to the second."""
        starts = [lo]
        offs = [self._offset(lo)]
        t, o = lo, offs[0]
        while t < hi:
            t2 = min(t + _SAMPLE, hi)
            o2 = self._offset(t2)
            if o2 == o:
                t = t2
                continue
            a, b = t, t2  # offset(a) == o != offset(b)
            while b - a > 1:
                m = (a + b) // 2
                if self._offset(m) == o:
                    a = m
                else:
                    b = m
            o = self._offset(b)
            if b < hi:
                starts.append(b)
                offs.append(o)
            t = b
        return starts, offs

    def cover(self, lo: int, hi: int) -> None:
        """Make sure offsets are known on [lo, hi)."""
        if not self._starts:
            self._starts, self._offs = self._scan(lo, hi)
            self._lo, self._hi = lo, hi
            return
        if lo < self._lo:
            new_lo = min(lo, self._lo - _CHUNK)
            starts, offs = self._scan(new_lo, self._lo)
            if offs[-1] == self._offs[0]:
                self._starts[0] = starts[-1]
                starts, offs = starts[:-1], offs[:-1]
            self._starts = starts + self._starts
            self._offs = offs + self._offs
            self._lo = new_lo
        if hi > self._hi:
            new_hi = max(hi, self._hi + _CHUNK)
            starts, offs = self._scan(self._hi, new_hi)
            if offs[0] == self._offs[-1]:
                starts, offs = starts[1:], offs[1:]
            self._starts += starts
            self._offs += offs
            self._hi = new_hi

    def covered(self, lo: int, hi: int, span: int) -> bool:
        """Whether [lo, hi) is worked out or can be, the whole range staying within `span`
        seconds (a zone kept across searches grows only this far). Empty: anything is."""
        if not self._starts:
            return hi - lo <= span
        return max(hi, self._hi) - min(lo, self._lo) <= span

    def offset(self, t: int) -> int:
        if not (self._lo <= t < self._hi):
            self.cover(t, t + 1)
        return self._offs[bisect_right(self._starts, t) - 1]

    def local_day(self, t: int) -> int:
        return (t + self.offset(t)) // DAY

    def pieces(self, lo: int, hi: int) -> list[tuple[int, int, int]]:
        """[(a, b, offset)]: [lo, hi) cut where the offset changes."""
        self.cover(lo, hi)
        starts, offs = self._starts, self._offs
        i = bisect_right(starts, lo) - 1
        out = []
        n = len(starts)
        while i < n and starts[i] < hi:
            a = max(starts[i], lo)
            b = min(starts[i + 1] if i + 1 < n else hi, hi)
            if a < b:
                out.append((a, b, offs[i]))
            i += 1
        return out

    # -- days --------------------------------------------------------------------------------

    def day(self, n: int) -> tuple[tuple[int, int, int], ...]:
        """Local day n as UTC segments (a, b, offset), in order; usually exactly one."""
        segs = self._days.get(n)
        if segs is None:
            d0 = n * DAY
            out = []
            for a, b, off in self.pieces(d0 - _MARGIN, d0 + DAY + _MARGIN):
                x = max(a, d0 - off)
                y = min(b, d0 + DAY - off)
                if x < y:
                    out.append((x, y, off))
            segs = self._days[n] = tuple(out)
        return segs

    def wall(self, n: int, lo_minute: int, hi_minute: int) -> tuple[tuple[int, int], ...]:
        """The instants of local day n whose wall-clock time is in [lo_minute, hi_minute)."""
        key = (n, lo_minute, hi_minute)
        ivs = self._walls.get(key)
        if ivs is None:
            out: list[tuple[int, int]] = []
            if lo_minute < hi_minute:
                for a, b, off in self.day(n):
                    base = n * DAY - off
                    x = max(a, base + lo_minute * 60)
                    y = min(b, base + hi_minute * 60)
                    if x < y:
                        if out and out[-1][1] == x:
                            out[-1] = (out[-1][0], y)
                        else:
                            out.append((x, y))
            ivs = self._walls[key] = tuple(out)
        return ivs

    def grid(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Grid instants in [lo, hi) in order, with the local day of each (int64 arrays)."""
        starts: list[np.ndarray] = []
        days: list[np.ndarray] = []
        for a, b, off in self.pieces(lo, hi):
            chunk = np.arange(a + (-(a + off)) % GRID, b, GRID, dtype=np.int64)
            starts.append(chunk)
            days.append((chunk + off) // DAY)
        if not starts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(starts), np.concatenate(days)
