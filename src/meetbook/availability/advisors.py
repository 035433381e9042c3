"""The advisors a search reaches, as arrays.

A *cohort* is what the engine reads of each advisor a kind of search reaches (weekly schedule,
branches, daily cap, the best route's priority per weekday and type): the same for every search
of that kind on the bank, whatever its window, so the bank's memo keeps it. A search then keeps
the cohort's advisors who can take a meeting at all in its window (`Advisors`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .cells import objects
from .daily_cap import daily_limit
from .memo import BankMemo
from .model import Advisor, SlotSearch
from .pools import route_table
from .reach import Reach
from .schedule import Week, week_of
from .window import Window

NO_ROUTE = -1  # priority of a type no route offers
_NO_TABLE = ()  # memoised "no route at all" (None would read as not memoised)


class Cohort(NamedTuple):
    """What a kind of search reads of each advisor it reaches, as arrays."""

    advisors: list[Advisor]  # in id order for a pool, in the order named for a joint meeting
    weeks: list[Week]
    ids: np.ndarray  # object array of advisor ids
    shapes: list[Week]  # one week per distinct shape
    shape_ix: np.ndarray  # advisor -> index into shapes
    places: list[tuple]  # distinct weekly locations
    places_ix: np.ndarray  # advisor -> index into places
    cap: np.ndarray  # daily cap in seconds, -1: none
    prio: np.ndarray  # (weekday, type, advisor) -> priority of the best route, NO_ROUTE without one
    open_time: dict  # the open-time stage's cache: day range -> its rows (open_time.py)


def pool_cohort(reach: Reach, types: tuple[str, ...], search: SlotSearch, memo: BankMemo) -> Cohort | None:
    """The reached advisors with some route for these types; None when there is none."""
    cohort = memo.cohort((reach.key, types), lambda: _routed(reach, types, search, memo))
    return cohort if cohort.advisors else None


def joint_cohort(members: list[Advisor], types: tuple[str, ...], memo: BankMemo) -> Cohort:
    """Members of a joint meeting: every type on every weekday, at one priority."""
    table = ((0,) * len(types),) * 7
    return _cohort(members, [table] * len(members), types, memo)


def _routed(reach: Reach, types: tuple[str, ...], search: SlotSearch, memo: BankMemo) -> Cohort:
    advisors: list[Advisor] = []
    tables: list[tuple] = []
    local_location = search.meeting_location or search.customer_location
    # A route table depends on the advisor only through the weekly locations: share it, within
    # this cohort and with the bank's later ones.
    shared: dict[tuple, tuple] = {}
    for r in reach.reached:
        adv = r.advisor
        key = (week_of(adv.workdays).locations, r.explicit, r.local, tuple((sg.id, p) for sg, p in r.groups))
        if key in shared:
            table = shared[key]
        else:
            table = shared[key] = memo.get(
                ("route", types, local_location, *key),
                lambda: route_table(
                    adv, types, explicit_prio=r.explicit, local_prio=r.local, local_location=local_location,
                    groups=r.groups,
                )
                or _NO_TABLE,
            )
        if table is not _NO_TABLE:
            advisors.append(adv)
            tables.append(table)
    return _cohort(advisors, tables, types, memo)


def _cohort(advisors: list[Advisor], tables: list[tuple], types: tuple[str, ...], memo: BankMemo) -> Cohort:
    weeks = [week_of(adv.workdays) for adv in advisors]
    shape_ix, shapes = _distinct([w.shape for w in weeks], weeks)
    places_ix, places = _distinct([w.locations for w in weeks], [w.locations for w in weeks])
    table_ix, unique_tables = _distinct([id(t) for t in tables], tables)
    caps, bank_cap = memo.group_caps, memo.bank.settings.max_seconds_per_day
    cap = [daily_limit(adv, caps, bank_cap) for adv in advisors]
    prio_tables = np.array(
        [[[NO_ROUTE if p is None else p for p in row] for row in t] for t in unique_tables],
        dtype=np.int64,
    ).reshape(len(unique_tables), 7, len(types))
    return Cohort(
        advisors=advisors,
        weeks=weeks,
        ids=objects([adv.id for adv in advisors]),
        shapes=shapes,
        shape_ix=shape_ix,
        places=places,
        places_ix=places_ix,
        cap=np.array([-1 if c is None else c for c in cap], dtype=np.int64),
        prio=np.ascontiguousarray(prio_tables[table_ix].transpose(1, 2, 0)),
        open_time={},
    )


def _distinct(keys: list, values: list) -> tuple[np.ndarray, list]:
    """(for each item the index of its key among the distinct keys, in order of first
    appearance; the value of each distinct key's first item)."""
    seen: dict = {}
    index: list[int] = []
    out: list = []
    for k, v in zip(keys, values):
        i = seen.get(k)
        if i is None:
            i = seen[k] = len(out)
            out.append(v)
        index.append(i)
    return np.array(index, dtype=np.int64), out


class Advisors(NamedTuple):
    """The cohort's advisors who can take a meeting in the window; advisor i is the i-th kept."""

    cohort: Cohort
    kept: np.ndarray  # index into the cohort
    ids: np.ndarray
    earliest: np.ndarray | None  # first start the minimum notice allows; None: no notice applies
    limit: np.ndarray  # daily cap in seconds, -1: none (always for employee-initiated searches)
    prio: np.ndarray  # (weekday, type, advisor), as the cohort's
    places_ix: np.ndarray  # advisor -> index into cohort.places

    def week(self, ai: int) -> Week:
        return self.cohort.weeks[int(self.kept[ai])]


def keep_advisors(
    cohort: Cohort, window: Window, earliest_by_shape: np.ndarray | None, capped: bool
) -> Advisors | None:
    """Leave out advisors whose notice runs past the window, or (`capped`: customer-initiated)
    whose daily cap is shorter than the meeting; None when no one is left."""
    n = len(cohort.advisors)
    keep = np.ones(n, dtype=bool)
    earliest = None
    if earliest_by_shape is not None:
        earliest = earliest_by_shape[cohort.shape_ix]
        keep &= earliest < window.end
    limit = np.full(n, -1, dtype=np.int64)
    if capped:
        keep &= (cohort.cap < 0) | (cohort.cap >= window.duration)
        limit = cohort.cap
    kept = np.flatnonzero(keep)
    if not len(kept):
        return None
    return Advisors(
        cohort=cohort,
        kept=kept,
        ids=cohort.ids[kept],
        earliest=earliest[kept] if earliest is not None else None,
        limit=limit[kept],
        prio=np.ascontiguousarray(cohort.prio[:, :, kept]),
        places_ix=cohort.places_ix[kept],
    )
