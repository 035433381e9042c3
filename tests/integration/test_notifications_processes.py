"""The outbox across processes: two servers on one database never send a message twice, and
`meetbook worker` delivers for servers that do not."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import uuid

import httpx
import pytest
from sqlalchemy import create_engine, text

from meetbook.core.db import sync_url
from tests import bankdata as b
from tests.conftest import fresh_database
from tests.integration.meetbook_serve import MEETBOOK, meetbook_serve
from tests.integration.test_race_two_processes import ALL_DAY
from tests.smtp_inbox import Inbox


@pytest.fixture(params=["postgresql", "sqlite"])
def shared_database(request, tmp_path):
    from meetbook.bankfile.service import import_bank, parse
    from meetbook.core.db import make_engine, make_sessionmaker, unit_of_work

    url = fresh_database(request, request.param, tmp_path)
    document = b.bank(employeeSchedules=[{"employeeId": e, "workdays": ALL_DAY} for e in (b.ANNA, b.BO, b.CARL)])

    async def load():
        engine = make_engine(url)
        async with unit_of_work(make_sessionmaker(engine)) as session:
            await import_bank(session, parse(document))
        await engine.dispose()

    asyncio.run(load())
    return url


def _headers(subject: str, scope: str = "customer") -> dict[str, str]:
    from meetbook.auth.tokens import issue_token
    from meetbook.core.config import Settings

    return {"Authorization": "Bearer " + issue_token(Settings(environment="development"), scope, subject)}


def _book(base: str, day: int, address: str) -> dict:
    h = _headers(f"customer-{uuid.uuid4().hex[:6]}")
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2 + day)).replace(hour=8, minute=0, second=0, microsecond=0)
    slot = {"startDate": start.isoformat().replace("+00:00", "Z"), "endDate": (start + dt.timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
            "status": "Reserved", "employeeId": b.ANNA}
    hold = httpx.post(f"{base}/bookme/time-slots/reserve", json={"timeSlot": slot, "token": str(uuid.uuid4())}, headers=h, timeout=30)
    assert hold.status_code == 200, hold.text
    meeting = httpx.post(f"{base}/bookme/meetings", headers=h, timeout=30, json={
        "bookedBy": "customer", "timeSlotId": hold.json()["id"], "type": "Physical", "topicId": b.T_HOUSING, "customerEmail": address,
    })
    assert meeting.status_code == 201, meeting.text
    return meeting.json()


def _deliveries(url: str) -> list[tuple]:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            return list(connection.execute(text("SELECT recipient, status, attempts FROM outbox_deliveries WHERE kind <> 'reminder'")))
    finally:
        engine.dispose()


def test_two_servers_never_send_a_message_twice(shared_database, tmp_path):
    with Inbox() as inbox:
        env = {"MEETBOOK_SMTP_URL": inbox.url, "MEETBOOK_MAIL_FROM": "bookings@bank.test", "MEETBOOK_DISPATCH_POLL_SECONDS": "0.2"}
        with meetbook_serve(tmp_path / "a", shared_database, extra_env=env) as first, \
                meetbook_serve(tmp_path / "b", shared_database, extra_env=env) as second:
            meetings = [_book((first, second)[i % 2].url, i, f"customer{i}@example.test") for i in range(8)]
            # Each booking: the customer and the advisor (Anna), and the room when one was added.
            expected = sum(2 + (1 if m["roomId"] else 0) for m in meetings)
            inbox.wait_for(expected, seconds=60)
            received = inbox.wait_for(expected + 1, seconds=2)  # a duplicate would arrive about now
        deliveries = _deliveries(shared_database)

    assert len(received) == expected, [r.message_id for r in received]
    assert len({r.message_id for r in received}) == expected
    assert len(deliveries) == expected
    assert {(status, attempts) for _, status, attempts in deliveries} == {("Sent", 1)}
    for i in range(8):
        assert len(inbox.to(f"customer{i}@example.test")) == 1


def test_meetbook_worker_delivers_for_servers_that_do_not(shared_database, tmp_path):
    with Inbox() as inbox:
        env = {"MEETBOOK_SMTP_URL": inbox.url, "MEETBOOK_MAIL_FROM": "bookings@bank.test", "MEETBOOK_DISPATCH_IN_SERVER": "false"}
        with meetbook_serve(tmp_path / "api", shared_database, extra_env=env) as server:
            _book(server.url, 0, "worker@example.test")
            assert inbox.wait_for(1, seconds=1.5) == []  # the server itself sends nothing
            run = subprocess.run([str(MEETBOOK), "worker", "--once"], env={**server.env, **env}, cwd=tmp_path,
                                 capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        assert "delivery attempt" in run.stdout
        assert len(inbox.to("worker@example.test")) == 1
