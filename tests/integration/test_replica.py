"""Searches from a PostgreSQL streaming replica (MEETBOOK_DATABASE_REPLICA_URL), on a private primary
and replica started for this module (tests/pg_cluster.py).

A replica whose replay is paused lags the primary for as long as the test wants: it still offers a
slot the primary has given away. Reserving that slot is refused with 409 (the reserve checks on the
primary) and the slot is never booked twice; once the replica catches up it stops offering it. The
configuration snapshot is read from the primary even by a search on the replica. With the replica
down, searches still answer, from the primary, and /readyz says so.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from tests import bankdata as b
from tests.conftest import MONDAY_MORNING
from tests.integration.helpers import book, refused, reserve
from tests.pg_cluster import replicated_bank

MONDAY, TUESDAY, WEDNESDAY = "2026-06-01", "2026-06-02", "2026-06-03"
CLOSING_DAYS = "/bookme/config/organization-settings/closing-days"


@pytest.fixture(scope="module")
def cluster():
    with replicated_bank(b.bank()) as started:
        yield started


@pytest.fixture
def client(cluster, tmp_path):
    from meetbook.app import create_app
    from meetbook.core.clock import FixedClock
    from meetbook.core.config import Settings

    settings = Settings(environment="development", database_url=cluster.primary_url, database_replica_url=cluster.replica_url,
                        sweep_interval_seconds=0, dispatch_in_server=False, mail_dir=str(tmp_path / "mail"))
    with TestClient(create_app(settings, FixedClock(MONDAY_MORNING)), raise_server_exceptions=False) as test_client:
        yield test_client


def _headers(client, scope: str = "customer") -> dict[str, str]:
    from meetbook.auth.tokens import issue_token

    subject = f"customer-{uuid.uuid4().hex[:8]}"
    return {"Authorization": "Bearer " + issue_token(client.app.state.settings, scope, subject)}


def _offered(client, day: str) -> list[dict]:
    """Anna's online slots of one day, as a customer's search answers them."""
    response = client.get("/bookme/time-slots/available", headers=_headers(client), params={
        "requireEmployeeParticipation": "true", "explicitEmployeeIds": b.ANNA, "meetingTypes": "online",
        "startDate": f"{day}T00:00:00Z", "lookForwardTime": "1.00:00:00",
    })
    assert response.status_code == 200, response.text
    return response.json()


def _starts(slots: list[dict]) -> set[str]:
    return {s["startDate"] for s in slots}


def _on_primary(cluster, sql: str, *params) -> int:
    with psycopg.connect(cluster.url(cluster.primary_port, "postgresql"), connect_timeout=5) as conn:
        return conn.execute(sql, params).fetchone()[0]


def _fallbacks() -> float:
    return REGISTRY.get_sample_value("meetbook_search_replica_fallbacks_total") or 0.0


def test_a_lagging_replica_offers_a_taken_slot_and_reserving_it_is_refused(cluster, client):
    slot = _offered(client, MONDAY)[0]
    cluster.pause_replay()
    try:
        winner = _headers(client)
        hold = reserve(client, winner, slot)
        assert hold.status_code == 200, hold.text
        assert book(client, winner, hold.json(), b.T_HOUSING, meeting_type="online").status_code == 201

        # The primary has the meeting; the search, read on the replica, still offers its time.
        assert _on_primary(cluster, "SELECT count(*) FROM meetings WHERE employee_id = %s AND status = 'Booked'", b.ANNA) == 1
        assert slot["startDate"] in _starts(_offered(client, MONDAY))
        refused(reserve(client, _headers(client), slot), 409, "not available")
    finally:
        cluster.resume_replay()
    cluster.wait_caught_up()
    assert slot["startDate"] not in _starts(_offered(client, MONDAY))
    overlapping = _on_primary(cluster, (
        "SELECT count(*) FROM claims a JOIN claims b ON a.resource = b.resource AND a.id < b.id "
        "AND a.start_s < b.end_s AND b.start_s < a.end_s"
    ))
    assert overlapping == 0
    assert _fallbacks() == 0


def test_the_configuration_is_read_from_the_primary_while_the_replica_lags(cluster, client):
    admin = _headers(client, "admin")
    assert _offered(client, TUESDAY)
    cluster.pause_replay()
    try:
        # The replica still has the old configuration version; the snapshot must not keep the old bank.
        assert client.post(CLOSING_DAYS, json={"date": TUESDAY}, headers=admin).status_code == 201
        assert _offered(client, TUESDAY) == []
        assert client.delete(f"{CLOSING_DAYS}/{TUESDAY}", headers=admin).status_code == 204
        assert _offered(client, TUESDAY)
    finally:
        cluster.resume_replay()
    cluster.wait_caught_up()


def test_with_the_replica_down_searches_read_the_primary(cluster, client):
    client.app.state.search_sessions.retry_seconds = 0.0  # try the replica at every search: see it come back at once
    assert client.get("/readyz").json() == {"status": "ok", "replica": "ok"}
    before = _fallbacks()
    slot = _offered(client, WEDNESDAY)[0]
    cluster.stop_replica()
    try:
        assert _starts(_offered(client, WEDNESDAY)) >= {slot["startDate"]}
        assert _fallbacks() == before + 1
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json() == {"status": "ok", "replica": "unreachable"}
        # Reserving never depended on the replica; the search, answered by the primary, no longer offers the slot.
        assert reserve(client, _headers(client), slot).status_code == 200
        assert slot["startDate"] not in _starts(_offered(client, WEDNESDAY))
    finally:
        cluster.start_replica()
    cluster.wait_caught_up()
    fallbacks = _fallbacks()
    assert slot["startDate"] not in _starts(_offered(client, WEDNESDAY))
    assert _fallbacks() == fallbacks  # the replica again
    assert client.get("/readyz").json() == {"status": "ok", "replica": "ok"}


def test_a_replica_is_refused_with_sqlite():
    from pydantic import ValidationError

    from meetbook.core.config import Settings

    with pytest.raises(ValidationError, match="MEETBOOK_DATABASE_REPLICA_URL .* SQLite has no replicas"):
        Settings(database_url="sqlite+aiosqlite:///x.db", database_replica_url="postgresql://replica/meetbook")
