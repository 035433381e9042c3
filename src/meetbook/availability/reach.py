"""Who a search reaches, and by which routes.

An advisor is bookable when their schedule allows it (`can_be_booked`); one bookable only by
name (`only_explicit`) is reached only through the Explicit pool. The pools are the search's
`employeeTypes`, by default Explicit when advisors are named, else Local and ServiceGroup:
- Explicit: the named advisors;
- Local: qualified advisors whose workday location equals the meeting location (the meeting's,
  else the customer's; with neither, every qualified advisor);
- ServiceGroup: members of every group whose trigger matches.
Each route carries the priority of the first priority rule it matches (see `pools.Priorities`).

A joint meeting (participation required, advisors named, no `employeeTypes`) is not a pool: every
named bookable advisor must be free at once.

Who a search reaches depends on the bank and a few fields of the search, not on the window, so
the bank's memo keeps it for later searches of the same kind.
"""

from __future__ import annotations

from typing import NamedTuple

from .memo import BankMemo
from .model import EXPLICIT, LOCAL, SERVICE_GROUP, Advisor, Bank, ServiceGroup, SlotSearch
from .pools import Priorities, qualified_set, topic_lineage, triggered
from .schedule import week_of


class Reached(NamedTuple):
    """A bookable advisor some pool reaches, with the priority of each route that reaches them."""

    advisor: Advisor
    explicit: int | None  # through the Explicit pool
    local: int | None  # through the Local pool
    groups: tuple[tuple[ServiceGroup, int], ...]  # through these triggered service groups


class Reach(NamedTuple):
    key: tuple  # what it depends on besides the bank: the kind of search, for later memos
    reached: tuple[Reached, ...]  # in id order

    def advisors(self) -> list[Advisor]:
        return [r.advisor for r in self.reached]


def named(search: SlotSearch) -> tuple[str, ...]:
    """The named advisors, each once, in the order given."""
    return tuple(dict.fromkeys(search.explicit_employee_ids))


def is_joint(search: SlotSearch) -> bool:
    return bool(
        search.require_employee_participation and search.explicit_employee_ids and search.employee_types is None
    )


def joint_members(bank: Bank, explicit_ids: tuple[str, ...]) -> list[Advisor]:
    """The named advisors who are bookable, in the order named."""
    advisors = bank.advisors
    return [advisors[i] for i in explicit_ids if i in advisors and advisors[i].can_be_booked]


def reach_of(search: SlotSearch, memo: BankMemo, explicit_ids: tuple[str, ...]) -> Reach:
    key = (
        "reach", search.employee_types, explicit_ids, search.topic_id, search.customer_type_id,
        search.customer_location, search.meeting_location,
    )
    return memo.get(key, lambda: Reach(key, _reach(search, memo, explicit_ids)))


def _reach(search: SlotSearch, memo: BankMemo, explicit_ids: tuple[str, ...]) -> tuple[Reached, ...]:
    bank = memo.bank
    if search.employee_types is not None:
        pools = search.employee_types
    else:
        pools = frozenset({EXPLICIT}) if explicit_ids else frozenset({LOCAL, SERVICE_GROUP})
    prios = Priorities(tuple(bank.settings.priority_rules))
    lineage = topic_lineage(bank, search.topic_id)
    explicit = set(explicit_ids) if EXPLICIT in pools else set()
    qualified = qualified_set(bank, memo.tree, lineage, search.customer_type_id) if LOCAL in pools else frozenset()
    local_location = search.meeting_location or search.customer_location
    groups = []
    if SERVICE_GROUP in pools:
        for sid in sorted(bank.service_groups):
            sg = bank.service_groups[sid]
            if triggered(sg, lineage, search):
                groups.append((sg, prios.service_group(sg), memo.service_group_members[sid]))
    out: list[Reached] = []
    # with the Explicit pool alone only the named advisors can be reached
    in_play = sorted(bank.advisors) if pools - {EXPLICIT} else sorted(i for i in explicit if i in bank.advisors)
    for aid in in_play:
        adv = bank.advisors[aid]
        if not adv.can_be_booked:
            continue
        e_prio = prios.explicit if aid in explicit else None
        l_prio = None
        reached: tuple[tuple[ServiceGroup, int], ...] = ()
        if not adv.only_explicit:
            # the local route needs the meeting's branch on some weekday
            if aid in qualified and (local_location is None or local_location in week_of(adv.workdays).locations):
                l_prio = prios.local
            reached = tuple((sg, p) for sg, p, members in groups if aid in members)
        if e_prio is not None or l_prio is not None or reached:
            out.append(Reached(adv, e_prio, l_prio, reached))
    return tuple(out)
