"""After booking: change a meeting's details, move it to another held slot, cancel it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.auth.tokens import Principal
from meetbook.catalog.snapshot import SnapshotCache
from meetbook.catalog.store import get_or_404
from meetbook.core import locks, patching
from meetbook.core.db import refused_as
from meetbook.core.errors import Conflict, HoldExpired, Invalid, NotFound, SlotTaken
from meetbook.meetings.schemas import Meeting, MeetingChanges
from meetbook.meetings.service import claim_additional_employees, get_meeting_row, meeting_out, record_meeting_event
from meetbook.slots.check import SlotCheck, offered_slot
from meetbook.tables import catalog as m
from meetbook.tables.claiming import claims_for
from meetbook.tables.claims import ClaimRow, HoldRow, employee_resource, room_resource, session_lock
from meetbook.tables.meetings import BOOKED, CANCELLED, MeetingRow
from meetbook.tables.outbox import MEETING_CANCELLED, MEETING_CHANGED, MEETING_RESCHEDULED

CHANGEABLE = {
    "title", "description", "videoLink", "additionalEmployees", "timeSlotId", "customerName", "customerEmail", "customerPhone", "language",
}


def _changeable_view(row: MeetingRow) -> dict[str, Any]:
    return {
        "title": row.title,
        "description": row.description,
        "videoLink": row.video_link,
        "additionalEmployees": list(row.additional_employees or []),
        "timeSlotId": row.time_slot_id,
        "customerName": row.customer_name,
        "customerEmail": row.customer_email,
        "customerPhone": row.customer_phone,
        "language": row.language,
    }


def as_patch(body: Any) -> list[dict]:
    """PUT accepts the changed fields as an object (or a patch); PATCH takes a JSON Patch."""
    if isinstance(body, dict) and "op" not in body:
        unknown = set(body) - CHANGEABLE
        if unknown:
            raise Invalid(
                f"cannot change: {', '.join(sorted(unknown))}; changeable: {', '.join(sorted(CHANGEABLE))}",
                [{"field": f, "message": "not changeable"} for f in sorted(unknown)],
            )
        return [{"op": "replace", "path": f"/{key}", "value": value} for key, value in body.items()]
    return patching.operations(body)


async def update_meeting(
    session: AsyncSession, cache: SnapshotCache, meeting_id: str, body: Any, who: Principal, now: dt.datetime, channel: str = "api"
) -> Meeting:
    row = await get_meeting_row(session, meeting_id, who)
    if row.status != BOOKED:
        raise Conflict("the meeting is cancelled and can no longer change")
    before = _changeable_view(row)
    previous = meeting_out(row)
    changes = patching.apply(before, as_patch(body), MeetingChanges, CHANGEABLE)
    after = changes.model_dump(by_alias=True)
    for extra in changes.additional_employees:
        await get_or_404(session, m.EmployeeRow, extra, "employee")
    if after["timeSlotId"] != before["timeSlotId"]:
        if not changes.time_slot_id:
            raise Invalid("timeSlotId cannot be removed", [{"field": "timeSlotId", "message": "required"}])
        await _move(session, cache, row, changes.time_slot_id, who, now)
    if after["timeSlotId"] != before["timeSlotId"] or after["additionalEmployees"] != before["additionalEmployees"]:
        await claim_additional_employees(
            session, await cache.get(session), row, list(changes.additional_employees), replacing=row.additional_employees or (), now=now
        )
    row.title = changes.title
    row.description = changes.description
    row.video_link = changes.video_link
    row.additional_employees = list(changes.additional_employees)
    row.customer_name = changes.customer_name
    row.customer_email = changes.customer_email
    row.customer_phone = changes.customer_phone
    row.language = changes.language
    moved = after["timeSlotId"] != before["timeSlotId"]
    if moved or after != before:
        if not moved:
            row.sequence += 1  # the invitation's details changed: calendars replace their copy
        row.date_modified = now
        record_meeting_event(session, MEETING_RESCHEDULED if moved else MEETING_CHANGED, row, now, who, previous=previous, channel=channel)
    await session.flush()
    return meeting_out(row)


async def _move(session: AsyncSession, cache: SnapshotCache, row: MeetingRow, hold_id: str, who: Principal, now: dt.datetime) -> None:
    """Move the meeting to a hold reserved with existingMeetingId: one transaction, so the
    meeting never has two times or none."""
    hold = await session.get(HoldRow, hold_id)
    if hold is None or not hold.belongs_to(who):
        raise NotFound(f"time slot '{hold_id}' was not found (holds last five minutes)")
    resources = {employee_resource(row.employee_id), employee_resource(hold.employee_id)}
    for room_id in (row.room_id, hold.room_id):
        if room_id:
            resources.add(room_resource(room_id))
    await locks.lock(session, resources, first=[session_lock(hold.subject, hold.token)])
    await session.refresh(hold)
    if hold.existing_meeting_id != row.id:
        raise Conflict("that time slot was not reserved for moving this meeting (reserve it with existingMeetingId)")
    if hold.expires_at <= now:
        raise HoldExpired("the hold on the new time ran out after five minutes; reserve it again")

    bank = await cache.get(session)
    check = SlotCheck(
        hold.employee_id, hold.start, hold.end, room_id=hold.room_id, customer_initiated=not who.is_employee,
        topic_id=row.topic_id, customer_type_id=row.customer_type_id, meeting_type=row.type,
        ignore_hold_ids=(hold.id,), ignore_meeting_ids=(row.id,),
    )
    slot = await offered_slot(session, bank, check, now)
    if slot is None:
        raise SlotTaken(f"the new time is not bookable as a {row.type} meeting with this advisor; search again")

    await session.execute(delete(ClaimRow).where(ClaimRow.meeting_id == row.id))
    await session.execute(delete(ClaimRow).where(ClaimRow.hold_id == hold.id))
    await session.flush()
    resources_now = [employee_resource(hold.employee_id)] + ([room_resource(hold.room_id)] if hold.room_id else [])
    for claim in claims_for(resources_now, hold.start, hold.end, bank.settings.buffer_seconds, meeting_id=row.id):
        session.add(claim)
    row.start, row.end = hold.start, hold.end
    row.employee_id, row.room_id = hold.employee_id, hold.room_id
    if hold.room_id:
        room = await session.get(m.RoomRow, hold.room_id)
        row.location = room.location if room else row.location
    row.time_slot_id = hold.id
    row.sequence += 1  # calendars replace the old copy of the event
    await session.delete(hold)
    async with refused_as(SlotTaken("the new time was taken by someone else at the same moment")):
        await session.flush()


async def cancel_meeting(
    session: AsyncSession, meeting_id: str, who: Principal, now: dt.datetime, reason: str | None = None, channel: str = "api"
) -> None:
    row = await get_meeting_row(session, meeting_id, who)
    if row.status == CANCELLED:
        return  # cancelling twice is harmless
    await locks.lock(session, [employee_resource(row.employee_id)] + ([room_resource(row.room_id)] if row.room_id else []))
    # The advisor and the room are free again at once; the meeting stays readable as cancelled.
    await session.execute(delete(ClaimRow).where(ClaimRow.meeting_id == row.id))
    row.status = CANCELLED
    row.sequence += 1
    row.date_modified = now
    row.cancellation_reason = reason
    row.cancelled_by = who.subject
    record_meeting_event(session, MEETING_CANCELLED, row, now, who, channel=channel)


