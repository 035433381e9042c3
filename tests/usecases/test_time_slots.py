"""slots.time_slots: a time slot by id and releasing a hold, without HTTP. A hold is its
customer's: to anyone else but an employee it does not exist."""

from __future__ import annotations

import uuid

import pytest

from meetbook.core.errors import NotFound
from meetbook.slots.time_slots import get_time_slot, release
from tests.usecases.steps import book, exactly, reserve, search, starts

pytestmark = pytest.mark.anyio


async def test_a_hold_is_visible_to_its_customer_and_employees_only(uc):
    owner = uc.customer()
    hold = await reserve(uc, owner, (await search(uc, owner))[0])
    async with uc.uow() as session:
        assert (await get_time_slot(session, hold.id, owner, uc.now)).status == "Reserved"
        assert (await get_time_slot(session, hold.id, uc.employee(), uc.now)).id == hold.id
        with exactly(NotFound, f"time slot '{hold.id}' was not found"):
            await get_time_slot(session, hold.id, uc.customer(), uc.now)


async def test_an_expired_hold_is_not_found(uc):
    who = uc.customer()
    hold = await reserve(uc, who, (await search(uc, who))[0])
    uc.clock.advance(minutes=5)
    async with uc.uow() as session:
        with exactly(NotFound, "holds last five minutes"):
            await get_time_slot(session, hold.id, who, uc.now)


async def test_a_booked_slot_reads_as_booked(uc):
    who = uc.customer()
    meeting = await book(uc, who, await reserve(uc, who, (await search(uc, who))[0]))
    async with uc.uow() as session:
        slot = await get_time_slot(session, meeting.time_slot_id, who, uc.now)
    assert (slot.status, slot.start_date, slot.employee_id) == ("Booked", meeting.start_date, meeting.employee_id)


async def test_releasing_needs_the_owner_and_the_token_then_the_slot_is_offered_again(uc):
    who, token = uc.customer(), str(uuid.uuid4())
    slot = (await search(uc, who))[0]
    hold = await reserve(uc, who, slot, token)
    async with uc.uow() as session:
        with exactly(NotFound, f"time slot '{hold.id}' was not found for this reservation token"):
            await release(session, hold.id, str(uuid.uuid4()), who)
    async with uc.uow() as session:
        with exactly(NotFound, "for this reservation token"):
            await release(session, hold.id, token, uc.customer())  # someone else with the same token
    assert slot[0] not in starts(await search(uc, uc.customer()))
    async with uc.uow() as session:
        await release(session, hold.id, token, who)
    assert slot[0] in starts(await search(uc, uc.customer()))
