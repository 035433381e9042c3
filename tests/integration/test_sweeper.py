"""Expired holds are swept away; sweeping is safe to run from several processes at once."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from meetbook.core.db import make_engine, make_sessionmaker, unit_of_work
from meetbook.tables.claiming import prune_past_claims, sweep_expired
from meetbook.tables.claims import ClaimRow, HoldRow
from meetbook.tables.meetings import MeetingRow
from tests import bankdata as b
from tests.integration.helpers import book, reserve, search


def _count(url: str, table) -> int:
    async def work():
        engine = make_engine(url)
        try:
            async with unit_of_work(make_sessionmaker(engine)) as session:
                return await session.scalar(select(func.count()).select_from(table))
        finally:
            await engine.dispose()

    return asyncio.run(work())


def test_sweeping_removes_only_expired_holds(client, token, load_bank, database_url, clock):
    load_bank(b.bank())
    h = token()
    slots = search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")
    reserve(client, h, slots[0])
    clock.advance(minutes=3)
    reserve(client, h, slots[3])
    clock.advance(minutes=3)  # the first hold is six minutes old, the second three

    async def sweep_twice_at_once():
        engine = make_engine(database_url)
        sessions = make_sessionmaker(engine)

        async def one():
            async with unit_of_work(sessions) as session:
                return await sweep_expired(session, clock.now())

        try:
            return await asyncio.gather(one(), one())
        finally:
            await engine.dispose()

    swept = asyncio.run(sweep_twice_at_once())
    assert sum(swept) == 1
    assert _count(database_url, HoldRow) == 1 and _count(database_url, ClaimRow) == 1
    clock.advance(minutes=10)
    assert asyncio.run(sweep_twice_at_once()) in ([1, 0], [0, 1])
    assert _count(database_url, HoldRow) == 0 and _count(database_url, ClaimRow) == 0




def test_past_meetings_claims_are_pruned_and_the_meetings_kept(client, token, load_bank, database_url, clock):
    load_bank(b.bank())
    h = token()
    slot = search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")[0]
    hold = reserve(client, h, slot).json()
    created = book(client, h, hold, b.T_HOUSING)
    assert created.status_code == 201, created.text
    assert _count(database_url, ClaimRow) >= 1

    async def prune():
        engine = make_engine(database_url)
        try:
            async with unit_of_work(make_sessionmaker(engine)) as session:
                return await prune_past_claims(session, clock.now())
        finally:
            await engine.dispose()

    claims = _count(database_url, ClaimRow)
    clock.advance(days=2)  # the meeting is over, but a read may still reach its claims
    assert asyncio.run(prune()) == 0 and _count(database_url, ClaimRow) == claims
    clock.advance(days=2)
    assert asyncio.run(prune()) == claims
    assert _count(database_url, ClaimRow) == 0 and _count(database_url, MeetingRow) == 1
    meeting = client.get(f"/bookme/meetings/{created.json()['id']}", headers=h)
    assert meeting.status_code == 200 and meeting.json()["status"] == "Booked"
