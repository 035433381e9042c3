"""Which offered cells become slots. Best-slot selection (on by default for customer-initiated
searches) keeps one advisor per (start, meeting type): the best priority, then the least booked
time that day, then a stable hash of (date, employee id), then the id. Without it, every
offered cell is a slot.
"""

from __future__ import annotations

import hashlib

import numpy as np

from .cells import rank_within_groups
from .localtime import day_date
from .memo import BankMemo
from .model import SlotSearch

_GREEDY_STEPS = 32  # steps down each cell's key order before the rest are gathered at once
_GATHER_CELLS = 1 << 20  # ... at most this many (cell, advisor) pairs at a time

Picks = tuple[np.ndarray, np.ndarray, np.ndarray]  # start, type, advisor of each slot


def wants_best(search: SlotSearch) -> bool:
    return search.best_slots if search.best_slots is not None else search.customer_initiated


def tie_break_hash(date_iso: str, employee_id: str) -> int:
    """The last tie-break of best-slot selection: lowest wins. Stable across processes."""
    digest = hashlib.blake2b(f"{date_iso}|{employee_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def all_picks(offered: list[np.ndarray]) -> Picks:
    """Every offered cell, in (start, type, advisor) order: advisors are in id order, so that is
    the answer's order with no sort."""
    return np.nonzero(np.stack(offered, axis=1))  # type: ignore[return-value]


def best_picks(
    offered: list[np.ndarray],
    used: np.ndarray | None,
    prio: np.ndarray,
    ids: np.ndarray,
    day: np.ndarray,
    weekdays: np.ndarray,
    first_day: int,
    memo: BankMemo,
) -> Picks:
    """One advisor per offered (start, type), in (start, type) order.

    `prio` is (weekday, type, advisor) -> priority, `used` (advisor, day index) -> booked
    seconds, `day` the day index of each start, `weekdays` the weekday of each day index.
    Within a local day the tie-breaks give every advisor one rank, so a candidate's key is the
    integer priority * n + rank; a day's advisors are sorted by key once per type, and each
    start's pick is the first advisor in that order who offers it.
    """
    n, ndays = len(ids), len(weekdays)
    p_ai, p_day = _offering_days(np.logical_or.reduce(offered), day, ndays)
    booked = used[p_ai, p_day] if used is not None else np.zeros(len(p_ai), np.int64)
    rank = np.full((ndays, n), n, dtype=np.int64)  # offering nothing that day: last
    rank[p_day, p_ai] = rank_within_groups(p_day, booked, _hash_ranks(p_ai, p_day, ids, first_day, memo))
    # (day, type, advisor); no route: never offered, so any key will do
    keys = np.maximum(prio, 0)[weekdays] * n + rank[:, None, :]
    order = np.argsort(keys, axis=2)
    cells = np.stack(offered, axis=1)  # (start, type, advisor)
    col, ti = np.nonzero(cells.any(axis=2))
    cday = day[col]
    winner = np.empty(len(col), dtype=np.int64)
    # Walk down each cell's order a step at a time, for the cells still without a pick: the
    # best advisor is usually free, so a few steps settle almost every cell.
    left = np.arange(len(col))
    for k in range(min(n, _GREEDY_STEPS)):
        if not len(left):
            break
        who = order[cday[left], ti[left], k]
        hit = cells[col[left], ti[left], who]
        winner[left[hit]] = who[hit]
        left = left[~hit]
    # The rest at once: each cell's advisors in key order, the first who offers it.
    for chunk in np.array_split(left, max(1, len(left) * n // _GATHER_CELLS)) if len(left) else ():
        ranked = order[cday[chunk], ti[chunk]]  # (cell, advisor in key order)
        first = cells[col[chunk, None], ti[chunk, None], ranked].argmax(axis=1)
        winner[chunk] = ranked[np.arange(len(chunk)), first]
    return col, ti, winner


def _offering_days(anything: np.ndarray, day: np.ndarray, ndays: int) -> tuple[np.ndarray, np.ndarray]:
    """The (advisor, day index) pairs with at least one offered cell, advisors in order within
    each day."""
    if (day[1:] >= day[:-1]).all():  # starts grouped by day: one reduction per day
        bounds = np.flatnonzero(np.r_[True, day[1:] != day[:-1]])
        k, ai = np.nonzero(np.logical_or.reduceat(anything, bounds, axis=0))
        return ai, day[bounds][k]
    col, ai = np.nonzero(anything)
    pairs = np.unique(ai * ndays + day[col])
    return pairs // ndays, pairs % ndays


def _hash_ranks(ai: np.ndarray, day: np.ndarray, ids: np.ndarray, first_day: int, memo: BankMemo) -> np.ndarray:
    """For each (advisor, day index) pair, the rank of the advisor's tie_break_hash among every
    advisor of the bank that day (equal hashes by id): ordering by it is ordering by (hash, id)."""
    if not len(ai):
        return np.empty(0, dtype=np.int64)
    order = memo.get(("advisor order",), lambda: {aid: k for k, aid in enumerate(sorted(memo.bank.advisors))})
    in_bank = np.array([order[aid] for aid in ids.tolist()], dtype=np.int64)
    days = np.unique(day).tolist()
    table = np.stack([_day_hash_ranks(first_day + d, order, memo) for d in days])  # (day, bank advisor)
    return table[np.searchsorted(np.array(days, dtype=np.int64), day), in_bank[ai]]


def _day_hash_ranks(n: int, order: dict[str, int], memo: BankMemo) -> np.ndarray:
    """Every advisor's tie-break rank for local day n, in bank order: the same for every search."""

    def make() -> np.ndarray:
        iso = day_date(n).isoformat()
        hashes = np.array([tie_break_hash(iso, aid) for aid in order], dtype=np.uint64)
        ranks = np.empty(len(hashes), dtype=np.int64)
        ranks[np.argsort(hashes, kind="stable")] = np.arange(len(hashes))  # bank order is id order
        return ranks

    return memo.get(("tie ranks", n), make)
