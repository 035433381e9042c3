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
from .model import Bank
from .pools import GroupTree, service_group_members

MEMO_LIMIT = 10_000  # entries of a memo before it starts over
_BANKS_KEPT = 2
_COHORTS_KEPT = 32  # each holds arrays over the advisors it reaches


class BankMemo:
    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self.tree = GroupTree(bank.competence_groups)
        self.service_group_members = service_group_members(bank, self.tree)
        self.group_caps = group_caps(bank, self.service_group_members)
        self._values: dict[tuple, Any] = {}
        self._cohorts: dict[tuple, Any] = {}  # most recently used last

    def get(self, key: tuple, make: Callable[[], Any]) -> Any:
        """The value for `key`, made on first use."""
        found = self._values.get(key)
        if found is None:
            if len(self._values) >= MEMO_LIMIT:
                self._values.clear()
            found = self._values[key] = make()
        return found

    def cohort(self, key: tuple, make: Callable[[], Any]) -> Any:
        """As `get`, for the few cohorts kept: the least recently used goes first."""
        found = self._cohorts.pop(key, None)
        if found is None:
            found = make()
        self._cohorts[key] = found
        while len(self._cohorts) > _COHORTS_KEPT:
            self._cohorts.pop(next(iter(self._cohorts)))
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
