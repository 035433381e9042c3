"""What the audit trail costs a booking: `python -m bench.audit_cost [--bookings N] [--pg URL]`.

Books N meetings (reserve, then book, in process through the HTTP app) on SQLite and on PostgreSQL,
in alternating rounds with the audit trail's session events attached and detached, and prints the
median booking time of each and the time spent appending to the chain (lock, head read, insert).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from meetbook.app import create_app
from meetbook.auth.tokens import issue_token
from meetbook.bankfile.service import import_bank, parse
from meetbook.core.clock import SystemClock
from meetbook.core.config import Settings
from meetbook.core.db import run_in_transaction
from meetbook.migrate import upgrade
from meetbook.tables import audit

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_LISTENERS = [("after_flush", audit._seen_in_flush), ("do_orm_execute", audit._bulk_statement), ("before_commit", audit._append),
              ("after_rollback", audit._forget)]


def _bank(advisors: int) -> dict:
    ident = lambda name: str(uuid.uuid5(uuid.NAMESPACE_URL, name))  # noqa: E731
    all_day = [{"dayOfWeek": d, "isAvailable": True, "from": "00:00:00", "to": "24:00:00", "location": "Copenhagen",
                "availableMeetingTypes": ["Online"]} for d in DAYS]
    employees = [{"id": ident(f"e{i}"), "firstName": f"A{i}", "lastName": "B", "email": f"a{i}@bank.test", "initials": f"A{i}",
                  "location": "Copenhagen"} for i in range(advisors)]
    return {
        "organizationSettings": {"timeZone": "Europe/Copenhagen"},
        "locations": [{"location": "Copenhagen"}],
        "topics": [{"id": ident("topic"), "name": "Housing", "uniqueTopicId": "housing", "meetingTypes": ["Online"]}],
        "employees": employees,
        "employeeSchedules": [{"employeeId": e["id"], "workdays": all_day} for e in employees],
    }, ident("topic"), [e["id"] for e in employees]


def _attach(on: bool) -> None:
    for name, fn in _LISTENERS:
        if on and not event.contains(Session, name, fn):
            event.listen(Session, name, fn)
        elif not on and event.contains(Session, name, fn):
            event.remove(Session, name, fn)


def measure(url: str, bookings: int) -> dict:
    upgrade(url)
    document, topic, advisors = _bank(8)
    asyncio.run(run_in_transaction(url, lambda s: import_bank(s, parse(document))))
    settings = Settings(environment="development", database_url=url, sweep_interval_seconds=0, dispatch_in_server=False,
                        mail_dir=tempfile.mkdtemp(), rate_limits="")
    appended: list[float] = []
    original = audit._append

    def timed(session):
        started = time.perf_counter()
        original(session)
        appended.append(time.perf_counter() - started)

    times = {True: [], False: []}
    with TestClient(create_app(settings, SystemClock())) as client:
        slots = []
        for advisor in advisors:
            found = client.get("/bookme/time-slots/available", headers=_auth(settings), params={
                "requireEmployeeParticipation": "false", "explicitEmployeeIds": advisor, "meetingTypes": "online",
                "lookForwardTime": "20.00:00:00"}).json()
            slots += found[::2]
        assert len(slots) >= bookings, f"only {len(slots)} slots"
        for i in range(bookings):
            on = (i // 10) % 2 == 0  # rounds of ten, alternating
            _attach(False)
            if on:
                event.listen(Session, "after_flush", audit._seen_in_flush)
                event.listen(Session, "do_orm_execute", audit._bulk_statement)
                event.listen(Session, "before_commit", timed)
                event.listen(Session, "after_rollback", audit._forget)
            headers = _auth(settings)
            slot = slots[i]
            started = time.perf_counter()
            hold = client.post("/bookme/time-slots/reserve", headers=headers, json={"timeSlot": {
                "startDate": slot["startDate"], "endDate": slot["endDate"], "status": "Reserved", "employeeId": slot["employeeId"]},
                "token": str(uuid.uuid4())})
            assert hold.status_code == 200, hold.text
            meeting = client.post("/bookme/meetings", headers=headers, json={
                "bookedBy": "customer", "timeSlotId": hold.json()["id"], "type": "online", "topicId": topic, "employeeId": slot["employeeId"]})
            assert meeting.status_code == 201, meeting.text
            times[on].append(time.perf_counter() - started)
            if on:
                event.remove(Session, "before_commit", timed)
    _attach(True)
    return {"with": statistics.median(times[True]) * 1000, "without": statistics.median(times[False]) * 1000,
            "append_ms": statistics.median(a for a in appended if a > 0) * 1000, "n": bookings}


def _auth(settings: Settings) -> dict:
    return {"Authorization": "Bearer " + issue_token(settings, "customer", f"c-{uuid.uuid4().hex[:8]}")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test", help="an admin URL; a scratch database is made beside it")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        results["SQLite"] = measure(f"sqlite+aiosqlite:///{Path(folder) / 'cost.db'}", args.bookings)
    scratch = f"meetbook_audit_cost_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {scratch}")
    try:
        base = args.pg.rpartition("/")[0].replace("postgresql://", "postgresql+psycopg://")
        results["PostgreSQL"] = measure(f"{base}/{scratch}", args.bookings)
    finally:
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
    print(f"{'database':<12}{'bookings':>9}{'median, audit on':>18}{'median, audit off':>19}{'difference':>12}{'append itself':>15}")
    for name, r in results.items():
        print(f"{name:<12}{r['n']:>9}{r['with']:>15.2f} ms{r['without']:>16.2f} ms{r['with'] - r['without']:>9.2f} ms"
              f"{r['append_ms']:>12.2f} ms")


if __name__ == "__main__":
    main()
