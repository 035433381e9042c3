"""The whole-bank read, the narrow read (named advisors and rooms) and a check's read (a row per
claim; searches on PostgreSQL get each resource's claims and entries packed into one value) see
the same claims and calendar time, on both databases."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

from sqlalchemy import insert

from meetbook.availability.model import CALENDAR_STATUSES, CalendarColumns, ClaimColumns
from meetbook.core.clock import epoch
from meetbook.core.db import make_engine, make_sessionmaker, unit_of_work
from meetbook.tables.calendar import CalendarEntryRow
from meetbook.tables.claims import ClaimRow, employee_resource, room_resource
from meetbook.tables.occupancy import load_occupancy, read_before_claiming
from tests import bankdata as b
from tests.integration.helpers import book, reserve, search

ADVISORS = [b.ANNA, b.BO, b.CARL]
ROOMS = [b.ROOM_1, b.ROOM_2]
BASE = epoch(dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
LATER = BASE + 10 * 86400  # the generated claims start here, clear of the holds made over HTTP


def _claims_rows(rng: random.Random) -> list[dict]:
    """Non-overlapping claims per resource (the exclusion constraint), some expired holds' ones."""
    rows = []
    for resource in [employee_resource(a) for a in ADVISORS] + [room_resource(r) for r in ROOMS]:
        t = LATER + rng.randrange(0, 3600)
        for _ in range(rng.randrange(3, 9)):
            length = rng.choice((1800, 3600, 5400))
            rows.append({
                "id": f"c{len(rows)}", "resource": resource, "start_s": t, "end_s": t + length + 900,
                "meeting_seconds": length, "hold_id": None, "meeting_id": None, "expires_s": None,
            })
            t += length + 900 + rng.choice((0, 1800, 86400))
    return rows


def _as_sets(occupancy) -> tuple[dict, dict, dict]:
    def claims(side) -> dict:
        cols = ClaimColumns.of(side)
        found: dict = {}
        for k, o in enumerate(cols.owner.tolist()):
            if cols.owners[o] is not None:
                found.setdefault(cols.owners[o], set()).add(
                    (int(cols.start[k]), int(cols.end[k]), int(cols.meeting_seconds[k])))
        return found

    entries = CalendarColumns.of(occupancy.calendar)
    calendar: dict = {}
    for k, o in enumerate(entries.owner.tolist()):
        calendar.setdefault(entries.owners[o], []).append(
            (int(entries.start[k]), int(entries.end[k]), CALENDAR_STATUSES[entries.status[k]]))
    calendar = {who: sorted(found) for who, found in calendar.items()}
    return claims(occupancy.advisor_claims), claims(occupancy.room_claims), calendar


def test_whole_bank_and_narrow_reads_agree(client, token, load_bank, database_url, clock):
    load_bank(b.bank())
    customer, employee = token(), token("employee")
    # Real holds and a meeting, so their claims carry owners the reads may be told to ignore.
    slots = search(client, customer, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")
    expired = reserve(client, customer, slots[0]).json()
    clock.advance(minutes=6)
    live = reserve(client, customer, slots[4]).json()
    meeting = book(client, customer, reserve(client, customer, slots[8]).json(), b.T_HOUSING).json()
    for start, end, status in (("07:00", "08:00", "Busy"), ("11:00", "13:00", "ExtraOpen")):
        body = {"startDate": f"2026-06-02T{start}:00Z", "endDate": f"2026-06-02T{end}:00Z", "status": status, "employeeId": b.BO}
        assert client.post("/bookme/time-slots", json=body, headers=employee).status_code == 201
    now = epoch(clock.now())

    async def reads():
        engine = make_engine(database_url)
        try:
            async with unit_of_work(make_sessionmaker(engine)) as session:
                await session.execute(insert(ClaimRow.__table__), _claims_rows(random.Random(7)))
                await session.execute(insert(CalendarEntryRow.__table__), [{
                    "id": "room-busy", "employee_id": None, "room_id": b.ROOM_1, "status": "Busy",
                    "start_s": BASE + 25 * 86400, "end_s": BASE + 25 * 86400 + 3600, "date_created": clock.now(), "date_modified": clock.now(),
                }])
            found = []
            for ignore in ({}, {"ignore_meeting_ids": [meeting["id"]]}, {"ignore_hold_ids": [live["id"]]}):
                async with unit_of_work(make_sessionmaker(engine, read_only=True)) as session:
                    lo, hi = BASE - 86400, BASE + 30 * 86400
                    whole = await load_occupancy(session, lo, hi, now, **ignore)
                    narrow = await load_occupancy(session, lo, hi, now, advisor_ids=ADVISORS, room_ids=ROOMS, **ignore)
                    # a check's read: a row per claim and entry (searches on PostgreSQL get them packed)
                    rows = (await read_before_claiming(session, lo, hi, now, advisor_ids=ADVISORS, room_ids=ROOMS, **ignore)).occupancy
                    assert _as_sets(rows) == _as_sets(narrow)
                    found.append((_as_sets(whole), _as_sets(narrow)))
            return found
        finally:
            await engine.dispose()

    (plain, plain_narrow), (no_meeting, no_meeting_narrow), (no_hold, no_hold_narrow) = asyncio.run(reads())
    assert plain == plain_narrow and no_meeting == no_meeting_narrow and no_hold == no_hold_narrow

    advisors, rooms, calendar = plain
    assert set(rooms) == set(ROOMS) and sum(map(len, rooms.values())) >= 6
    anna = advisors[b.ANNA]
    hold_claim = (epoch(dt.datetime.fromisoformat(live["startDate"])),)
    meeting_start = epoch(dt.datetime.fromisoformat(meeting["startDate"]))
    starts = {c[0] for c in anna}
    assert hold_claim[0] in starts and meeting_start in starts
    assert epoch(dt.datetime.fromisoformat(expired["startDate"])) not in starts  # expired holds block no one
    assert meeting_start not in {c[0] for c in no_meeting[0][b.ANNA]} and hold_claim[0] in {c[0] for c in no_meeting[0][b.ANNA]}
    assert hold_claim[0] not in {c[0] for c in no_hold[0][b.ANNA]} and meeting_start in {c[0] for c in no_hold[0][b.ANNA]}
    assert [s for _, _, s in calendar[b.BO]] == ["Busy", "ExtraOpen"]
    assert (BASE + 25 * 86400, BASE + 25 * 86400 + 3600, 0) in rooms[b.ROOM_1]  # a room's busy time blocks it
