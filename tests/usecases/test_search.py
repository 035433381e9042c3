"""slots.service: the search as a use case (what the customer is offered), without HTTP."""

from __future__ import annotations

import datetime as dt

import pytest

from meetbook.core.errors import Invalid, NotFound
from tests import bankdata as b
from tests.usecases.steps import exactly, search

pytestmark = pytest.mark.anyio

MONDAY_0900_CPH = int(dt.datetime(2026, 6, 1, 7, 0, tzinfo=dt.UTC).timestamp())  # 09:00 in Copenhagen (UTC+2)


async def test_anna_is_offered_on_the_half_hour_grid_inside_her_hours(uc):
    slots = await search(uc, uc.customer())
    monday = [s for s in slots if s[0] < MONDAY_0900_CPH + 86400]
    # 09:00-12:00 local with one-hour meetings: 09:00, 09:30, ..., 11:00
    assert [s[0] - MONDAY_0900_CPH for s in monday] == [0, 1800, 3600, 5400, 7200]
    assert all(s[1] - s[0] == 3600 and s[2] == "Physical" and s[3] == b.ANNA and s[5] == b.T_HOUSING for s in slots)
    assert len(slots) == 25  # Monday to Friday, five a day


async def test_a_topic_sets_the_duration(uc):
    slots = await search(uc, uc.customer(), topic_id=b.T_PURCHASE)
    assert {s[1] - s[0] for s in slots} == {1800}


async def test_carl_is_offered_only_when_named(uc):
    who = uc.customer()
    local = await search(uc, who, require_employee_participation=False, explicit_employee_ids=(),
                         customer_location="Copenhagen")
    assert {s[3] for s in local} == {b.ANNA}
    named = await search(uc, who, explicit_employee_ids=(b.CARL,))
    assert named and {s[3] for s in named} == {b.CARL}


async def test_unknown_topic_and_employee_are_not_found_by_name(uc):
    who = uc.customer()
    missing = "00000000-0000-4000-8000-000000000000"
    with exactly(NotFound, f"topic '{missing}' was not found"):
        await search(uc, who, topic_id=missing)
    with exactly(NotFound, f"employee '{missing}' was not found"):
        await search(uc, who, explicit_employee_ids=(missing,))


async def test_a_window_over_a_year_is_invalid(uc):
    with exactly(Invalid, "lookForwardTime is at most 366 days") as refused:
        await search(uc, uc.customer(), look_forward_seconds=367 * 86400)
    assert refused.error.errors == [{"field": "lookForwardTime", "message": "at most 366.00:00:00"}]


async def test_busy_calendar_time_takes_the_slots_it_overlaps(uc):
    """A bank of one's own: uc.load upserts a bank definition over the test bank, inside the test."""
    await uc.load(b.bank(timeSlots=[
        {"employeeId": b.ANNA, "startDate": "2026-06-01T07:30:00Z", "endDate": "2026-06-01T08:00:00Z", "status": "Busy"},
    ]))
    monday = [s[0] - MONDAY_0900_CPH for s in await search(uc, uc.customer()) if s[0] < MONDAY_0900_CPH + 86400]
    assert monday == [3600, 5400, 7200]  # 10:00, 10:30, 11:00 local: the hours from 09:00 and 09:30 overlap 09:30-10:00
