"""The write rules of employees and their weekly schedules, and a schedule resolved to dates."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.catalog import convert
from meetbook.catalog import schemas as c
from meetbook.catalog.admin import entity as e
from meetbook.catalog.store import configuration_changed, get_or_404, organization_settings
from meetbook.core.errors import Invalid, NotFound
from meetbook.tables import catalog as m
from meetbook.tables.calendar import CalendarEntryRow
from meetbook.tables.claims import ClaimRow, HoldRow, employee_resource
from meetbook.tables.outbox import EMPLOYEE_CHANGED, record_event

# --- employees --------------------------------------------------------------------------------------------


async def _check_employee(session: AsyncSession, new: c.Employee, old: c.Employee | None) -> None:
    if e.changed(old, new, "email"):
        await e.ensure_unique(session, m.EmployeeRow, new.id, f"an employee with e-mail '{new.email}' already exists", email=new.email)
    if e.changed(old, new, "location") and new.location is not None:
        await e.require_locations(session, [new.location], "location")
    before = old.skills if old is not None else c.Skills()
    await e.require(session, m.TopicRow, e.added(new.skills.topic_ids, before.topic_ids), "topic", "skills.topicIds")
    await e.require(session, m.CustomerTypeRow, e.added(new.skills.customer_type_ids, before.customer_type_ids),
                  "customer type", "skills.customerTypeIds")


async def _employee_usages(session: AsyncSession, row: m.EmployeeRow, now: dt.datetime) -> list[e.Usage]:
    upcoming, other = await e.meetings_of_employee(session, row.id, now)
    return [
        (upcoming, "upcoming meeting", "upcoming meetings"),
        (await e.active_holds(session, HoldRow.employee_id, row.id, now), "active hold", "active holds"),
        (other, "past or cancelled meeting", "past or cancelled meetings"),
    ]


async def _employee_cleanup(session: AsyncSession, row: m.EmployeeRow, now: dt.datetime) -> None:
    """Memberships, the schedule, expired holds and calendar time go with the employee."""
    for table in (m.CompetenceGroupRow, m.ServiceGroupRow):
        for group in (await session.scalars(select(table))).all():
            if row.id in (group.employee_ids or ()):
                group.employee_ids = [member for member in group.employee_ids if member != row.id]
    await session.execute(delete(m.EmployeeScheduleRow).where(m.EmployeeScheduleRow.employee_id == row.id))
    await session.execute(delete(HoldRow).where(HoldRow.employee_id == row.id))  # all expired by now
    await session.execute(delete(ClaimRow).where(ClaimRow.resource == employee_resource(row.id)))
    await session.execute(delete(CalendarEntryRow).where(CalendarEntryRow.employee_id == row.id))


async def _employee_written(session: AsyncSession, employee: c.Employee, deleted: bool, now: dt.datetime) -> None:
    """Integrations hear of it (webhooks' employee.changed): the employee as this API reads it."""
    shown = employee.model_dump(by_alias=True, mode="json")
    record_event(session, EMPLOYEE_CHANGED, employee.id, now, employee=shown, deleted=deleted)


async def _schedule_written(session: AsyncSession, employee_id: str, now: dt.datetime) -> None:
    await _employee_written(session, convert.employee_out(await session.get(m.EmployeeRow, employee_id)), False, now)


EMPLOYEES = e.Entity(
    kind="employee", table=m.EmployeeRow, schema=c.Employee, out=convert.employee_out, fields=convert.employee_fields,
    path="/config/employees", label=lambda r: f"employee '{r.email}'", check=_check_employee, usages=_employee_usages,
    cleanup=_employee_cleanup, written=_employee_written,
    hint=(". Meetings stay on record, so an employee who has had meetings is kept: set canBeBooked to false "
    "in their schedule (/bookme/config/employee-schedules) to stop new bookings"),
)

# --- weekly schedules -------------------------------------------------------------------------------------


async def list_schedules(session: AsyncSession) -> list[c.EmployeeSchedule]:
    rows = (await session.scalars(select(m.EmployeeScheduleRow).order_by(m.EmployeeScheduleRow.employee_id))).all()
    return [convert.schedule_out(r) for r in rows]


async def _schedule_row(session: AsyncSession, employee_id: str) -> m.EmployeeScheduleRow:
    await get_or_404(session, m.EmployeeRow, employee_id, "employee")
    row = await session.get(m.EmployeeScheduleRow, employee_id)
    if row is None:
        raise NotFound(f"employee '{employee_id}' has no schedule yet; PUT one to create it")
    return row


async def get_schedule(session: AsyncSession, employee_id: str) -> c.EmployeeSchedule:
    return convert.schedule_out(await _schedule_row(session, employee_id))


def _locations(schedule: c.EmployeeSchedule | None) -> list[str | None]:
    return [w.location for w in schedule.workdays] if schedule is not None else []


async def _write_schedule(
    session: AsyncSession, row: m.EmployeeScheduleRow, new: c.EmployeeSchedule, old: c.EmployeeSchedule | None, now: dt.datetime
) -> c.EmployeeSchedule:
    await e.require_locations(session, e.added(_locations(new), _locations(old)), "workdays.location")
    for key, value in convert.schedule_fields(new).items():
        setattr(row, key, value)
    await e.flush(session, "employee schedule")
    await configuration_changed(session)
    await _schedule_written(session, row.employee_id, now)
    return convert.schedule_out(row)


async def put_schedule(
    session: AsyncSession, employee_id: str, body: c.ScheduleBody, now: dt.datetime
) -> tuple[c.EmployeeSchedule, bool]:
    """Create or replace the whole weekly schedule. Returns (schedule, created)."""
    employee = await get_or_404(session, m.EmployeeRow, employee_id, "employee")
    if body.employee_id is not None and body.employee_id != employee.id:
        raise Invalid("the body's employeeId differs from the one in the path", [{"field": "employeeId", "message": "must match the path"}])
    new = c.EmployeeSchedule(**{**body.model_dump(), "employee_id": employee.id})
    row = await session.get(m.EmployeeScheduleRow, employee.id)
    created = row is None
    old = None if created else convert.schedule_out(row)
    if created:
        row = m.EmployeeScheduleRow(employee_id=employee.id)
        session.add(row)
    return await _write_schedule(session, row, new, old, now), created


async def patch_schedule(session: AsyncSession, employee_id: str, operations: Any, now: dt.datetime) -> c.EmployeeSchedule:
    row = await _schedule_row(session, employee_id)
    before = convert.schedule_out(row)
    return await _write_schedule(session, row, e.patched(before, operations, c.EmployeeSchedule, key="employee_id"), before, now)


async def delete_schedule(session: AsyncSession, employee_id: str, now: dt.datetime) -> None:
    """Without a schedule the employee has no working hours; booked meetings stay as they are."""
    await session.delete(await _schedule_row(session, employee_id))
    await e.flush(session, "employee schedule")
    await configuration_changed(session)
    await _schedule_written(session, employee_id, now)


MAX_ACTUAL_DAYS = 366


async def actual_days(session: AsyncSession, employee_id: str, start: dt.date | None, end: dt.date | None, now: dt.datetime) -> list[c.ActualDay]:
    """The weekly schedule resolved per local date (bank time zone), with the bank's closing days."""
    employee = await get_or_404(session, m.EmployeeRow, employee_id, "employee")
    settings = await organization_settings(session)
    start = start or now.astimezone(ZoneInfo(settings.time_zone)).date()
    end = end or start + dt.timedelta(days=6)
    if end < start:
        raise Invalid("'to' must not be before 'from'", [{"field": "to", "message": "before from"}])
    if (end - start).days >= MAX_ACTUAL_DAYS:
        raise Invalid(f"at most {MAX_ACTUAL_DAYS} days at a time", [{"field": "to", "message": "range too long"}])
    row = await session.get(m.EmployeeScheduleRow, employee.id)
    week = {w.day_of_week: w for w in (convert.schedule_out(row).workdays if row else [])}
    closed = set(settings.closing_days or ())
    out = []
    for n in range((end - start).days + 1):
        date = start + dt.timedelta(days=n)
        name = c.DAYS[date.weekday()]
        shut = date.isoformat() in closed
        day = week.get(name)
        out.append(
            c.ActualDay(
                date=date,
                day_of_week=name,
                is_available=day is not None and day.is_available and not shut,
                from_=day.from_ if day else None,
                to=day.to if day else None,
                location=(day.location if day else None) or employee.location,
                meeting_types=list(day.available_meeting_types) if day else [],
                is_bank_closed=shut,
            )
        )
    return out
