"""The daily cap: booked plus held meeting time on the start's local day plus the new meeting
must not exceed the advisor's limit: their own setting, else the most permissive of their
service groups', else the bank's, else none. Customer-initiated searches only.

Claims count on the local day they start on, with their meeting's own length (not the buffer).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .model import Advisor, Bank
from .window import Window


def group_caps(bank: Bank, sg_members: Mapping[str, frozenset[str]]) -> dict[str, int]:
    """Per advisor, the most permissive (largest) daily cap among the service groups they belong
    to (directly or through competence groups), whether or not the search triggers them."""
    caps: dict[str, int] = {}
    for sid, sg in bank.service_groups.items():
        cap = sg.max_seconds_per_day
        if cap is None:
            continue
        for aid in sg_members[sid]:
            if caps.get(aid, -1) < cap:
                caps[aid] = cap
    return caps


def daily_limit(advisor: Advisor, caps: Mapping[str, int], bank_cap: int | None) -> int | None:
    """The advisor's own cap, else their service groups' (see group_caps), else the bank's."""
    if advisor.max_seconds_per_day is not None:
        return advisor.max_seconds_per_day
    return caps.get(advisor.id, bank_cap)


def booked_seconds(
    owner: np.ndarray, start: np.ndarray, secs: np.ndarray, window: Window, advisors: int
) -> np.ndarray | None:
    """(advisor, day index) -> booked meeting seconds, from the advisors' claims (owner, start,
    meeting seconds); None without claims."""
    if not len(owner):
        return None
    ndays = len(window.closed)
    inside = (start >= window.days_lo) & (start < window.days_hi)
    owner, start, secs = owner[inside], start[inside], secs[inside]
    di = window.day_index(start)
    used = np.bincount(owner * ndays + di, weights=secs, minlength=advisors * ndays)
    return used.astype(np.int64).reshape(advisors, ndays)


def under_cap(used: np.ndarray | None, limit: np.ndarray, duration: int, day: np.ndarray) -> np.ndarray | None:
    """(start, advisor) -> the meeting fits under the advisor's cap on the start's day; None when
    no cap applies. `limit` is -1 for an advisor without one, `day` the day index of each start."""
    if used is None or not (limit >= 0).any():
        return None
    under = (used + duration <= limit[:, None]) | (limit < 0)[:, None]
    return under.T[day]
