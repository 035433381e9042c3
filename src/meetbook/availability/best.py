"""Which offered cells become slots. Best-slot selection (on by default for customer-initiated
searches) keeps one advisor per (start, meeting type): the best priority, then the least booked
time that day, then a stable hash of (date, employee id), then the id. Without it, every
offered cell is a slot.
"""

from __future__ import annotations

import hashlib

import numpy as np

from .localtime import day_date
from .memo import BankMemo
from .model import SlotSearch

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
    integer priority * n + rank, different for every advisor; each start's pick is the offering
    advisor with the lowest key: one masked arg-max per type over a small-integer score, no sort
    per cell.
    """
    n = len(ids)
    rank = _day_ranks(used, ids, len(weekdays), first_day, memo)  # (day, advisor)
    span = (max(int(prio.max()), 0) + 1) * n  # above every key
    small = np.int16 if span < 1 << 15 else np.int32 if span < 1 << 31 else np.int64
    # (day, type, advisor) -> span - key, at least 1: the best candidate scores highest. No
    # route: never offered, so any score will do.
    score = (span - (np.maximum(prio, 0)[weekdays] * n + rank[:, None, :])).astype(small)
    height, ntypes = len(day), len(offered)
    winner = np.empty((height, ntypes), dtype=np.int64)
    picked = np.empty((height, ntypes), dtype=bool)
    every = np.arange(height)
    scored = np.empty((height, n), dtype=small)  # one buffer for every type: fresh pages cost
    for ti, cells in enumerate(offered):
        np.take(score[:, ti], day, axis=0, out=scored, mode="clip")  # (start, advisor); "raise" would buffer
        np.multiply(scored, cells, out=scored)  # 0 where not offered
        best = scored.argmax(axis=1)
        winner[:, ti] = best
        picked[:, ti] = scored[every, best] > 0
    col, ti = np.nonzero(picked)
    return col, ti, winner[col, ti]


def _day_ranks(used: np.ndarray | None, ids: np.ndarray, ndays: int, first_day: int, memo: BankMemo) -> np.ndarray:
    """(day index, advisor) -> the advisor's place that day when ordered by booked seconds, then
    tie_break_hash, then id. Only the order among the advisors offering a start matters; ranking
    everyone keeps it and needs no per-cell work."""
    order = memo.get(("advisor order",), lambda: {aid: k for k, aid in enumerate(sorted(memo.bank.advisors))})
    in_bank = np.array([order[aid] for aid in ids.tolist()], dtype=np.int64)
    # the tie-break's rank among every advisor of the bank, unique per day: ordering by it is
    # ordering by (hash, id)
    tie = np.stack([_day_hash_ranks(first_day + d, order, memo) for d in range(ndays)])[:, in_bank]
    key = tie if used is None else used.T * len(order) + tie
    by = np.argsort(key, axis=1)
    rank = np.empty_like(by)
    np.put_along_axis(rank, by, np.arange(len(ids))[None, :], axis=1)
    return rank


def _day_hash_ranks(n: int, order: dict[str, int], memo: BankMemo) -> np.ndarray:
    """Every advisor's tie-break rank for local day n, in bank order: the same for every search."""

    def make() -> np.ndarray:
        iso = day_date(n).isoformat()
        hashes = np.array([tie_break_hash(iso, aid) for aid in order], dtype=np.uint64)
        ranks = np.empty(len(hashes), dtype=np.int64)
        ranks[np.argsort(hashes, kind="stable")] = np.arange(len(hashes))  # bank order is id order
        return ranks

    return memo.get(("tie ranks", n), make)
