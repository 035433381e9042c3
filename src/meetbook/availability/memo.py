"""What every search of one bank snapshot works out the same way, kept for its later searches:
the competence group tree, service group members and their daily caps, and values keyed by what
they depend on besides the bank (who a kind of search reaches, route tables, schedule time,
tie-break ranks, cohorts).

Keyed by identity and holding the bank (a Bank is not changed once made); the last few banks
only, since a reload replaces the snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .daily_cap import group_caps
from .localtime import DAY, LocalTime
from .model import Bank
from .pools import GroupTree, service_group_members

MEMO_LIMIT = 10_000  # entries of a memo before it starts over
_BANKS_KEPT = 2
_COHORTS_KEPT = 32  # each holds arrays over the advisors it reaches
# Cohorts of a few advisors (a one-slot check's, one advisor's page) are small: many more are kept,
# so that a booking's check finds the cohort its reserve's made.
_SMALL_COHORT = 4
_SMALL_COHORTS_KEPT = 256  # a few kB each; a 30-day search of one advisor adds its open time
# The bank's zone is kept while searches stay near the range it has worked out; a search far
# from it (one that would stretch it past this span) starts a new one, kept in its place.
_ZONE_SPAN = 800 * DAY


class BankMemo:
    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self.tree = GroupTree(bank.competence_groups)
        self.service_group_members = service_group_members(bank, self.tree)
        self.group_caps = group_caps(bank, self.service_group_members)
        self._values: dict[tuple, Any] = {}
        self._cohorts: dict[tuple, Any] = {}  # most recently used last
        self._small_cohorts: dict[tuple, Any] = {}  # as _cohorts, of at most _SMALL_COHORT advisors
        # the zone's offsets and days, worked out once for the bank's searches, not per search
        self._local_time = LocalTime(bank.settings.time_zone)

    def get(self, key: tuple, make: Callable[[], Any]) -> Any:
        """The value for `key`, made on first use."""
        found = self._values.get(key)
        if found is None:
            if len(self._values) >= MEMO_LIMIT:
                self._values.clear()
            found = self._values[key] = make()
        return found

    def local_time(self, lo: int, hi: int) -> LocalTime:
        """The bank's zone for instants in [lo, hi)."""
        if not self._local_time.covered(lo, hi, _ZONE_SPAN):
            self._local_time = LocalTime(self.bank.settings.time_zone)
        return self._local_time

    def cohort(self, key: tuple, make: Callable[[], Any]) -> Any:
        """As `get`, for the few cohorts kept (a value with `advisors`): the least recently used
        goes first."""
        found = self._cohorts.pop(key, None)
        if found is None:
            found = self._small_cohorts.pop(key, None)
        if found is None:
            found = make()
        small = len(found.advisors) <= _SMALL_COHORT
        kept, limit = (self._small_cohorts, _SMALL_COHORTS_KEPT) if small else (self._cohorts, _COHORTS_KEPT)
        kept[key] = found
        while len(kept) > limit:
            kept.pop(next(iter(kept)))
        return found


_BANKS: dict[int, BankMemo] = {}


def bank_memo(bank: Bank) -> BankMemo:
    hit = _BANKS.get(id(bank))
    if hit is not None and hit.bank is bank:
        return hit
    if len(_BANKS) >= _BANKS_KEPT:
        _BANKS.pop(next(iter(_BANKS)))
    memo = _BANKS[id(bank)] = BankMemo(bank)
    return memo
