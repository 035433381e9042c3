"""Which rooms are free for a held or booked time slot (GET /bookme/room-vacancies)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.auth.tokens import Principal
from meetbook.catalog import convert
from meetbook.catalog import schemas as c
from meetbook.catalog.places import place
from meetbook.catalog.snapshot import SnapshotCache
from meetbook.core.clock import epoch
from meetbook.core.errors import NotFound
from meetbook.tables import catalog as m
from meetbook.tables.calendar import CalendarEntryRow
from meetbook.tables.claims import ClaimRow, HoldRow, room_resource
from meetbook.tables.meetings import BOOKED, MeetingRow


async def room_vacancies(
    session: AsyncSession, cache: SnapshotCache, location: str, time_slot_id: str, who: Principal, now: dt.datetime
) -> list[c.Room]:
    """The bookable rooms at a location free for a live hold or a booked meeting's whole time."""
    bank = await cache.get(session)
    location = place(bank, location, "location")
    hold = await session.get(HoldRow, time_slot_id)
    if hold is not None and hold.expires_at > now and hold.belongs_to(who):
        start, end, own = hold.start, hold.end, ClaimRow.hold_id == hold.id
    else:
        meeting = await session.scalar(select(MeetingRow).where(MeetingRow.time_slot_id == time_slot_id, MeetingRow.status == BOOKED))
        if meeting is None or (not who.is_employee and meeting.customer_id != who.subject):
            raise NotFound(f"time slot '{time_slot_id}' was not found (holds last five minutes)")
        start, end, own = meeting.start, meeting.end, ClaimRow.meeting_id == meeting.id
    lo, hi = epoch(start), epoch(end) + bank.settings.buffer_seconds
    rooms = (await session.scalars(
        select(m.RoomRow).where(m.RoomRow.location == location, m.RoomRow.can_be_booked.is_(True)).order_by(m.RoomRow.name, m.RoomRow.id)
    )).all()
    if not rooms:
        return []
    resources = [room_resource(r.id) for r in rooms]
    taken = set((await session.scalars(
        select(ClaimRow.resource).where(
            ClaimRow.resource.in_(resources), ClaimRow.start_s < hi, ClaimRow.end_s > lo,
            (ClaimRow.expires_s.is_(None)) | (ClaimRow.expires_s > epoch(now)), ~own,
        )
    )).all())
    busy = set((await session.scalars(
        select(CalendarEntryRow.room_id).where(
            CalendarEntryRow.room_id.in_([r.id for r in rooms]), CalendarEntryRow.start_s < hi, CalendarEntryRow.end_s > lo
        )
    )).all())
    return [convert.room_out(r) for r in rooms if room_resource(r.id) not in taken and r.id not in busy]
