"""External calendar time: advisors' Busy, ExtraOpen and WorkingFromElsewhere entries,
mirrored in by the systems that sync their calendars."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.catalog.store import get_or_404
from meetbook.core.clock import epoch, from_epoch
from meetbook.core.errors import Conflict, Invalid
from meetbook.slots.schemas import CALENDAR_STATUSES, CreateTimeSlot, TimeSlot
from meetbook.tables import catalog as m
from meetbook.tables.calendar import CalendarEntryRow
from meetbook.tables.claims import RESERVED, HoldRow
from meetbook.tables.meetings import BOOKED, MeetingRow


def entry_out(row: CalendarEntryRow) -> TimeSlot:
    return TimeSlot(
        id=row.id,
        start_date=from_epoch(row.start_s),
        end_date=from_epoch(row.end_s),
        status=row.status,
        employee_id=row.employee_id,
        room_id=row.room_id,
        service_group=row.service_group,
        date_created=row.date_created,
        date_modified=row.date_modified,
    )


async def add_entry(session: AsyncSession, body: CreateTimeSlot, now: dt.datetime) -> TimeSlot:
    status = CALENDAR_STATUSES.get(body.status.lower())
    if status is None:
        raise Invalid(
            f"status '{body.status}' cannot be created here; use Busy, ExtraOpen or WorkingFromElsewhere "
            "(holds are made with POST /bookme/time-slots/reserve)",
            [{"field": "status", "message": "must be Busy, ExtraOpen or WorkingFromElsewhere"}],
        )
    if not body.employee_id and not body.room_id:
        raise Invalid("an employeeId or a roomId is needed", [{"field": "employeeId", "message": "required without roomId"}])
    if body.room_id and status != "Busy":
        raise Invalid("rooms have only Busy time", [{"field": "status", "message": "must be Busy for a room"}])
    if body.employee_id:
        await get_or_404(session, m.EmployeeRow, body.employee_id, "employee")
    if body.room_id:
        await get_or_404(session, m.RoomRow, body.room_id, "room")
    if status == "Busy" and body.employee_id and not body.ignore_time_slot_conflicts:
        clash = await session.scalar(
            select(MeetingRow.id).where(
                MeetingRow.employee_id == body.employee_id,
                MeetingRow.status == BOOKED,
                MeetingRow.start < body.end_date,
                MeetingRow.end > body.start_date,
            )
        )
        if clash:
            raise Conflict(
                f"the advisor has meeting '{clash}' in that time; send ignoreTimeSlotConflicts=true to record it anyway"
            )
    row = CalendarEntryRow(
        employee_id=body.employee_id,
        room_id=body.room_id,
        status=status,
        start_s=epoch(body.start_date),
        end_s=epoch(body.end_date),
        service_group=body.service_group,
        date_created=now,
        date_modified=now,
    )
    session.add(row)
    await session.flush()
    return entry_out(row)


async def list_entries(
    session: AsyncSession, employee_id: str | None, room_id: str | None, start: dt.datetime | None, end: dt.datetime | None
) -> list[TimeSlot]:
    query = select(CalendarEntryRow)
    if employee_id:
        query = query.where(CalendarEntryRow.employee_id == employee_id)
    if room_id:
        query = query.where(CalendarEntryRow.room_id == room_id)
    if start:
        query = query.where(CalendarEntryRow.end_s > epoch(start))
    if end:
        query = query.where(CalendarEntryRow.start_s < epoch(end))
    rows = (await session.scalars(query.order_by(CalendarEntryRow.start_s, CalendarEntryRow.id).limit(5000))).all()
    return [entry_out(r) for r in rows]


async def live_holds(
    session: AsyncSession, employee_id: str | None, room_id: str | None, start: dt.datetime | None, end: dt.datetime | None,
    now: dt.datetime,
) -> list[TimeSlot]:
    """Holds not yet run out, as TimeSlots with status Reserved (who holds them is not shown)."""
    query = select(HoldRow).where(HoldRow.expires_at > now)
    if employee_id:
        query = query.where(HoldRow.employee_id == employee_id)
    if room_id:
        query = query.where(HoldRow.room_id == room_id)
    if start:
        query = query.where(HoldRow.end > start)
    if end:
        query = query.where(HoldRow.start < end)
    rows = (await session.scalars(query.order_by(HoldRow.start, HoldRow.id).limit(5000))).all()
    return [
        TimeSlot(id=r.id, start_date=r.start, end_date=r.end, status=RESERVED, employee_id=r.employee_id, room_id=r.room_id,
                 service_group=r.service_group, date_created=r.date_created, date_modified=r.date_modified,
                 expires_at=r.expires_at)
        for r in rows
    ]


async def remove_entry(session: AsyncSession, ident: str) -> bool:
    row = await session.get(CalendarEntryRow, ident)
    if row is None:
        return False
    await session.delete(row)
    return True


