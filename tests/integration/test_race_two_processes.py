"""Many clients racing for the same and for overlapping slots through two server processes, on
PostgreSQL and on the SQLite file: exactly one wins each contested time, nobody gets a 5xx, and
no claims overlap."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, text

from meetbook.core.db import sync_url
from tests import bankdata as b
from tests.conftest import fresh_database

ALL_DAY = [
    {"dayOfWeek": d, "isAvailable": True, "from": "00:00:00", "to": "24:00:00", "location": "Copenhagen", "availableMeetingTypes": ["Physical", "Online"]}
    for d in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["postgresql", "sqlite"])
def race_database(request, tmp_path):
    return fresh_database(request, request.param, tmp_path)


@pytest.fixture
def two_servers(race_database, tmp_path):
    from meetbook.bankfile.service import import_bank, parse
    from meetbook.core.db import make_engine, make_sessionmaker, unit_of_work

    document = b.bank(employeeSchedules=[{"employeeId": e, "workdays": ALL_DAY} for e in (b.ANNA, b.BO, b.CARL)])

    async def load():
        engine = make_engine(race_database)
        async with unit_of_work(make_sessionmaker(engine)) as session:
            await import_bank(session, parse(document))
        await engine.dispose()

    asyncio.run(load())
    env = {**os.environ, "MEETBOOK_DATABASE_URL": race_database, "MEETBOOK_ENVIRONMENT": "development", "MEETBOOK_LOG_LEVEL": "WARNING",
           "MEETBOOK_MAIL_DIR": str(tmp_path / "mail")}
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "meetbook.asgi:app", "--port", str(p), "--log-level", "warning"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        for p in ports
    ]
    try:
        deadline = time.monotonic() + 30
        for port in ports:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        yield [f"http://127.0.0.1:{p}" for p in ports]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)


def _headers():
    from meetbook.auth.tokens import issue_token
    from meetbook.core.config import Settings

    return {"Authorization": "Bearer " + issue_token(Settings(environment="development"), "customer", f"c-{uuid.uuid4().hex[:6]}")}


def _reserve(base: str, slot: dict) -> int:
    body = {"timeSlot": {"startDate": slot["startDate"], "endDate": slot["endDate"], "status": "Reserved", "employeeId": slot["employeeId"]}, "token": str(uuid.uuid4())}
    return httpx.post(f"{base}/bookme/time-slots/reserve", json=body, headers=_headers(), timeout=30).status_code


def _future_slots(base: str, employee_id: str = b.ANNA) -> list[dict]:
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z")
    response = httpx.get(
        f"{base}/bookme/time-slots/available",
        params={"requireEmployeeParticipation": "false", "explicitEmployeeIds": employee_id, "meetingTypes": "online", "startDate": start, "lookForwardTime": "1.00:00:00"},
        headers=_headers(), timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


def _claims_overlap(url: str) -> int:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT count(*) FROM claims a JOIN claims b ON a.resource = b.resource AND a.id < b.id "
                "AND a.start_s < b.end_s AND b.start_s < a.end_s"
            )).scalar_one()
    finally:
        engine.dispose()


def test_forty_clients_one_slot_exactly_one_wins(two_servers, race_database):
    slot = _future_slots(two_servers[0])[0]
    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(lambda i: _reserve(two_servers[i % 2], slot), range(40)))
    assert statuses.count(200) == 1, statuses
    assert statuses.count(409) == 39, statuses
    assert _claims_overlap(race_database) == 0


def test_overlapping_slots_never_both_won(two_servers, race_database):
    slots = _future_slots(two_servers[0])[:4]  # 00:00, 00:30, 01:00, 01:30 local: each overlaps its neighbours
    attempts = [(two_servers[i % 2], slots[i % 4]) for i in range(48)]
    with ThreadPoolExecutor(max_workers=48) as pool:
        statuses = list(pool.map(lambda a: _reserve(*a), attempts))
    assert not [s for s in statuses if s >= 500], statuses
    assert set(statuses) <= {200, 409}
    won = statuses.count(200)
    assert 1 <= won <= 2  # one-hour meetings on a 30-minute grid: at most two of four fit
    assert _claims_overlap(race_database) == 0


def _book(base: str, headers: dict, hold: dict) -> httpx.Response:
    body = {"bookedBy": "customer", "timeSlotId": hold["id"], "type": "online", "topicId": b.T_HOUSING, "employeeId": hold["employeeId"]}
    return httpx.post(f"{base}/bookme/meetings", json=body, headers=headers, timeout=30)


def test_a_reschedule_and_a_new_booking_race_for_one_slot(two_servers, race_database):
    from threading import Barrier

    slots = _future_slots(two_servers[0])
    rounds = 6
    for round_no in range(rounds):
        mover_h, rival_h = _headers(), _headers()
        original, target = slots[round_no * 6], slots[round_no * 6 + 3]  # 1.5 h apart: no overlap
        hold = httpx.post(
            f"{two_servers[0]}/bookme/time-slots/reserve",
            json={"timeSlot": {**{k: original[k] for k in ("startDate", "endDate", "employeeId")}, "status": "Reserved"}, "token": str(uuid.uuid4())},
            headers=mover_h, timeout=30,
        ).json()
        meeting = _book(two_servers[0], mover_h, hold).json()
        barrier = Barrier(2)
        timeslot = {**{k: target[k] for k in ("startDate", "endDate", "employeeId")}, "status": "Reserved"}

        def move():
            barrier.wait()
            r = httpx.post(f"{two_servers[0]}/bookme/time-slots/reserve", json={"timeSlot": timeslot, "token": str(uuid.uuid4()), "existingMeetingId": meeting["id"]}, headers=mover_h, timeout=30)
            if r.status_code != 200:
                return r.status_code
            return httpx.put(f"{two_servers[0]}/bookme/meetings/{meeting['id']}", json={"timeSlotId": r.json()["id"]}, headers=mover_h, timeout=30).status_code

        def rival():
            barrier.wait()
            r = httpx.post(f"{two_servers[1]}/bookme/time-slots/reserve", json={"timeSlot": timeslot, "token": str(uuid.uuid4())}, headers=rival_h, timeout=30)
            if r.status_code != 200:
                return r.status_code
            return _book(two_servers[1], rival_h, r.json()).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            moved, booked = pool.submit(move), pool.submit(rival)
            moved, booked = moved.result(), booked.result()
        assert sorted([moved, booked]) in ([200, 409], [201, 409]), (moved, booked)
        now_meeting = httpx.get(f"{two_servers[0]}/bookme/meetings/{meeting['id']}", headers=mover_h, timeout=30).json()
        if moved == 200:
            assert now_meeting["startDate"] == target["startDate"]
        else:
            assert now_meeting["startDate"] == original["startDate"]  # the loser's meeting is unchanged
    assert _claims_overlap(race_database) == 0


def test_one_customer_racing_through_two_processes_gets_at_most_three_holds(two_servers, race_database):
    customer = _headers()
    # Three advisors (their locks do not serialise the attempts), slots two hours apart.
    by_advisor = [_future_slots(two_servers[0], e)[::4][:6] for e in (b.ANNA, b.BO, b.CARL)]
    slots = [slot for row in zip(*by_advisor) for slot in row]
    body = lambda slot: {  # noqa: E731
        "timeSlot": {**{k: slot[k] for k in ("startDate", "endDate", "employeeId")}, "status": "Reserved"}, "token": str(uuid.uuid4()),
    }
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(
            lambda i: httpx.post(f"{two_servers[i % 2]}/bookme/time-slots/reserve", json=body(slots[i]), headers=customer, timeout=30).status_code,
            range(len(slots)),
        ))
    assert sorted(statuses) == [200] * 3 + [409] * (len(slots) - 3), statuses
