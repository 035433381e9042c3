"""Retention periods applied by the sweeper at the injected clock's time, and a customer's erasure:
personal data out of meetings and the outbox, statistics kept, both in the audit trail, which still verifies."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select

from meetbook.app import retention_round
from meetbook.core.db import make_engine, make_sessionmaker, unit_of_work
from meetbook.tables.calendar import CalendarEntryRow
from meetbook.tables.claims import HoldRow
from meetbook.tables.meetings import MeetingRow
from meetbook.tables.outbox import DeliveryRow, EventRow
from tests import bankdata as b
from tests.integration.helpers import book, reserve, search
from tests.integration.test_audit import PERSONAL, _log


def _rows(url: str, query):
    async def work():
        engine = make_engine(url)
        try:
            async with unit_of_work(make_sessionmaker(engine)) as session:
                return (await session.execute(query)).all()
        finally:
            await engine.dispose()

    return asyncio.run(work())


def _book(client, headers, slot, **extra) -> dict:
    hold = reserve(client, headers, slot)
    assert hold.status_code == 200, hold.text
    meeting = book(client, headers, hold.json(), b.T_HOUSING, **extra)
    assert meeting.status_code == 201, meeting.text
    return meeting.json()


def _dispatch(client) -> None:
    client.portal.call(client.app.state.dispatcher.run_until_idle)


def _every_personal_value(url: str) -> str:
    """Everything stored about meetings and messages, as one text to search."""
    meetings = _rows(url, select(MeetingRow))
    events = _rows(url, select(EventRow.data))
    deliveries = _rows(url, select(DeliveryRow.recipient, DeliveryRow.detail, DeliveryRow.ordering_key, DeliveryRow.last_error))
    rows = [{c.name: getattr(m[0], c.key) for c in MeetingRow.__table__.columns} for m in meetings]
    return json.dumps([rows, [list(e) for e in events], [list(d) for d in deliveries]], default=str)


def test_erasing_a_customer_keeps_anonymous_meetings_and_a_verifying_chain(client, token, load_bank, database_url, meetbook):
    load_bank(b.bank())
    admin, customer, other = token("admin", subject="dpo"), token("customer", subject="cust-erase-me"), token("customer", subject="cust-stay")
    slots = search(client, customer, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")
    first = _book(client, customer, slots[0], **PERSONAL, title="about my debts")
    second = _book(client, customer, slots[4], **PERSONAL)
    kept = _book(client, other, slots[8], customerEmail="stay@example.test", customerName="Stay Here")
    moved = client.delete(f"/bookme/meetings/{second['id']}", params={"cancellationReason": "Karen Blixen moved away"}, headers=customer)
    assert moved.status_code in (200, 204)
    reserve(client, customer, slots[12])  # a live hold of theirs
    _dispatch(client)  # invitations and cancellations planned (and written to the mail folder)
    assert PERSONAL["customerEmail"] in _every_personal_value(database_url)
    statistics_before = client.get("/bookme/meetings", params={"employeeId": slots[0]["employeeId"]}, headers=admin).json()

    erased = client.delete("/bookme/customers/cust-erase-me", headers=admin)
    assert erased.status_code == 200, erased.text
    summary = erased.json()
    assert summary["meetings"] == 2 and summary["holds"] == 1 and summary["outboxEvents"] >= 3 and summary["outboxDeliveries"] >= 1

    stored = _every_personal_value(database_url)
    for value in (*PERSONAL.values(), "about my debts", "Karen Blixen moved away", "cust-erase-me"):
        assert value not in stored, value
    assert "stay@example.test" in stored  # another customer is untouched
    anonymous = client.get(f"/bookme/meetings/{first['id']}", headers=admin).json()
    assert anonymous["customerId"] is None and anonymous["customerEmail"] is None and anonymous["title"] is None
    assert (anonymous["startDate"], anonymous["employeeId"], anonymous["topicId"], anonymous["status"]) == (
        first["startDate"], first["employeeId"], first["topicId"], "Booked")
    statistics_after = client.get("/bookme/meetings", params={"employeeId": slots[0]["employeeId"]}, headers=admin).json()
    assert sorted((m["id"], m["startDate"], m["status"]) for m in statistics_after) == sorted(
        (m["id"], m["startDate"], m["status"]) for m in statistics_before)
    assert client.get(f"/bookme/meetings/{kept['id']}", headers=admin).json()["customerEmail"] == "stay@example.test"
    assert _rows(database_url, select(func.count()).select_from(HoldRow).where(HoldRow.subject == "cust-erase-me"))[0][0] == 0
    assert _dispatch(client) is None  # nothing left to send to the erased address

    entries = _log(client, admin)
    erasure = [e for e in entries if e["entity"] == "customers"]
    assert len(erasure) == 1 and erasure[0]["action"] == "erased" and erasure[0]["actorSubject"] == "dpo"
    assert sorted(erasure[0]["after"]["meetings"]) == sorted([first["id"], second["id"]])
    cleared = [e for e in entries if e["entity"] == "meetings" and e["entityId"] == first["id"]][-1]
    assert cleared["before"]["customerEmail"] == "[redacted]" and cleared["after"]["customerEmail"] is None
    text = json.dumps(entries)
    for value in (*PERSONAL.values(), "about my debts", "Karen Blixen moved away"):
        assert value not in text
    assert meetbook("audit", "verify").exit_code == 0
    again = client.delete("/bookme/customers/cust-erase-me", headers=admin)
    assert again.status_code == 404
    assert client.delete("/bookme/customers/cust-stay", headers=token("employee")).status_code == 403


def test_retention_clears_past_meetings_text_and_purges_old_calendar_time(client, token, load_bank, database_url, clock, meetbook):
    load_bank(b.bank())
    admin, customer, employee = token("admin"), token("customer", subject="cust-r"), token("employee")
    slots = search(client, customer, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")
    meeting = _book(client, customer, slots[0], **PERSONAL, title="retire early")
    busy = client.post("/bookme/time-slots", headers=employee, json={
        "employeeId": slots[0]["employeeId"], "startDate": "2026-06-02T12:00:00Z", "endDate": "2026-06-02T13:00:00Z", "status": "Busy"})
    assert busy.status_code == 201, busy.text
    _dispatch(client)
    settings = client.patch("/bookme/config/organization-settings", headers=admin,
                            json=[{"op": "replace", "path": "/meetingTextRetention", "value": "10.00:00:00"}])
    assert settings.status_code == 200, settings.text
    assert (settings.json()["calendarEntryRetention"], settings.json()["meetingTextRetention"]) == ("7.00:00:00", "10.00:00:00")

    def sweep():
        return client.portal.call(retention_round, client.app)

    clock.advance(days=9)  # the meeting ended 9 days ago, the busy time 8 days ago
    purged = sweep()
    assert (purged.calendar_entries, purged.meetings_cleared) == (1, 0)
    assert client.get(f"/bookme/meetings/{meeting['id']}", headers=admin).json()["customerEmail"] == PERSONAL["customerEmail"]
    assert _rows(database_url, select(func.count()).select_from(CalendarEntryRow))[0][0] == 0

    clock.advance(days=2)
    purged = sweep()
    assert (purged.calendar_entries, purged.meetings_cleared) == (0, 1)
    after = client.get(f"/bookme/meetings/{meeting['id']}", headers=admin).json()
    assert all(after[k] is None for k in ("customerName", "customerEmail", "customerPhone", "title", "description"))
    assert after["customerId"] == "cust-r" and after["status"] == "Booked" and after["startDate"] == meeting["startDate"]
    stored = _every_personal_value(database_url)
    assert PERSONAL["customerEmail"] not in stored and "retire early" not in stored
    assert (sweep().calendar_entries, sweep().meetings_cleared) == (0, 0)

    purges = _log(client, admin, entity="retention")
    assert [(p["after"]["calendarEntriesDeleted"], p["after"]["meetingsCleared"], p["actorScope"]) for p in purges] == [
        (1, 0, "sweeper"), (0, 1, "sweeper")]
    assert meetbook("audit", "verify").exit_code == 0
