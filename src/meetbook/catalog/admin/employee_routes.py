"""Configuration API: employees (create, replace, patch, delete) and their weekly schedules."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response

from meetbook.auth.deps import Admin, Employee
from meetbook.catalog import schemas as c
from meetbook.catalog.admin import crud as admin_crud
from meetbook.catalog.admin import employees as admin_people
from meetbook.catalog.admin.employees import EMPLOYEES
from meetbook.catalog.admin.endpoints import CONFIG, PATCH_BODY, PATCH_TEXT, Patch, created, writes
from meetbook.catalog.schemas import ActualDay, ScheduleBody
from meetbook.catalog.store import organization_settings
from meetbook.core.errors import Invalid
from meetbook.core.http import Now, Session, dump, error_responses, json
from meetbook.core.timefmt import parse_date, parse_instant
from meetbook.core.wire import DateParam, IdParam

router = APIRouter(tags=[CONFIG])
writes(router, EMPLOYEES)


@router.put(
    "/config/employees/{id}", summary="Create or replace an employee",
    description="The whole employee at this id (a UUID): 201 when new, 200 when replaced.",
    response_model=c.Employee,
    responses={**error_responses(400, 403, 404, 409), 201: {"description": "A new employee at this id", "model": c.Employee}},
)
async def put_employee(now: Now, session: Session, _who: Admin, id: IdParam, body: c.Employee):
    employee, new = await admin_crud.replace(session, EMPLOYEES, id, body, now)
    return created(dump(employee), f"{EMPLOYEES.path}/{employee.id}") if new else json(dump(employee))


SCHEDULES = "/bookme/config/employee-schedules"


@router.get(SCHEDULES, summary="List employees' weekly schedules", response_model=list[c.EmployeeSchedule], responses=error_responses(403))
async def list_schedules(session: Session, _who: Employee):
    return json([dump(x) for x in await admin_people.list_schedules(session)])


@router.get(SCHEDULES + "/{employeeId}", summary="Get an employee's weekly schedule", response_model=c.EmployeeSchedule,
            responses=error_responses(403, 404))
async def get_schedule(session: Session, _who: Employee, employeeId: IdParam):
    return json(dump(await admin_people.get_schedule(session, employeeId)))


@router.put(
    SCHEDULES + "/{employeeId}", summary="Create or replace an employee's weekly schedule",
    description="One entry per weekday at most; `from`/`to` are local times in the bank's time zone. "
    "201 when the employee had no schedule, 200 when it was replaced.",
    response_model=c.EmployeeSchedule,
    responses={
        **error_responses(400, 403, 404),
        201: {"description": "The employee had no schedule: created", "model": c.EmployeeSchedule},
    },
)
async def put_schedule(now: Now, session: Session, _who: Admin, employeeId: IdParam, body: ScheduleBody):
    schedule, new = await admin_people.put_schedule(session, employeeId, body, now)
    return created(dump(schedule), f"{SCHEDULES}/{schedule.employee_id}") if new else json(dump(schedule))


@router.patch(SCHEDULES + "/{employeeId}", summary="Change an employee's weekly schedule (JSON Patch)", description=PATCH_TEXT,
              response_model=c.EmployeeSchedule, openapi_extra={"requestBody": PATCH_BODY}, responses=error_responses(400, 403, 404))
async def patch_schedule(now: Now, session: Session, _who: Admin, employeeId: IdParam, body: Patch = None):
    return json(dump(await admin_people.patch_schedule(session, employeeId, body, now)))


@router.delete(SCHEDULES + "/{employeeId}", summary="Delete an employee's weekly schedule (no more bookable hours)", status_code=204,
               responses=error_responses(403, 404))
async def delete_schedule(now: Now, session: Session, _who: Admin, employeeId: IdParam):
    await admin_people.delete_schedule(session, employeeId, now)
    return Response(status_code=204)


async def _local_date(session, name: str, value: str | None) -> dt.date | None:
    """A date (2026-06-01), or a date-time read as its date in the bank's time zone."""
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError:
        pass
    try:
        at = parse_instant(value)
    except ValueError:
        raise Invalid(f"{name}: '{value}' is not a date such as 2026-06-01", [{"field": name, "message": "not a date"}]) from None
    return at.astimezone(ZoneInfo((await organization_settings(session)).time_zone)).date()


@router.get(
    SCHEDULES + "/{employeeId}/actual", summary="An employee's working days resolved to dates",
    description="Per local date (bank time zone, `from` to `to` inclusive, default the next 7 days): whether the employee "
    "works, the hours, the branch (the workday's, else the employee's home location), the meeting types, and whether the "
    "bank is closed. From the weekly schedule and closing days; meetings and calendar time are not subtracted.",
    response_model=list[ActualDay], responses=error_responses(400, 403, 404),
)
async def actual_schedule(
    now: Now, session: Session, _who: Employee, employeeId: IdParam,
    start: Annotated[DateParam | None, Query(alias="from", description="First date, e.g. 2026-06-01 (default today)")] = None,
    end: Annotated[DateParam | None, Query(alias="to", description="Last date, inclusive (default six days after from)")] = None,
):
    days = await admin_people.actual_days(
        session, employeeId, await _local_date(session, "from", start), await _local_date(session, "to", end), now
    )
    return json([dump(d) for d in days])
