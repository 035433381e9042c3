"""The whole-bank read, the narrow read (named advisors and rooms) and a check's read (a row per
claim; searches get each resource's claims and entries packed into one value on PostgreSQL,
listed in one text per column on SQLite) see the same claims and calendar time, on both
databases; for random claims too."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from meetbook.availability.model import CALENDAR_STATUSES, CalendarColumns, ClaimColumns
from meetbook.core.clock import epoch
from meetbook.core.db import make_engine, make_sessionmaker, unit_of_work
from meetbook.tables.calendar import CalendarEntryRow
from meetbook.tables.claims import ClaimRow, employee_resource, room_resource
from meetbook.tables.occupancy import WIDEN, load_occupancy, read_before_claiming
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


def _claims_by_owner(side) -> dict[str, list[tuple[int, int, int]]]:
    """One side's claims as (start, end, meeting seconds) per named owner, in stored order."""
    cols = ClaimColumns.of(side)
    found: dict = {}
    for k, o in enumerate(cols.owner.tolist()):
        if cols.owners[o] is not None:
            found.setdefault(cols.owners[o], []).append((int(cols.start[k]), int(cols.end[k]), int(cols.meeting_seconds[k])))
    return found


def _entries_by_owner(calendar_side, status=int) -> dict[str, list[tuple]]:
    """Advisors' calendar entries as sorted (start, end, status(code)) per advisor."""
    entries = CalendarColumns.of(calendar_side)
    found: dict = {}
    for k, o in enumerate(entries.owner.tolist()):
        found.setdefault(entries.owners[o], []).append((int(entries.start[k]), int(entries.end[k]), status(entries.status[k])))
    return {who: sorted(rows) for who, rows in found.items()}


def _as_sets(occupancy) -> tuple[dict, dict, dict]:
    def claims(side) -> dict:
        return {owner: set(rows) for owner, rows in _claims_by_owner(side).items()}

    calendar = _entries_by_owner(occupancy.calendar, CALENDAR_STATUSES.__getitem__)
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


# Random claims and calendar entries: a search's read (packed per resource on PostgreSQL, listed
# per resource on SQLite) finds exactly what a row per claim finds, and what the rows say.

NOW = BASE + 3 * 86400
BASE_TIME = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
LO, HI = BASE + 2 * 86400, BASE + 9 * 86400  # the window; the reads widen it by WIDEN each side
RESOURCES = [employee_resource(a) for a in ADVISORS] + [room_resource(r) for r in ROOMS] + [employee_resource("gone")]
STATUSES = ["Busy", "ExtraOpen", "WorkingFromElsewhere", "Tentative"]  # the last one the engine ignores

# Per resource, back to back with gaps (PostgreSQL refuses overlapping claims): (gap, length,
# meeting seconds, expiry: None for a meeting's claim, else a hold's, maybe expired).
_claim = st.tuples(st.integers(0, 3 * 86400), st.integers(1, 4 * 3600), st.integers(0, 5400),
                   st.one_of(st.none(), st.integers(NOW - 3600, NOW + 3600)))
_claims = st.fixed_dictionaries({r: st.lists(_claim, max_size=12) for r in RESOURCES})
_entry = st.tuples(st.sampled_from(ADVISORS + [None]), st.sampled_from(ROOMS), st.sampled_from(STATUSES),
                   st.integers(LO - WIDEN - 86400, HI + WIDEN + 86400), st.integers(1, 86400))


def _claim_rows(per_resource: dict) -> list[dict]:
    rows = []
    for resource, claims in per_resource.items():
        t = LO - WIDEN - 2 * 86400
        for gap, length, seconds, expires in claims:
            t += gap
            rows.append({"id": f"r{len(rows)}", "resource": resource, "start_s": t, "end_s": t + length,
                         "meeting_seconds": seconds, "hold_id": None, "meeting_id": None, "expires_s": expires})
            t += length
    return rows


def _entry_rows(entries: list) -> list[dict]:
    return [{"id": f"e{k}", "employee_id": who, "room_id": None if who else room, "status": status, "start_s": start,
             "end_s": start + length, "date_created": BASE_TIME, "date_modified": BASE_TIME}
            for k, (who, room, status, start, length) in enumerate(entries)]


