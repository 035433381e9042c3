"""meetings.lifecycle: moving a meeting to a new hold, changing and cancelling it, without HTTP."""

from __future__ import annotations

import pytest

from meetbook.core.errors import Conflict, HoldExpired, Invalid, NotFound
from meetbook.meetings.service import get_meeting
from tests import bankdata as b
from tests.usecases.steps import at, book, cancel, exactly, reserve, search, starts, update

pytestmark = pytest.mark.anyio


async def _meeting(uc, who, index: int = 0):
    slots = await search(uc, who)
    return slots, await book(uc, who, await reserve(uc, who, slots[index]))


async def test_cancelling_offers_the_slot_again_and_is_harmless_twice(uc):
    who = uc.customer()
    slots, meeting = await _meeting(uc, who)
    assert slots[0][0] not in starts(await search(uc, uc.customer()))
    await cancel(uc, who, meeting.id)
    assert slots[0][0] in starts(await search(uc, uc.customer()))
    await cancel(uc, who, meeting.id)
    async with uc.uow() as session:
        assert (await get_meeting(session, meeting.id, who)).status == "Cancelled"


async def test_someone_elses_meeting_is_not_found(uc):
    _slots, meeting = await _meeting(uc, uc.customer())
    stranger = uc.customer()
    with exactly(NotFound, f"meeting '{meeting.id}' was not found"):
        await cancel(uc, stranger, meeting.id)
    with exactly(NotFound, f"meeting '{meeting.id}' was not found"):
        await update(uc, stranger, meeting.id, {"title": "mine now"})
    await cancel(uc, uc.employee(), meeting.id)  # an employee may


async def test_moving_takes_the_new_time_and_frees_the_old(uc):
    who = uc.customer()
    slots, meeting = await _meeting(uc, who)
    new = await reserve(uc, who, slots[10], existingMeetingId=meeting.id)
    moved = await update(uc, who, meeting.id, {"timeSlotId": new.id})
    assert (moved.start_date, moved.time_slot_id, moved.id) == (at(slots[10][0]), new.id, meeting.id)
    offered = starts(await search(uc, uc.customer()))
    assert slots[0][0] in offered and slots[10][0] not in offered


async def test_moving_within_the_meetings_own_time(uc):
    """Half an hour later overlaps the meeting itself: its own time does not block the move."""
    who = uc.customer()
    slots, meeting = await _meeting(uc, who)
    later = (slots[0][0] + 1800, slots[0][1] + 1800, *slots[0][2:])
    new = await reserve(uc, who, later, existingMeetingId=meeting.id)
    assert (await update(uc, who, meeting.id, {"timeSlotId": new.id})).start_date == at(later[0])


async def test_moving_needs_a_hold_reserved_for_this_meeting(uc):
    who = uc.customer()
    slots, meeting = await _meeting(uc, who)
    plain = await reserve(uc, who, slots[10])
    with exactly(Conflict, "not reserved for moving this meeting"):
        await update(uc, who, meeting.id, {"timeSlotId": plain.id})
    async with uc.uow() as session:
        assert (await get_meeting(session, meeting.id, who)).start_date == at(slots[0][0])  # unchanged


async def test_moving_to_an_expired_hold(uc):
    who = uc.customer()
    slots, meeting = await _meeting(uc, who)
    new = await reserve(uc, who, slots[10], existingMeetingId=meeting.id)
    uc.clock.advance(minutes=5)
    with exactly(HoldExpired, "ran out after five minutes"):
        await update(uc, who, meeting.id, {"timeSlotId": new.id})


async def test_moving_to_another_customers_hold_is_not_found(uc):
    who = uc.customer()
    slots, meeting = await _meeting(uc, who)
    theirs = await reserve(uc, uc.customer(), slots[10])
    with exactly(NotFound, f"time slot '{theirs.id}' was not found"):
        await update(uc, who, meeting.id, {"timeSlotId": theirs.id})


async def test_a_cancelled_meeting_no_longer_changes(uc):
    who = uc.customer()
    _slots, meeting = await _meeting(uc, who)
    await cancel(uc, who, meeting.id)
    with exactly(Conflict, "the meeting is cancelled"):
        await update(uc, who, meeting.id, {"title": "too late"})


async def test_only_the_changeable_fields_change(uc):
    who = uc.customer()
    _slots, meeting = await _meeting(uc, who)
    changed = await update(uc, who, meeting.id, {"title": "Mortgage", "customerPhone": "+45 12 34 56 78"})
    assert (changed.title, changed.customer_phone, changed.employee_id) == ("Mortgage", "+45 12 34 56 78", b.ANNA)
    with exactly(Invalid, "cannot change: employeeId") as refused:
        await update(uc, who, meeting.id, {"employeeId": b.BO})
    assert refused.error.errors == [{"field": "employeeId", "message": "not changeable"}]
