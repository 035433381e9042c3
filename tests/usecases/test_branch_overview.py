"""catalog.workspace: the branch view and the signed-in employee, over a session, without HTTP."""

from __future__ import annotations

import datetime as dt

import pytest

from meetbook.catalog import workspace
from meetbook.core.errors import NotFound
from tests import bankdata as b
from tests.usecases.steps import book, exactly, reserve, search

pytestmark = pytest.mark.anyio
MONDAY = dt.date(2026, 6, 1)


async def _overview(uc, location: str = "Copenhagen", day: dt.date = MONDAY):
    async with uc.uow() as session:
        return await workspace.branch_overview(session, await uc.cache.get(session), location, day)


async def test_the_week_of_a_branch_with_hours_and_booked_time(uc):
    who = uc.customer()
    await book(uc, who, await reserve(uc, who, (await search(uc, who))[0]))
    overview = await _overview(uc, day=MONDAY + dt.timedelta(days=2))
    assert overview.week_start == MONDAY and overview.closing_days == []
    assert [a.employee.id for a in overview.advisors] == [b.ANNA, b.CARL]
    anna = overview.advisors[0]
    assert anna.problems == [] and anna.can_be_booked
    assert [(d.date.weekday(), d.is_available, d.from_, d.to) for d in anna.days[:1]] == [(0, True, 9 * 60, 12 * 60)]
    assert (anna.days[0].booked, anna.days[0].meetings, anna.days[0].daily_cap) == (3600, 1, None)
    assert sum(d.meetings for d in anna.days[1:]) == 0 and not anna.days[6].is_available
    assert overview.advisors[1].is_only_explicitly_available and overview.advisors[1].problems == []


async def test_aarhus_shows_bo_and_an_unknown_branch_is_not_found(uc):
    assert [a.employee.id for a in (await _overview(uc, "Aarhus")).advisors] == [b.BO]
    with exactly(NotFound, "location 'Atlantis' was not found"):
        await _overview(uc, "Atlantis")


async def test_the_employee_behind_a_token_by_id_or_external_id(uc):
    async with uc.uow() as session:
        assert (await workspace.staff_member(session, uc.employee(b.ANNA))).employee.id == b.ANNA
        assert (await workspace.staff_member(session, uc.admin(b.BO))).is_manager
    with exactly(NotFound, "no employee has the id or externalId 'stranger' (the token's subject)"):
        async with uc.uow() as session:
            await workspace.staff_member(session, uc.employee("stranger"))
