"""The minimum notice: a customer-initiated search (unless `ignoreMinimumTimeBeforeBooking`)
offers no start before the bank's `workingTimeBuffer` of the advisor's working time has passed
after now. 2 working hours at 15:00 with work ending at 16:00 means 09:00 the next working day
when work starts at 08:00. Closing days are not working time.
"""

from __future__ import annotations

import numpy as np

from .localtime import weekday
from .model import BankSettings, SlotSearch
from .schedule import Hours, Week
from .window import Window

NOTICE_LOOKAHEAD_DAYS = 366  # minimum notice that cannot be worked off within a year: no slots
_NEVER = 1 << 62  # an instant after every window


def notice_seconds(search: SlotSearch, settings: BankSettings) -> int:
    return settings.minimum_notice_seconds if search.customer_initiated and not search.ignore_minimum_notice else 0


def earliest_starts(window: Window, now: int, notice: int, weeks: list[Week]) -> np.ndarray | None:
    """Per week, the first start the notice allows (never before the window); None without
    notice."""
    if not notice:
        return None
    found: dict[Hours, int] = {}
    out = []
    for week in weeks:
        t = found.get(week.hours)
        if t is None:
            t = found[week.hours] = _after_working_time(window, now, notice, week.hours)
        out.append(max(window.start, t))
    return np.array(out, dtype=np.int64)


def _after_working_time(window: Window, now: int, notice: int, hours: Hours) -> int:
    """When `notice` seconds of the weekly working hours after `now` have passed."""
    cal = window.local_time
    remaining = notice
    n = cal.local_day(now)
    for m in range(n, n + NOTICE_LOOKAHEAD_DAYS + 1):
        if m in window.closing_days:
            continue
        day_hours = hours[weekday(m)]
        if day_hours is None:
            continue
        for a, b in cal.wall(m, *day_hours):
            if b <= now:
                continue
            a = max(a, now)
            if b - a >= remaining:
                return a + remaining
            remaining -= b - a
    return _NEVER
