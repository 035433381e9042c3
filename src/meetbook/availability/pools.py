"""Who can take the meeting: qualification, competence and service groups, priorities, routes.

An advisor is *qualified* for a topic and customer type through their own skills or through a
competence group (or its sub-groups, at most MAX_GROUP_DEPTH levels) whose topics and customer
types match; an advisor with no skills and no groups is qualified for everything. A search
without a customer type is for a customer who could be of any type: only advisors and groups not
restricted to some customer types serve it, and only service groups whose trigger names no
customer type count (a restriction to Private Banking must not reach an unknown customer). A
search without a topic is not restricted by topic. A service
group's members are its own and those of its linked competence groups; it counts for a search
when its trigger matches, and its service level limits them to its meeting types (Physical only
at its locations, where the advisor works that day).

Nothing here depends on time. The result for one advisor is a *route table*: for each weekday
and each searched meeting type, the best priority index with which the advisor is offered (lower
is better) or None when no route offers that type that weekday. `reach.py` applies these rules
to a search.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .model import (
    EXPLICIT,
    LOCAL,
    PHYSICAL,
    SERVICE_GROUP,
    Advisor,
    Bank,
    CompetenceGroup,
    ServiceGroup,
    SlotSearch,
)

MAX_GROUP_DEPTH = 5  # competence sub-groups count down to this many levels below a group

RouteTable = tuple[tuple[int | None, ...], ...]  # [weekday][type index] -> priority or None


def topic_lineage(bank: Bank, topic_id: str | None) -> frozenset[str] | None:
    """The topic and all its ancestors; None when the search names no topic."""
    if topic_id is None:
        return None
    seen: list[str] = []
    current: str | None = topic_id
    while current is not None and current not in seen:
        seen.append(current)
        topic = bank.topics.get(current)
        current = topic.parent_id if topic is not None else None
    return frozenset(seen)


def criterion_matches(criterion: frozenset[str], values: frozenset[str] | None) -> bool:
    """An empty criterion is a wildcard; a value the search does not give matches anything."""
    return not criterion or values is None or not criterion.isdisjoint(values)


def _one(value: str | None) -> frozenset[str] | None:
    return None if value is None else frozenset((value,))


def _customer_type(value: str | None) -> frozenset[str]:
    """A search's customer type as criteria see it: none given matches only unrestricted criteria."""
    return frozenset() if value is None else frozenset((value,))


class GroupTree:
    """Competence groups as a forest: parents, children, inherited criteria."""

    def __init__(self, groups: Mapping[str, CompetenceGroup]) -> None:
        self.groups = groups
        self.children: dict[str, list[str]] = {}
        for gid, group in groups.items():
            if group.parent_id is not None and group.parent_id in groups:
                self.children.setdefault(group.parent_id, []).append(gid)
        self.all_members: frozenset[str] = frozenset(
            e for g in groups.values() for e in g.employee_ids
        )

    def subtree(self, gid: str) -> set[str]:
        """The group and its sub-groups down to MAX_GROUP_DEPTH levels below it."""
        found = {gid}
        level = [gid]
        for _ in range(MAX_GROUP_DEPTH):
            level = [c for g in level for c in self.children.get(g, ()) if c not in found]
            if not level:
                break
            found.update(level)
        return found

    def members(self, gids: Iterable[str]) -> set[str]:
        """Direct members of the groups and of their sub-groups."""
        out: set[str] = set()
        for gid in gids:
            if gid in self.groups:
                for sub in self.subtree(gid):
                    out.update(self.groups[sub].employee_ids)
        return out

    def inherited(self, gid: str, attr: str) -> frozenset[str]:
        """The group's own list, else the nearest ancestor's non-empty one, else empty (any)."""
        seen: set[str] = set()
        current: str | None = gid
        while current is not None and current in self.groups and current not in seen:
            seen.add(current)
            value: frozenset[str] = getattr(self.groups[current], attr)
            if value:
                return value
            current = self.groups[current].parent_id
        return frozenset()


def qualified_set(
    bank: Bank, tree: GroupTree, lineage: frozenset[str] | None, customer_type: str | None
) -> frozenset[str]:
    """Ids of advisors qualified for the topic and customer type."""
    ctypes = _customer_type(customer_type)
    via_groups: set[str] = set()
    for gid in bank.competence_groups:
        if criterion_matches(tree.inherited(gid, "topic_ids"), lineage) and criterion_matches(
            tree.inherited(gid, "customer_type_ids"), ctypes
        ):
            via_groups |= tree.members((gid,))
    out = set()
    for aid, adv in bank.advisors.items():
        if aid in via_groups:
            out.add(aid)
            continue
        no_skills = not adv.skill_topic_ids and not adv.skill_customer_type_ids
        if no_skills and aid in tree.all_members:
            continue  # skill-less group members qualify through their groups only
        if criterion_matches(adv.skill_topic_ids, lineage) and criterion_matches(
            adv.skill_customer_type_ids, ctypes
        ):
            out.add(aid)
    return frozenset(out)


def service_group_members(bank: Bank, tree: GroupTree) -> dict[str, frozenset[str]]:
    return {
        sid: frozenset(sg.employee_ids | tree.members(sg.competence_group_ids))
        for sid, sg in bank.service_groups.items()
    }


def triggered(sg: ServiceGroup, lineage: frozenset[str] | None, search: SlotSearch) -> bool:
    return (
        criterion_matches(sg.trigger_topic_ids, lineage)
        and criterion_matches(sg.trigger_customer_type_ids, _customer_type(search.customer_type_id))
        and criterion_matches(sg.trigger_customer_locations, _one(search.customer_location))
    )


class Priorities:
    """Index of the first priority rule each route matches (len(rules) when none does)."""

    def __init__(self, rules: tuple) -> None:
        self.rules = rules
        self.none = len(rules)
        self.explicit = self._first(lambda r: r.type == EXPLICIT)
        self.local = self._first(lambda r: r.type == LOCAL)

    def _first(self, pred) -> int:
        for i, rule in enumerate(self.rules):
            if pred(rule):
                return i
        return self.none

    def service_group(self, sg: ServiceGroup) -> int:
        return self._first(
            lambda r: r.type == SERVICE_GROUP and (r.label is None or r.label in sg.labels)
        )


def route_table(
    advisor: Advisor,
    types: tuple[str, ...],
    *,
    explicit_prio: int | None,
    local_prio: int | None,
    local_location: str | None,
    groups: Sequence[tuple[ServiceGroup, int]],
) -> RouteTable | None:
    """Per weekday, per searched type: the best priority of any route offering it, or None.

    `explicit_prio`/`local_prio` are None when the advisor is not in that pool; `groups` lists
    the triggered service groups the advisor reached, with their priorities.
    """
    nt = len(types)
    rows = []
    anything = False
    for wk in range(7):
        wd = advisor.workdays[wk] if wk < len(advisor.workdays) else None
        location = wd.location if wd is not None else None
        row: list[int | None] = [None] * nt
        best = explicit_prio
        if local_prio is not None and (local_location is None or location == local_location):
            best = local_prio if best is None else min(best, local_prio)
        if best is not None:
            row = [best] * nt
        for sg, prio in groups:
            for ti, mtype in enumerate(types):
                if mtype not in sg.level_meeting_types:
                    continue
                if mtype == PHYSICAL and (location is None or location not in sg.level_locations):
                    continue
                cur = row[ti]
                if cur is None or prio < cur:
                    row[ti] = prio
        if any(p is not None for p in row):
            anything = True
        rows.append(tuple(row))
    return tuple(rows) if anything else None