def _expected(claims: list[dict], entries: list[dict], advisors, rooms) -> tuple:
    """What the rows say, by hand: live claims and entries overlapping the widened window."""
    lo, hi = LO - WIDEN, HI + WIDEN
    wanted = None if advisors is None else {employee_resource(a) for a in advisors} | {room_resource(r) for r in rooms}
    found: tuple[dict, dict] = ({}, {})
    for c in claims:
        if c["end_s"] > lo and c["start_s"] < hi and (c["expires_s"] is None or c["expires_s"] > NOW):
            if wanted is None or c["resource"] in wanted:
                kind, _, ident = c["resource"].partition(":")
                found[kind == "room"].setdefault(ident, []).append((c["start_s"], c["end_s"], c["meeting_seconds"]))
    calendar: dict = {}
    for e in entries:
        if e["end_s"] > lo and e["start_s"] < hi:
            if e["employee_id"] is not None and (advisors is None or e["employee_id"] in advisors):
                code = STATUSES.index(e["status"]) if e["status"] != "Tentative" else -1
                calendar.setdefault(e["employee_id"], []).append((e["start_s"], e["end_s"], code))
            elif e["employee_id"] is None and e["status"] == "Busy":  # every room's busy time, named or not
                found[1].setdefault(e["room_id"], []).append((e["start_s"], e["end_s"], 0))
    return tuple({k: sorted(v) for k, v in side.items()} for side in (*found, calendar))


def _read(occupancy) -> tuple:
    """An occupancy as (advisors' claims, rooms' claims, advisors' entries with raw status codes)."""
    sides = (_claims_by_owner(occupancy.advisor_claims), _claims_by_owner(occupancy.room_claims), _entries_by_owner(occupancy.calendar))
    return tuple({k: sorted(v) for k, v in side.items()} for side in sides)


def test_search_reads_agree_with_a_row_per_claim_for_random_claims(load_bank, database_url):
    load_bank(b.bank())
    with asyncio.Runner() as runner:
        engine = make_engine(database_url)
        try:
            @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
            @given(_claims, st.lists(_entry, max_size=15), st.sets(st.sampled_from(ADVISORS)), st.sets(st.sampled_from(ROOMS)))
            def agree(per_resource, entries, advisors, rooms):
                claims, calendar = _claim_rows(per_resource), _entry_rows(entries)
                runner.run(_check(engine, claims, calendar, sorted(advisors), sorted(rooms)))

            agree()
        finally:
            runner.run(engine.dispose())


async def _check(engine, claims: list[dict], calendar: list[dict], advisors: list[str], rooms: list[str]) -> None:
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await session.execute(ClaimRow.__table__.delete())
        await session.execute(CalendarEntryRow.__table__.delete())
        if claims:
            await session.execute(insert(ClaimRow.__table__), claims)
        if calendar:
            await session.execute(insert(CalendarEntryRow.__table__), calendar)
    async with unit_of_work(make_sessionmaker(engine, read_only=True)) as session:
        whole = _read(await load_occupancy(session, LO, HI, NOW))
        named = _read(await load_occupancy(session, LO, HI, NOW, advisor_ids=advisors, room_ids=rooms))
        rows = _read((await read_before_claiming(session, LO, HI, NOW, advisor_ids=advisors, room_ids=rooms)).occupancy)
    assert whole == _expected(claims, calendar, None, ())
    assert named == rows == _expected(claims, calendar, advisors, rooms)


def test_a_named_read_finds_names_with_quotes_backslashes_and_commas(load_bank, database_url):
    """The names a read asks for reach the database as one array literal (tables.occupancy): any
    character a name may hold is quoted, so each name is found as itself and only itself."""
    load_bank(b.bank())
    odd = ['we"ird', "back\\slash", "a,b", "{braces}", "NULL", " spaced ", "plain"]
    claims = [{"id": f"q{k}", "resource": employee_resource(name), "start_s": LO + k * 3600, "end_s": LO + k * 3600 + 1800,
               "meeting_seconds": 1800, "hold_id": None, "meeting_id": None, "expires_s": None} for k, name in enumerate(odd)]
    claims.append({**claims[-1], "id": "q-other", "resource": employee_resource("a"), "start_s": LO, "end_s": LO + 60})
    wanted = odd[:-1]  # not "plain", nor "a" (a piece of "a,b")

    async def read():
        engine = make_engine(database_url)
        try:
            await _check(engine, claims, [], [], [])  # stores the claims (and checks the reads agree)
            async with unit_of_work(make_sessionmaker(engine, read_only=True)) as session:
                return _read(await load_occupancy(session, LO, HI, NOW, advisor_ids=wanted))
        finally:
            await engine.dispose()

    advisors, _, _ = asyncio.run(read())
    assert advisors == {name: [(LO + k * 3600, LO + k * 3600 + 1800, 1800)] for k, name in enumerate(odd) if name in wanted}
