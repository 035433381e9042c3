"""meetings.service.book: a live hold becomes a booked meeting, without HTTP."""

from __future__ import annotations

import pytest

from meetbook.core.errors import Conflict, Forbidden, HoldExpired, NotFound, SlotTaken
from meetbook.meetings.service import get_meeting
from meetbook.slots.time_slots import get_time_slot
from tests import bankdata as b
from tests.usecases.steps import book, exactly, reserve, search, starts

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-4000-8000-000000000000"


async def _held(uc, who):
    slot = (await search(uc, who))[0]
    return slot, await reserve(uc, who, slot)


async def test_booking_turns_the_hold_into_a_meeting_no_longer_offered(uc):
    who = uc.customer("c-anna-fan")
    slot, hold = await _held(uc, who)
    meeting = await book(uc, who, hold)
    assert (meeting.status, meeting.time_slot_id, meeting.customer_id, meeting.employee_id) == ("Booked", hold.id, "c-anna-fan", b.ANNA)
    assert (meeting.start_date, meeting.end_date, meeting.type, meeting.topic_id) == (hold.start_date, hold.end_date, "Physical", b.T_HOUSING)
    assert meeting.location == "Copenhagen"  # Anna's workday branch
    assert slot[0] not in starts(await search(uc, uc.customer()))
    assert slot[0] not in starts(await search(uc, uc.employee()))
    async with uc.uow() as session:
        assert (await get_meeting(session, meeting.id, who)).id == meeting.id


async def test_a_hold_cannot_be_booked_after_five_minutes(uc):
    who = uc.customer()
    _slot, hold = await _held(uc, who)
    uc.clock.advance(minutes=5)
    with exactly(HoldExpired, "ran out after five minutes"):
        await book(uc, who, hold)


async def test_another_customers_hold_does_not_exist(uc):
    _slot, hold = await _held(uc, uc.customer())
    with exactly(NotFound, f"time slot '{hold.id}' was not found"):
        await book(uc, uc.customer(), hold)


async def test_a_booked_hold_cannot_be_booked_again(uc):
    who = uc.customer()
    _slot, hold = await _held(uc, who)
    await book(uc, who, hold)
    with exactly(Conflict, "is already booked as a meeting"):
        await book(uc, who, hold)


async def test_an_employee_books_a_hold_for_a_customer(uc):
    clerk = uc.employee()
    _slot, hold = await _held(uc, uc.customer("c-7"))
    meeting = await book(uc, clerk, hold, customerId="c-7")
    assert meeting.customer_id == "c-7"


async def test_a_customer_may_not_book_as_an_employee_or_for_someone_else(uc):
    who = uc.customer()
    _slot, hold = await _held(uc, who)
    with exactly(Forbidden, "only employees can book with bookedBy=employee"):
        await book(uc, who, hold, bookedBy="employee")
    with exactly(Forbidden, "customerId must be the signed-in customer"):
        await book(uc, who, hold, customerId="someone-else")


async def test_the_body_must_agree_with_the_hold(uc):
    who = uc.customer()
    _slot, hold = await _held(uc, who)
    with exactly(Conflict, "employeeId differs from the employee of the held time slot"):
        await book(uc, who, hold, employeeId=b.BO)
    with exactly(NotFound, f"employee '{MISSING}' was not found"):
        await book(uc, who, hold, employeeId=MISSING)
    with exactly(NotFound, f"topic '{MISSING}' was not found"):
        await book(uc, who, hold, topic_id=MISSING)
    # all refused in their own transaction: the hold is still there and bookable
    assert (await book(uc, who, hold)).status == "Booked"


async def test_a_meeting_type_the_topic_does_not_allow_is_taken(uc):
    who = uc.customer()
    _slot, hold = await _held(uc, who)
    with exactly(SlotTaken, "not bookable as a Telephone meeting"):
        await book(uc, who, hold, meeting_type="telephone")  # Housing allows Physical and Online
    async with uc.uow() as session:
        assert (await get_time_slot(session, hold.id, who, uc.now)).status == "Reserved"
