"""The audit trail: who changed what in meetings and the configuration, hash-chained, verified by
`meetbook audit verify`, which names the first row that was changed or deleted."""

from __future__ import annotations

import asyncio
import json
import threading

from sqlalchemy import text

from meetbook.core.db import make_engine, make_sessionmaker, unit_of_work
from meetbook.tables.catalog import CustomerTypeRow
from tests import bankdata as b
from tests.integration.helpers import book, reserve, search

PERSONAL = {"customerName": "Karen Blixen", "customerEmail": "karen.blixen@example.test", "customerPhone": "+4512345678"}


def _log(client, headers, **params) -> list[dict]:
    """Every entry matching, page by page."""
    entries, after = [], None
    for _ in range(100):
        query = {**params, "limit": 50, **({"after": after} if after is not None else {})}
        response = client.get("/config/audit-log", params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        entries += page["entries"]
        after = page["nextAfter"]
        if after is None:
            return entries
    raise AssertionError("the pages never ended")


def _execute(url: str, *statements: str) -> None:
    async def work():
        engine = make_engine(url)
        try:
            async with unit_of_work(make_sessionmaker(engine)) as session:
                for statement in statements:
                    await session.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(work())


def _tamper(url: str, statement: str) -> None:
    """What someone with the database's credentials could do: lift the append-only guard and write."""
    if url.startswith("sqlite"):
        _execute(url, "DROP TRIGGER IF EXISTS audit_log_no_update", "DROP TRIGGER IF EXISTS audit_log_no_delete", statement)
    else:
        _execute(url, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only", statement,
                 "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")


def _booked(client, headers, slot, **extra) -> dict:
    hold = reserve(client, headers, slot)
    assert hold.status_code == 200, hold.text
    meeting = book(client, headers, hold.json(), b.T_HOUSING, **extra)
    assert meeting.status_code == 201, meeting.text
    return meeting.json()


def test_meeting_and_configuration_changes_are_recorded_without_personal_data(client, token, load_bank, meetbook):
    load_bank(b.bank())
    admin, employee = token("admin", subject="admin-ops"), token("employee", subject="emp-7")
    customer = token("customer", subject="customer-4711")

    changed = client.patch("/bookme/config/organization-settings", json=[{"op": "replace", "path": "/bankName", "value": "Nordbank"}],
                           headers={**admin, "X-Request-ID": "req-settings-1"})
    assert changed.status_code == 200, changed.text
    slots = search(client, customer, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")
    meeting = _booked(client, customer, slots[0], **PERSONAL, title="Private: my divorce")
    cancelled = client.delete(f"/bookme/meetings/{meeting['id']}", params={"cancellationReason": "Karen is ill"}, headers=employee)
    assert cancelled.status_code in (200, 204), cancelled.text

    settings_entries = _log(client, admin, entity="organization_settings")
    assert [(e["action"], e["before"], e["after"]) for e in settings_entries][-1] == ("updated", {"bankName": None}, {"bankName": "Nordbank"})
    last = settings_entries[-1]
    assert (last["actorSubject"], last["actorScope"], last["requestId"]) == ("admin-ops", "admin customer employee", "req-settings-1")

    history = _log(client, admin, entity="meetings", entityId=meeting["id"])
    assert [e["action"] for e in history] == ["created", "updated"]
    created, cancel = history
    assert created["actorSubject"] == "customer-4711" and created["actorScope"] == "customer"
    assert created["after"]["customerEmail"] == "[redacted]" and created["after"]["employeeId"] == slots[0]["employeeId"]
    assert created["after"]["startDate"] == meeting["startDate"]
    assert cancel["actorSubject"] == "emp-7"
    assert cancel["before"]["status"] == "Booked" and cancel["after"]["status"] == "Cancelled"
    assert cancel["after"]["cancellationReason"] == "[redacted]"
    assert _log(client, admin, actor="emp-7") == [cancel]
    assert _log(client, admin, entity="meetings", **{"from": cancel["at"]})[-1] == cancel

    everything = json.dumps(_log(client, admin))
    for secret in (*PERSONAL.values(), "divorce", "Karen is ill", "customer-4711\"", "Meeting description"):
        if secret == "customer-4711\"":  # the customer's id appears only as the actor of their own changes
            assert everything.count(secret) == everything.count('"actorSubject": "customer-4711"')
            continue
        assert secret not in everything, secret

    assert client.get("/config/audit-log", headers=employee).status_code == 403
    verified = meetbook("audit", "verify")
    assert verified.exit_code == 0 and "verified" in verified.output, verified.output


def test_a_changed_row_and_a_deleted_row_are_named(client, token, load_bank, meetbook, database_url):
    load_bank(b.bank())
    admin = token("admin")
    for name in ("One", "Two", "Three", "Four"):
        assert client.post("/config/customer-types", json={"name": name}, headers=admin).status_code == 201
    rows = _log(client, admin, entity="customer_types")
    two, three = (next(e for e in rows if e["after"] and e["after"].get("name") == n) for n in ("Two", "Three"))
    assert meetbook("audit", "verify").exit_code == 0

    # The database itself refuses a change while its guard is in place.
    try:
        _execute(database_url, f"UPDATE audit_log SET actor_subject = 'someone' WHERE seq = {two['seq']}")
        raise AssertionError("the append-only guard let an UPDATE through")
    except Exception as exc:  # noqa: BLE001
        assert "append-only" in str(exc)

    _tamper(database_url, f"""UPDATE audit_log SET actor_subject = 'someone-else' WHERE seq = {three['seq']}""")
    result = meetbook("audit", "verify")
    assert result.exit_code == 1
    assert f"row {three['seq']} was changed" in result.output, result.output

    _tamper(database_url, f"DELETE FROM audit_log WHERE seq = {two['seq']}")
    result = meetbook("audit", "verify")
    assert result.exit_code == 1
    assert f"row {two['seq']} is missing" in result.output, result.output


def test_a_rolled_back_change_leaves_no_row(client, token, load_bank):
    load_bank(b.bank())
    admin = token("admin")
    before = len(_log(client, admin))
    refused = client.post("/config/customer-types", json={"name": ""}, headers=admin)
    assert refused.status_code == 400
    clash = client.patch("/bookme/config/organization-settings",
                         json=[{"op": "replace", "path": "/openingTime", "value": "18:00"},
                               {"op": "replace", "path": "/closingTime", "value": "08:00"}], headers=admin)
    assert clash.status_code == 400
    assert len(_log(client, admin)) == before


def test_concurrent_writers_do_not_fork_the_chain(client, token, load_bank, database_url, meetbook):
    load_bank(b.bank())
    customers = [token("customer", subject=f"c-{i}") for i in range(6)]
    slots = search(client, customers[0], topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")
    booked, problems = [], []

    def one(i: int) -> None:
        try:
            hold = reserve(client, customers[i], slots[i * 2])
            if hold.status_code == 200:
                meeting = book(client, customers[i], hold.json(), b.T_HOUSING)
                if meeting.status_code == 201:
                    booked.append(meeting.json()["id"])
                elif meeting.status_code != 409:
                    problems.append(meeting.text)
        except Exception as exc:  # noqa: BLE001
            problems.append(repr(exc))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()

    async def config_writers():  # and configuration written beside them, from separate connections
        engine = make_engine(database_url)
        sessions = make_sessionmaker(engine)

        async def add(n: int):
            async with unit_of_work(sessions) as session:
                session.add(CustomerTypeRow(name=f"parallel-{n}"))

        try:
            await asyncio.gather(*(add(n) for n in range(8)))
        finally:
            await engine.dispose()

    asyncio.run(config_writers())
    for t in threads:
        t.join(timeout=60)
    assert not problems, problems
    assert booked
    entries = _log(client, token("admin"))
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert all(entries[i]["prevHash"] == entries[i - 1]["hash"] for i in range(1, len(entries)))
    created = {e["entityId"] for e in entries if e["entity"] == "meetings" and e["action"] == "created"}
    assert created == set(booked)
    assert sum(e["entity"] == "customer_types" and (e["after"] or {}).get("name", "").startswith("parallel-") for e in entries) == 8
    assert meetbook("audit", "verify").exit_code == 0
