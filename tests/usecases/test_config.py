"""catalog.admin_*: the configuration's create, update and delete as use cases, without HTTP, and
what a customer notices of them in the search. (The admin scope is the route's dependency: these
use cases take no principal.)"""

from __future__ import annotations

import datetime as dt

import pytest

from meetbook.catalog import schemas as c
from meetbook.catalog.admin import crud as admin_crud
from meetbook.catalog.admin import employees as admin_people
from meetbook.catalog.admin import settings as admin_settings
from meetbook.catalog.admin.customer_types import CUSTOMER_TYPES
from meetbook.catalog.admin.employees import EMPLOYEES
from meetbook.catalog.admin.rooms import ROOMS
from meetbook.catalog.schemas import ScheduleBody
from meetbook.core.errors import Conflict, Invalid, NotFound
from tests import bankdata as b
from tests.usecases.steps import book, cancel, exactly, reserve, search

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-4000-8000-000000000000"
NEW_ROOM = "3a4e1f7c-0000-4000-8000-000000000001"


async def test_a_room_is_created_read_and_kept_unique_per_branch(uc):
    async with uc.uow() as session:
        room = await admin_crud.create(session, ROOMS, c.Room.model_validate({"id": NEW_ROOM, "name": "Room 3", "location": "Copenhagen"}))
    assert (room.id, room.name, room.can_be_booked) == (NEW_ROOM, "Room 3", True)
    async with uc.uow() as session:
        assert (await admin_crud.get(session, ROOMS, NEW_ROOM)).location == "Copenhagen"
        with exactly(Conflict, "Copenhagen already has a room named 'room 3'"):
            await admin_crud.create(session, ROOMS, c.Room.model_validate({"name": "room 3", "location": "Copenhagen"}))
    async with uc.uow() as session:
        with exactly(NotFound, "location 'Odense' was not found"):
            await admin_crud.create(session, ROOMS, c.Room.model_validate({"name": "Room 9", "location": "Odense"}))
        with exactly(NotFound, "location 'copenhagen' was not found (did you mean 'Copenhagen'?)"):
            await admin_crud.create(session, ROOMS, c.Room.model_validate({"name": "Room 9", "location": "copenhagen"}))


async def test_a_room_with_an_upcoming_meeting_is_not_deleted_until_it_is_cancelled(uc):
    who = uc.customer()
    slot = (await search(uc, who, require_room=True, specific_room_ids=(b.ROOM_1,)))[0]
    assert slot[4] == b.ROOM_1
    meeting = await book(uc, who, await reserve(uc, who, slot))
    async with uc.uow() as session:
        with exactly(Conflict, "room 'Room 1' (Copenhagen) is used by 1 upcoming meeting"):
            await admin_crud.delete(session, ROOMS, b.ROOM_1, uc.now)
    await cancel(uc, who, meeting.id)
    async with uc.uow() as session:
        await admin_crud.delete(session, ROOMS, b.ROOM_1, uc.now)
    async with uc.uow() as session:
        with exactly(NotFound, f"room '{b.ROOM_1}' was not found"):
            await admin_crud.get(session, ROOMS, b.ROOM_1)
    with exactly(NotFound, f"room '{b.ROOM_1}' was not found"):
        await search(uc, who, require_room=True, specific_room_ids=(b.ROOM_1,))


async def test_a_customer_type_is_renamed_and_deleted_only_when_unused(uc):
    async with uc.uow() as session:
        made = await admin_crud.create(session, CUSTOMER_TYPES, c.CustomerType.model_validate({"name": "Student"}))
        renamed = await admin_crud.patch(session, CUSTOMER_TYPES, made.id, [{"op": "replace", "path": "/name", "value": "Youth"}])
    assert (renamed.id, renamed.name) == (made.id, "Youth")
    async with uc.uow() as session:
        with exactly(Conflict, "a customer type named 'private' already exists"):
            await admin_crud.patch(session, CUSTOMER_TYPES, made.id, [{"op": "replace", "path": "/name", "value": "private"}])
    async with uc.uow() as session:
        with exactly(Conflict, "customer type 'Business' is used by 1 topic"):
            await admin_crud.delete(session, CUSTOMER_TYPES, b.CT_BUSINESS, uc.now)
    async with uc.uow() as session:
        await admin_crud.delete(session, CUSTOMER_TYPES, made.id, uc.now)
    async with uc.uow() as session:
        with exactly(NotFound, f"customer type '{made.id}' was not found"):
            await admin_crud.delete(session, CUSTOMER_TYPES, made.id, uc.now)


