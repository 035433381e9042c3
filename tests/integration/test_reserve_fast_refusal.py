"""A reserve for a slot someone else already holds is refused at once: it does not queue on the
advisor's lock behind whoever is reserving another time of that advisor (PostgreSQL; SQLite has one
writer and no lock queue to skip)."""

from __future__ import annotations

import threading

import psycopg
import pytest

from meetbook.tables.claims import employee_resource
from tests import bankdata as b
from tests.integration.helpers import refused, reserve

SLOT = {"startDate": "2026-06-01T07:00:00.000Z", "endDate": "2026-06-01T08:00:00.000Z", "employeeId": b.ANNA}


def test_a_taken_slot_is_refused_without_waiting_for_the_advisors_lock(client, token, load_bank, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises every writer: there is no advisor lock to queue on")
    load_bank(b.bank())
    own = "11111111-1111-4111-8111-111111111111"
    first = reserve(client, token("customer", subject="c-1"), SLOT, token=own)
    assert first.status_code == 200, first.text

    # Someone is in the middle of reserving another time of Anna's: her lock is taken.
    busy = psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        busy.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (employee_resource(b.ANNA),))
        answer = {}
        loser = threading.Thread(target=lambda: answer.update(r=reserve(client, token("customer", subject="c-2"), SLOT)))
        loser.start()
        loser.join(timeout=10)
        waited = loser.is_alive()
    finally:
        busy.rollback()  # lets a loser that did queue finish
        busy.close()
    loser.join(timeout=30)
    assert not waited, "the refused reserve queued on the advisor's lock"
    refused(answer["r"], 409, "not available")

    # The same customer session retrying its own hold is not refused by the look-ahead: it gets its hold.
    again = reserve(client, token("customer", subject="c-1"), SLOT, token=own)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
