"""Competence groups (a tree of skills) and service groups (teams with a trigger and a service level)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.availability import model as a
from meetbook.availability.pools import MAX_GROUP_DEPTH, GroupTree
from meetbook.catalog import convert
from meetbook.catalog import schemas as c
from meetbook.catalog.admin import crud as admin_crud
from meetbook.catalog.admin import entity as e
from meetbook.catalog.store import get_or_404
from meetbook.core.errors import Conflict, NotFound
from meetbook.tables import catalog as m

# --- competence groups -------------------------------------------------------------------------------------


async def _check_competence_group(session: AsyncSession, new: c.CompetenceGroup, old: c.CompetenceGroup | None) -> None:
    if e.changed(old, new, "name"):
        await e.ensure_unique(session, m.CompetenceGroupRow, new.id, f"a competence group named '{new.name}' already exists", name=new.name)
    if e.changed(old, new, "parent_group_id") and new.parent_group_id is not None:
        await e.require(session, m.CompetenceGroupRow, [new.parent_group_id], "competence group", "parentGroupId")
        parents = await e.parents_of(session, m.CompetenceGroupRow, "parent_group_id")
        parents[new.id] = new.parent_group_id
        e.check_tree(parents, new.id, "competence group", "parentGroupId", MAX_GROUP_DEPTH)
    await e.require(session, m.EmployeeRow, e.added(new.employee_ids, old and old.employee_ids), "employee", "employeeIds")
    await e.require(session, m.TopicRow, e.added(new.topic_ids, old and old.topic_ids), "topic", "topicIds")
    await e.require(session, m.CustomerTypeRow, e.added(new.customer_type_ids, old and old.customer_type_ids), "customer type", "customerTypeIds")


async def _competence_group_usages(session: AsyncSession, row: m.CompetenceGroupRow, _now: dt.datetime) -> list[e.Usage]:
    ident = row.id
    return [
        (await e.count_rows(session, m.CompetenceGroupRow, lambda g: g.parent_group_id == ident), "sub-group", "sub-groups"),
        (await e.count_rows(session, m.ServiceGroupRow, lambda g: e.in_list(ident, g.competence_group_ids)), "service group", "service groups"),
    ]


COMPETENCE_GROUPS = e.Entity(
    kind="competence group", table=m.CompetenceGroupRow, schema=c.CompetenceGroup, out=convert.competence_group_out,
    fields=convert.competence_group_fields, path="/bookme/config/competence-groups",
    label=lambda r: f"competence group '{r.name}'", check=_check_competence_group, usages=_competence_group_usages,
)

# --- service groups ------------------------------------------------------------------------------------------


async def _check_service_group(session: AsyncSession, new: c.ServiceGroup, old: c.ServiceGroup | None) -> None:
    if e.changed(old, new, "name"):
        await e.ensure_unique(session, m.ServiceGroupRow, new.id, f"a service group named '{new.name}' already exists", name=new.name)
    trigger = old.service_trigger if old else c.ServiceTrigger()
    await e.require(session, m.EmployeeRow, e.added(new.employee_ids, old and old.employee_ids), "employee", "employeeIds")
    await e.require(session, m.CompetenceGroupRow, e.added(new.competence_group_ids, old and old.competence_group_ids),
                  "competence group", "competenceGroupIds")
    await e.require(session, m.TopicRow, e.added(new.service_trigger.topic_ids, trigger.topic_ids), "topic", "serviceTrigger.topicIds")
    await e.require(session, m.CustomerTypeRow, e.added(new.service_trigger.customer_type_ids, trigger.customer_type_ids),
                  "customer type", "serviceTrigger.customerTypeIds")
    await e.require_locations(session, e.added(new.service_level.locations, old.service_level.locations if old else ()),
                            "serviceLevel.locations")


async def _no_usages(_session: AsyncSession, _row, _now: dt.datetime) -> list[e.Usage]:
    return []  # priority rules name labels, holds name groups as text: nothing points at the row


SERVICE_GROUPS = e.Entity(
    kind="service group", table=m.ServiceGroupRow, schema=c.ServiceGroup, out=convert.service_group_out,
    fields=convert.service_group_fields, path="/bookme/config/service-groups", label=lambda r: f"service group '{r.name}'",
    check=_check_service_group, usages=_no_usages,
)

# --- members ---------------------------------------------------------------------------------------------------


async def change(session: AsyncSession, spec: e.Entity, ident: str, **values) -> BaseModel:
    """Replace some fields of a group, through the same checks as any other write."""
    row = await get_or_404(session, spec.table, ident, spec.kind)
    before = spec.out(row)
    return await admin_crud.update(session, spec, row, before, before.model_copy(update=values))


async def add_member(session: AsyncSession, spec: e.Entity, ident: str, employee_id: str) -> BaseModel:
    group = spec.out(await get_or_404(session, spec.table, ident, spec.kind))
    employee = await get_or_404(session, m.EmployeeRow, employee_id, "employee")
    if employee.id in group.employee_ids:
        raise Conflict(f"employee '{employee.email}' is already a direct member of {spec.kind} '{group.name}'")
    return await change(session, spec, ident, employee_ids=[*group.employee_ids, employee.id])


async def remove_member(session: AsyncSession, spec: e.Entity, ident: str, employee_id: str) -> BaseModel:
    group = spec.out(await get_or_404(session, spec.table, ident, spec.kind))
    if employee_id not in group.employee_ids:
        raise NotFound(f"employee '{employee_id}' is not a direct member of {spec.kind} '{group.name}'")
    return await change(session, spec, ident, employee_ids=[member for member in group.employee_ids if member != employee_id])


async def group_tree(session: AsyncSession) -> GroupTree:
    rows = (await session.scalars(select(m.CompetenceGroupRow))).all()
    return GroupTree({
        g.id: a.CompetenceGroup(id=g.id, parent_id=g.parent_group_id, employee_ids=frozenset(g.employee_ids or ()))
        for g in rows
    })


async def employees(session: AsyncSession, ids: set[str]) -> list[c.Employee]:
    if not ids:
        return []
    rows = (await session.scalars(select(m.EmployeeRow).where(m.EmployeeRow.id.in_(ids)))).all()
    rows = sorted(rows, key=lambda row: ((row.last_name or "").lower(), (row.first_name or "").lower(), row.id))
    return [convert.employee_out(r) for r in rows]


async def competence_group_members(session: AsyncSession, ident: str, sub_groups: bool) -> list[c.Employee]:
    row = await get_or_404(session, m.CompetenceGroupRow, ident, "competence group")
    ids = (await group_tree(session)).members([row.id]) if sub_groups else set(row.employee_ids or ())
    return await employees(session, ids)


async def advisors(session: AsyncSession, ident: str) -> list[c.Employee]:
    """Everyone the service group can hand a meeting to: its direct members and the members of its
    competence groups and their sub-groups (as the slot search resolves them)."""
    row = await get_or_404(session, m.ServiceGroupRow, ident, "service group")
    tree = await group_tree(session)
    return await employees(session, set(row.employee_ids or ()) | tree.members(row.competence_group_ids or ()))


async def get_part(session: AsyncSession, ident: str, part: str) -> BaseModel:
    return getattr(convert.service_group_out(await get_or_404(session, m.ServiceGroupRow, ident, "service group")), part)