async def test_a_new_employee_with_a_schedule_is_offered_at_once(uc):
    body = {"firstName": "Dora", "email": "dora@bank.test", "initials": "DD", "location": "Copenhagen"}
    async with uc.uow() as session:
        dora = await admin_crud.create(session, EMPLOYEES, c.Employee.model_validate(body), uc.now)
    with exactly(NotFound, f"employee '{dora.id}' has no schedule yet"):
        async with uc.uow() as session:
            await admin_people.get_schedule(session, dora.id)
    assert await search(uc, uc.customer(), explicit_employee_ids=(dora.id,)) == []
    schedule = ScheduleBody.model_validate({"workdays": b.week("13:00:00", "15:00:00", "Copenhagen", ["Physical"])})
    async with uc.uow() as session:
        _saved, created = await admin_people.put_schedule(session, dora.id, schedule, uc.now)
    assert created
    slots = await search(uc, uc.customer(), explicit_employee_ids=(dora.id,))
    assert len(slots) == 15 and {s[3] for s in slots} == {dora.id}  # 13:00, 13:30, 14:00 on five days


async def test_an_employee_goes_with_their_schedule_unless_a_meeting_refers_to_them(uc):
    who = uc.customer()
    await book(uc, who, await reserve(uc, who, (await search(uc, who))[0]))
    async with uc.uow() as session:
        with exactly(Conflict, "employee 'anna@bank.test' is used by 1 upcoming meeting"):
            await admin_crud.delete(session, EMPLOYEES, b.ANNA, uc.now)
    async with uc.uow() as session:
        await admin_crud.delete(session, EMPLOYEES, b.BO, uc.now)
    async with uc.uow() as session:
        with exactly(NotFound, f"employee '{b.BO}' was not found"):
            await admin_people.get_schedule(session, b.BO)
    with exactly(NotFound, f"employee '{b.BO}' was not found"):
        await search(uc, who, explicit_employee_ids=(b.BO,), meeting_types=frozenset({"Online"}))


async def test_a_schedule_write_names_what_is_wrong(uc):
    week = b.week("09:00:00", "12:00:00", "Copenhagen", ["Physical"])
    async with uc.uow() as session:
        with exactly(NotFound, f"employee '{MISSING}' was not found"):
            await admin_people.put_schedule(session, MISSING, ScheduleBody.model_validate({"workdays": week}), uc.now)
        with exactly(Invalid, "the body's employeeId differs from the one in the path"):
            await admin_people.put_schedule(session, b.ANNA, ScheduleBody.model_validate({"employeeId": b.BO, "workdays": week}), uc.now)
        with exactly(NotFound, "location 'Odense' was not found"):
            await admin_people.patch_schedule(session, b.ANNA, [{"op": "replace", "path": "/workdays/0/location", "value": "Odense"}], uc.now)


async def test_an_advisor_who_cannot_be_booked_is_not_offered(uc):
    async with uc.uow() as session:
        schedule = await admin_people.patch_schedule(session, b.ANNA, [{"op": "replace", "path": "/canBeBooked", "value": False}], uc.now)
    assert schedule.can_be_booked is False
    assert await search(uc, uc.customer()) == []


async def test_a_closing_day_takes_the_whole_day_away(uc):
    monday = dt.date(2026, 6, 1)
    async with uc.uow() as session:
        settings = await admin_settings.add_closing_day(session, monday)
    assert settings.closing_days == [monday]
    slots = await search(uc, uc.customer())
    assert len(slots) == 20 and all(s[0] >= int(dt.datetime(2026, 6, 1, 22, tzinfo=dt.UTC).timestamp()) for s in slots)
    async with uc.uow() as session:
        with exactly(Conflict, "2026-06-01 is already a closing day"):
            await admin_settings.add_closing_day(session, monday)
    async with uc.uow() as session:
        with exactly(NotFound, "2026-06-02 is not a closing day"):
            await admin_settings.remove_closing_day(session, "2026-06-02")
        await admin_settings.remove_closing_day(session, "2026-06-01")
    assert len(await search(uc, uc.customer())) == 25


async def test_settings_that_contradict_themselves_are_invalid(uc):
    async with uc.uow() as session:
        with exactly(Invalid, "closingTime must be later than openingTime"):
            await admin_settings.patch_settings(session, [
                {"op": "add", "path": "/openingTime", "value": "10:00:00"},
                {"op": "add", "path": "/closingTime", "value": "09:00:00"},
            ])
    async with uc.uow() as session:
        saved = await admin_settings.patch_settings(session, [
            {"op": "add", "path": "/openingTime", "value": "10:00:00"},
            {"op": "add", "path": "/closingTime", "value": "11:00:00"},
        ])
    assert (saved.opening_time, saved.closing_time) == (600, 660)
    # customers are offered only what fits in the bank's opening hours: 10:00 local on each day
    assert {(s[0] - 8 * 3600) % 86400 for s in await search(uc, uc.customer())} == {0}
