"""A time slot by its id, whatever it is (a live hold, a booked meeting's slot, external calendar
time), and what its owner can do with a hold: release it early or change its room."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.auth.tokens import Principal
from meetbook.catalog.snapshot import SnapshotCache
from meetbook.core import locks, patching
from meetbook.core.clock import epoch
from meetbook.core.db import refused_as
from meetbook.core.errors import NotFound, SlotTaken
from meetbook.slots.calendar import entry_out, remove_entry
from meetbook.slots.check import SlotCheck, offered_slot
from meetbook.slots.schemas import HoldChanges, TimeSlot
from meetbook.tables import catalog as m
from meetbook.tables.calendar import CalendarEntryRow
from meetbook.tables.claiming import claims_for
from meetbook.tables.claims import RESERVED, ClaimRow, HoldRow, employee_resource, room_resource
from meetbook.tables.meetings import MeetingRow


def _time_slot(ident: str, start: dt.datetime, end: dt.datetime, status: str, row, **extra) -> TimeSlot:
    """The TimeSlot shape of a hold, a booked meeting's slot or calendar time (`row` has the
    advisor, the room and the dates)."""
    return TimeSlot(
        id=ident, start_date=start, end_date=end, status=status, employee_id=row.employee_id, room_id=row.room_id,
        date_created=row.date_created, date_modified=row.date_modified, **extra,
    )


def hold_out(hold: HoldRow) -> TimeSlot:
    return _time_slot(hold.id, hold.start, hold.end, RESERVED, hold, service_group=hold.service_group, expires_at=hold.expires_at)


async def get_time_slot(session: AsyncSession, ident: str, who: Principal, now: dt.datetime) -> TimeSlot:
    hold = await session.get(HoldRow, ident)
    if hold is not None and hold.expires_at > now and hold.belongs_to(who):
        return hold_out(hold)
    meeting = await session.scalar(select(MeetingRow).where(MeetingRow.time_slot_id == ident))
    if meeting is not None and (who.is_employee or meeting.customer_id == who.subject):
        return _time_slot(ident, meeting.start, meeting.end, meeting.status, meeting)
    entry = await session.get(CalendarEntryRow, ident)
    if entry is not None and who.is_employee:
        return entry_out(entry)
    raise NotFound("time slot '%s' was not found (holds last five minutes)" % ident)


async def release(session: AsyncSession, ident: str, token: str | None, who: Principal) -> None:
    """A customer going back frees their hold at once; only the token's owner may.
    Employees may also remove external calendar time this way."""
    hold = await session.get(HoldRow, ident)
    if hold is not None and (who.is_employee or (hold.belongs_to(who) and hold.token == token)):
        await session.delete(hold)
        return
    if hold is None and who.is_employee:
        if await remove_entry(session, ident):
            return
    raise NotFound("time slot '%s' was not found for this reservation token" % ident)


async def patch_hold(
    session: AsyncSession, cache: SnapshotCache, ident: str, token: str | None, body, who: Principal, now: dt.datetime
) -> TimeSlot:
    """Change a live hold's room or service group (the published PATCH /bookme/time-slots/{id})."""
    hold = await session.get(HoldRow, ident)
    if hold is None or hold.expires_at <= now or not (who.is_employee or (hold.belongs_to(who) and hold.token == token)):
        raise NotFound("time slot '%s' was not found for this reservation token" % ident)
    changes = patching.apply(
        {"serviceGroup": hold.service_group, "roomId": hold.room_id}, body, HoldChanges, {"serviceGroup", "roomId"}
    )
    if changes.room_id != hold.room_id:
        resources = [employee_resource(hold.employee_id)] + [room_resource(r) for r in (hold.room_id, changes.room_id) if r]
        await locks.lock(session, resources)
        if changes.room_id:
            if await session.get(m.RoomRow, changes.room_id) is None:
                raise NotFound.of("room", changes.room_id)
            bank = await cache.get(session)
            check = SlotCheck(hold.employee_id, hold.start, hold.end, room_id=changes.room_id,
                              customer_initiated=not who.is_employee, ignore_hold_ids=(hold.id,))
            offered = await offered_slot(session, bank, check, now)
            if offered is None:
                raise SlotTaken("that room is not free for the held time")
        await session.execute(delete(ClaimRow).where(ClaimRow.hold_id == hold.id, ClaimRow.resource.like("room:%")))
        if changes.room_id:
            buffer = (await cache.get(session)).settings.buffer_seconds
            for claim in claims_for([room_resource(changes.room_id)], hold.start, hold.end, buffer, hold_id=hold.id, expires_s=epoch(hold.expires_at)):
                session.add(claim)
        hold.room_id = changes.room_id
    hold.service_group = changes.service_group
    hold.date_modified = now
    async with refused_as(SlotTaken("that room was taken by someone else at the same moment")):
        await session.flush()
    return hold_out(hold)
