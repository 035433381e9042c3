"""reservations.service.reserve: holding a slot for five minutes, one hold per session, a limit
per customer, without HTTP."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from meetbook.catalog.admin import crud as admin_crud
from meetbook.catalog.admin import settings as admin_settings
from meetbook.catalog.admin.rooms import ROOMS
from meetbook.core.errors import Conflict, Invalid, NotFound, SlotTaken
from meetbook.slots.time_slots import get_time_slot
from tests import bankdata as b
from tests.usecases.steps import at, exactly, reserve, search, starts

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-4000-8000-000000000000"


async def test_a_hold_is_the_slot_reserved_for_five_minutes(uc):
    who = uc.customer()
    slot = (await search(uc, who))[0]
    hold = await reserve(uc, who, slot)
    assert (hold.status, hold.employee_id, hold.start_date, hold.end_date) == ("Reserved", b.ANNA, at(slot[0]), at(slot[1]))
    assert hold.expires_at == uc.now + dt.timedelta(minutes=5)
    assert hold.date_created == uc.now
    assert slot[0] not in starts(await search(uc, uc.customer()))  # nobody else is offered it


async def test_a_held_slot_is_taken_for_another_customer(uc):
    slot = (await search(uc, uc.customer()))[0]
    await reserve(uc, uc.customer(), slot)
    with exactly(SlotTaken, "not available"):
        await reserve(uc, uc.customer(), slot)


async def test_the_hold_runs_out_after_exactly_five_minutes(uc):
    slot = (await search(uc, uc.customer()))[0]
    await reserve(uc, uc.customer(), slot)
    uc.clock.advance(minutes=4, seconds=59)
    with exactly(SlotTaken):
        await reserve(uc, uc.customer(), slot)
    uc.clock.advance(seconds=1)
    assert (await reserve(uc, uc.customer(), slot)).start_date == at(slot[0])


async def test_a_retry_with_the_same_token_returns_the_same_hold_not_extended(uc):
    who, token = uc.customer(), str(uuid.uuid4())
    slot = (await search(uc, who))[0]
    first = await reserve(uc, who, slot, token)
    uc.clock.advance(minutes=2)
    again = await reserve(uc, who, slot, token)
    assert (again.id, again.expires_at) == (first.id, first.expires_at)


async def test_one_hold_per_session_a_new_slot_frees_the_old_one(uc):
    who, token = uc.customer(), str(uuid.uuid4())
    slots = await search(uc, who)
    old = await reserve(uc, who, slots[0], token)
    new = await reserve(uc, who, slots[4], token)
    assert new.id != old.id and new.start_date == at(slots[4][0])
    async with uc.uow() as session:
        with exactly(NotFound, f"time slot '{old.id}' was not found"):
            await get_time_slot(session, old.id, who, uc.now)
    assert slots[0][0] in starts(await search(uc, uc.customer()))  # offered again


async def test_moving_a_session_to_a_taken_slot_keeps_its_hold(uc):
    who, token = uc.customer(), str(uuid.uuid4())
    slots = await search(uc, who)
    mine = await reserve(uc, who, slots[0], token)
    await reserve(uc, uc.customer(), slots[4])
    with exactly(SlotTaken):
        await reserve(uc, who, slots[4], token)
    async with uc.uow() as session:
        kept = await get_time_slot(session, mine.id, who, uc.now)
    assert kept.start_date == at(slots[0][0])


async def test_a_customer_holds_at_most_max_holds_per_customer(uc):
    async with uc.uow() as session:
        await admin_settings.patch_settings(session, [{"op": "replace", "path": "/maxHoldsPerCustomer", "value": 2}])
    who = uc.customer()
    slots = await search(uc, who)
    await reserve(uc, who, slots[0])
    await reserve(uc, who, slots[5])
    with exactly(Conflict, "you already hold 2 time slots"):
        await reserve(uc, who, slots[10])
    uc.clock.advance(minutes=5)  # expired holds no longer count
    assert (await reserve(uc, who, slots[10])).start_date == at(slots[10][0])


async def test_employees_are_not_held_to_the_customer_limit(uc):
    async with uc.uow() as session:
        await admin_settings.patch_settings(session, [{"op": "replace", "path": "/maxHoldsPerCustomer", "value": 1}])
    clerk = uc.employee()
    slots = await search(uc, clerk)
    held = [await reserve(uc, clerk, slots[i]) for i in (0, 5, 10)]
    assert len({h.id for h in held}) == 3


async def test_unknown_employee_and_room_are_not_found(uc):
    who = uc.customer()
    start, end, kind, _employee, _room, topic = (await search(uc, who))[0]
    with exactly(NotFound, f"employee '{MISSING}' was not found"):
        await reserve(uc, who, (start, end, kind, MISSING, None, topic))
    with exactly(NotFound, f"room '{MISSING}' was not found"):
        await reserve(uc, who, (start, end, kind, b.ANNA, MISSING, topic))


async def test_a_room_that_cannot_be_booked_is_invalid(uc):
    async with uc.uow() as session:
        await admin_crud.patch(session, ROOMS, b.ROOM_2, [{"op": "replace", "path": "/canBeBooked", "value": False}])
    who = uc.customer()
    start, end, kind, employee, _room, topic = (await search(uc, who))[0]
    with exactly(Invalid, "room 'Room 2' cannot be booked") as refused:
        await reserve(uc, who, (start, end, kind, employee, b.ROOM_2, topic))
    assert refused.error.errors == [{"field": "timeSlot.roomId", "message": "this room cannot be booked"}]
    assert (await reserve(uc, who, (start, end, kind, employee, b.ROOM_1, topic))).room_id == b.ROOM_1


async def test_a_slot_outside_the_advisors_hours_is_not_offered(uc):
    who = uc.customer()
    start, end, kind, employee, room, topic = (await search(uc, who))[0]
    with exactly(SlotTaken, "outside the advisor's bookable time"):
        await reserve(uc, who, (start - 3600, end - 3600, kind, employee, room, topic))  # 08:00 local


async def test_moving_someone_elses_meeting_is_not_found(uc):
    from tests.usecases.steps import book

    owner = uc.customer()
    slots = await search(uc, owner)
    meeting = await book(uc, owner, await reserve(uc, owner, slots[0]))
    with exactly(NotFound, f"meeting '{meeting.id}' was not found"):
        await reserve(uc, uc.customer(), slots[10], existingMeetingId=meeting.id)
