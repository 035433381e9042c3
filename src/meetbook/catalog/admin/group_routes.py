"""Configuration API: competence groups and service groups, with their members, trigger and level."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from meetbook.auth.deps import Admin, Employee
from meetbook.catalog import schemas as c
from meetbook.catalog.admin import groups as admin_groups
from meetbook.catalog.admin.endpoints import CONFIG, created, reads, writes
from meetbook.catalog.admin.entity import Entity
from meetbook.catalog.admin.groups import COMPETENCE_GROUPS, SERVICE_GROUPS
from meetbook.core import idempotency
from meetbook.core.http import IdempotencyKey, Session, dump, error_responses, json
from meetbook.core.wire import IdParam

router = APIRouter(tags=[CONFIG])
for _spec in (COMPETENCE_GROUPS, SERVICE_GROUPS):
    reads(router, _spec, _spec.table.name)
    writes(router, _spec)


def _members(spec: Entity) -> None:
    """POST/DELETE {group}/employees/{employeeId}: one direct member at a time."""
    slug = spec.kind.replace(" ", "_")

    @router.post(
        spec.path + "/{id}/employees/{employeeId}", name=f"add_{slug}_member", status_code=201, response_model=spec.schema,
        summary=f"Add an employee to a {spec.kind}", description=f"Answers with the {spec.kind}; already a member is a 409.",
        responses=error_responses(403, 404, 409),
    )
    async def add(request: Request, session: Session, who: Admin, id: IdParam, employeeId: IdParam, _key: IdempotencyKey = None):
        async def produce():
            group = await admin_groups.add_member(session, spec, id, employeeId)
            return created(dump(group), f"{spec.path}/{group.id}/employees/{employeeId}")

        return await idempotency.once(request, session, who.subject, produce)

    @router.delete(
        spec.path + "/{id}/employees/{employeeId}", name=f"remove_{slug}_member", status_code=204,
        summary=f"Remove an employee from a {spec.kind}", responses=error_responses(403, 404),
    )
    async def remove(session: Session, _who: Admin, id: IdParam, employeeId: IdParam):
        await admin_groups.remove_member(session, spec, id, employeeId)
        return Response(status_code=204)


_members(COMPETENCE_GROUPS)
_members(SERVICE_GROUPS)

CG, SG = COMPETENCE_GROUPS.path, SERVICE_GROUPS.path


@router.get(CG + "/{id}/employees", summary="The employees of a competence group", response_model=list[c.Employee],
            responses=error_responses(403, 404))
async def competence_group_employees(
    session: Session, _who: Employee, id: IdParam,
    include_sub_groups: Annotated[bool, Query(alias="includeSubGroups", description="Also members of sub-groups (5 levels)")] = False,
):
    return json([dump(e) for e in await admin_groups.competence_group_members(session, id, include_sub_groups)])


@router.get(SG + "/{id}/advisors", summary="Everyone the service group can hand a meeting to", response_model=list[c.Employee],
            description="Direct members and the members of its competence groups and their sub-groups (read-only).",
            responses=error_responses(403, 404))
async def get_advisors(session: Session, _who: Employee, id: IdParam):
    return json([dump(e) for e in await admin_groups.advisors(session, id)])


@router.put(SG + "/{id}/advisors", summary="Replace the service group's direct members", response_model=list[c.Employee],
            description="Sets `employeeIds`; answers with the resolved advisors as GET does.", responses=error_responses(400, 403, 404))
async def put_advisors(session: Session, _who: Admin, id: IdParam, body: c.Advisors):
    await admin_groups.change(session, SERVICE_GROUPS, id, employee_ids=list(dict.fromkeys(body.employee_ids)))
    return json([dump(e) for e in await admin_groups.advisors(session, id)])


@router.get(SG + "/{id}/service-trigger", summary="When the service group is asked: topics, customer types, customer locations",
            response_model=c.ServiceTrigger, responses=error_responses(403, 404))
async def get_trigger(session: Session, _who: Employee, id: IdParam):
    return json(dump(await admin_groups.get_part(session, id, "service_trigger")))


@router.put(SG + "/{id}/service-trigger", summary="Replace the service group's trigger (an empty list matches anything)",
            response_model=c.ServiceTrigger, responses=error_responses(400, 403, 404))
async def put_trigger(session: Session, _who: Admin, id: IdParam, body: c.ServiceTrigger):
    return json(dump((await admin_groups.change(session, SERVICE_GROUPS, id, service_trigger=body)).service_trigger))


@router.get(SG + "/{id}/service-level", summary="What the service group offers: meeting types, and branches for physical meetings",
            response_model=c.ServiceLevel, responses=error_responses(403, 404))
async def get_level(session: Session, _who: Employee, id: IdParam):
    return json(dump(await admin_groups.get_part(session, id, "service_level")))


@router.put(SG + "/{id}/service-level", summary="Replace the service group's service level (no meeting types: no slots)",
            response_model=c.ServiceLevel, responses=error_responses(400, 403, 404))
async def put_level(session: Session, _who: Admin, id: IdParam, body: c.ServiceLevel):
    return json(dump((await admin_groups.change(session, SERVICE_GROUPS, id, service_level=body)).service_level))

