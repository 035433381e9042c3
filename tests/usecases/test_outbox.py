"""The outbox: every change of a meeting is an event written in the change's own transaction, and a
change that fails leaves none."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from meetbook.core.errors import Conflict
from meetbook.tables.outbox import EventRow
from tests.usecases.steps import book, cancel, exactly, reserve, search, update

pytestmark = pytest.mark.anyio


async def _events(uc, meeting_id: str) -> list[EventRow]:
    async with uc.uow() as session:
        return list((await session.scalars(select(EventRow).where(EventRow.subject_id == meeting_id).order_by(EventRow.id))).all())


async def test_each_change_is_one_event_with_the_meeting_as_it_reads_then(uc):
    who = uc.customer()
    slots = await search(uc, who)
    meeting = await book(uc, who, await reserve(uc, who, slots[0]))
    await update(uc, who, meeting.id, {"title": "Boligkøb"})
    await update(uc, who, meeting.id, {"title": "Boligkøb"})  # no change: no event
    moved_to = await reserve(uc, who, slots[10], existingMeetingId=meeting.id)
    await update(uc, who, meeting.id, {"timeSlotId": moved_to.id})
    await cancel(uc, who, meeting.id)
    await cancel(uc, who, meeting.id)  # cancelling twice changes nothing

    events = await _events(uc, meeting.id)
    assert [e.kind for e in events] == ["meeting.booked", "meeting.changed", "meeting.rescheduled", "meeting.cancelled"]
    booked, changed, moved, cancelled = events
    assert booked.data["meeting"]["title"] is None and booked.data["sequence"] == 0
    assert changed.data["meeting"]["title"] == "Boligkøb" and changed.data["previous"]["title"] is None
    assert moved.data["previous"]["startDate"] != moved.data["meeting"]["startDate"]
    assert moved.data["meeting"]["timeSlotId"] == moved_to.id
    assert cancelled.data["meeting"]["status"] == "Cancelled"
    sequences = [e.data["sequence"] for e in events]
    assert sequences == sorted(set(sequences))  # every change a higher SEQUENCE for calendars
    assert all(e.planned_at is None for e in events)  # nothing has been sent from inside the changes


async def test_a_refused_change_writes_no_event(uc):
    who = uc.customer()
    slots = await search(uc, who)
    meeting = await book(uc, who, await reserve(uc, who, slots[0]))
    other = await book(uc, who, await reserve(uc, who, slots[5]))
    stolen = await reserve(uc, who, slots[12], existingMeetingId=other.id)
    with exactly(Conflict, "not reserved for moving this meeting"):
        await update(uc, who, meeting.id, {"timeSlotId": stolen.id})
    assert [e.kind for e in await _events(uc, meeting.id)] == ["meeting.booked"]
