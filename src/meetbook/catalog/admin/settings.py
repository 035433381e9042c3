"""The bank's own settings, closing days and priority rules, and what a booking form may offer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.availability.model import DEFAULT_PRIORITY_RULES, MEETING_TYPES, PHYSICAL, Advisor, SlotSearch
from meetbook.availability.pools import GroupTree, qualified_set, service_group_members, topic_lineage, triggered
from meetbook.catalog import convert
from meetbook.catalog import schemas as c
from meetbook.catalog.places import place
from meetbook.catalog.snapshot import SnapshotCache
from meetbook.catalog.store import configuration_changed, get_or_404, organization_settings
from meetbook.core import patching
from meetbook.core.errors import Conflict, Invalid, NotFound
from meetbook.tables import catalog as m

# --- organization settings ------------------------------------------------------------------------------


def _check_settings(new: c.OrganizationSettings) -> None:
    if new.opening_time is not None and new.closing_time is not None and new.closing_time <= new.opening_time:
        raise Invalid("closingTime must be later than openingTime", [{"field": "closingTime", "message": "not after openingTime"}])
    if not 60 <= new.default_meeting_duration <= 86400:
        raise Invalid("defaultMeetingDuration must be between 00:01:00 and 1.00:00:00",
                      [{"field": "defaultMeetingDuration", "message": "out of range"}])


async def put_settings(session: AsyncSession, new: c.OrganizationSettings) -> c.OrganizationSettings:
    """Replace every setting; one left out takes its default."""
    _check_settings(new)
    row = await organization_settings(session)
    for key, value in convert.settings_fields(new).items():
        setattr(row, key, value)
    await session.flush()
    await configuration_changed(session)
    return convert.settings_out(row)


async def patch_settings(session: AsyncSession, operations: Any) -> c.OrganizationSettings:
    """RFC 6902 on the settings' wire shape (e.g. replace /openingTime), validated again as a whole."""
    before = convert.settings_out(await organization_settings(session))
    return await put_settings(session, patching.apply(before.model_dump(by_alias=True, mode="json"), operations, c.OrganizationSettings))


async def add_closing_day(session: AsyncSession, day: dt.date) -> c.OrganizationSettings:
    row = await organization_settings(session)
    if day.isoformat() in (row.closing_days or ()):
        raise Conflict(f"{day.isoformat()} is already a closing day")
    row.closing_days = sorted({*(row.closing_days or ()), day.isoformat()})
    await session.flush()
    await configuration_changed(session)
    return convert.settings_out(row)


async def remove_closing_day(session: AsyncSession, day: str) -> c.OrganizationSettings:
    row = await organization_settings(session)
    try:
        key = dt.date.fromisoformat(day).isoformat()
    except ValueError:
        raise Invalid(f"'{day}' is not a date of the form 2026-12-24", [{"field": "date", "message": "not a date"}]) from None
    if key not in (row.closing_days or ()):
        raise NotFound(f"{key} is not a closing day")
    row.closing_days = [d for d in row.closing_days if d != key]
    await session.flush()
    await configuration_changed(session)
    return convert.settings_out(row)


# --- priority rules ---------------------------------------------------------------------------------------


async def get_priority_rules(session: AsyncSession) -> list[c.PriorityRule]:
    rows = (await session.scalars(select(m.PriorityRuleRow).order_by(m.PriorityRuleRow.position))).all()
    if not rows:
        return [c.PriorityRule(type=r.type, label=r.label) for r in DEFAULT_PRIORITY_RULES]
    return [c.PriorityRule(type=r.type, label=r.label) for r in rows]


async def put_priority_rules(session: AsyncSession, rules: list[c.PriorityRule]) -> list[c.PriorityRule]:
    """The whole ordered list: the first level that offers a slot wins."""
    try:
        c.check_priority_rules(rules)
    except ValueError as exc:
        raise Invalid(f"the priority rules are not valid: {exc}", [{"field": "body", "message": str(exc)}]) from None
    await session.execute(delete(m.PriorityRuleRow))
    for position, rule in enumerate(rules):
        session.add(m.PriorityRuleRow(position=position, type=rule.type, label=rule.label))
    await session.flush()
    await configuration_changed(session)
    return await get_priority_rules(session)


# --- allowed options ------------------------------------------------------------------------------------------


def _days(advisor: Advisor):
    return [w for w in advisor.workdays if w is not None and w.is_available]


async def allowed_options(
    session: AsyncSession, cache: SnapshotCache, topic_id: str | None, customer_type_id: str | None, location: str | None
) -> c.AllowedOptions:
    """What a booking form can offer for this topic, customer type and branch, from the weekly
    schedules alone (no dates, meetings or calendar time): a quick answer, not a slot search."""
    bank = await cache.get(session)
    location = location and place(bank, location, "location")
    if topic_id is not None and topic_id not in bank.topics:
        raise NotFound.of("topic", topic_id)
    if customer_type_id is not None:
        await get_or_404(session, m.CustomerTypeRow, customer_type_id, "customer type")
    topic = bank.topics.get(topic_id) if topic_id else None
    offered = set(topic.meeting_types or MEETING_TYPES) if topic else set(MEETING_TYPES)
    if topic and topic.customer_type_ids and customer_type_id and customer_type_id not in topic.customer_type_ids:
        offered = set()  # the topic is not for this customer type
    lineage = topic_lineage(bank, topic_id)
    tree = GroupTree(bank.competence_groups)
    open_to_pools = {i: x for i, x in bank.advisors.items() if x.can_be_booked and not x.only_explicit}

    types: set[str] = set()
    local = False
    for ident in qualified_set(bank, tree, lineage, customer_type_id):
        advisor = open_to_pools.get(ident)
        for day in _days(advisor) if advisor else ():
            if location is None or day.location == location:
                local = True
                types |= day.meeting_types

    service = False
    search = SlotSearch(window_start=0, window_end=0, topic_id=topic_id, customer_type_id=customer_type_id, customer_location=location)
    members = service_group_members(bank, tree)
    for sid, group in bank.service_groups.items():
        reachable = [open_to_pools[i] for i in sorted(members[sid]) if i in open_to_pools]
        if not reachable or not triggered(group, lineage, search):
            continue
        service = True
        for advisor in reachable:
            for day in _days(advisor):
                for kind in day.meeting_types & group.level_meeting_types:
                    at_branch = day.location in group.level_locations and location in (None, day.location)
                    if kind != PHYSICAL or at_branch:
                        types.add(kind)

    pools = ["Explicit"] + (["Local"] if local else []) + (["ServiceGroup"] if service else [])
    return c.AllowedOptions(meeting_types=[t for t in MEETING_TYPES if t in offered & types], employee_types=pools)
