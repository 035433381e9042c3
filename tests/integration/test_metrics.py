"""GET /metrics: scraped after real traffic through the API and read with prometheus_client's own
parser; on both databases. Counters are process-wide, so each test compares a scrape after its
operations with one before them."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import subprocess
import sys
import time
import uuid

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests import bankdata as b
from tests.conftest import MONDAY_MORNING, fresh_database
from tests.integration.helpers import book, reserve, search


def scrape(client, headers) -> dict[str, list]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


def parse(text: str) -> dict[str, list]:
    """metric name -> its samples (name, labels, value)."""
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def value(families: dict[str, list], sample: str, **labels: str) -> float:
    """The sum of the samples called `sample` whose labels include `labels` (0 when there are none)."""
    family = families.get(sample.removesuffix("_total").removesuffix("_count").removesuffix("_bucket"), [])
    return sum(s.value for s in family if s.name == sample and labels.items() <= s.labels.items())


COUNTERS = ("meetbook_bookings_total", "meetbook_reschedules_total", "meetbook_cancellations_total",
            "meetbook_holds_granted_total", "meetbook_holds_refused_total")


def test_counters_move_by_exactly_the_operations_made(client, token, load_bank, clock, database_url):
    load_bank(b.bank())
    admin = token("admin", subject="ops")
    before = scrape(client, admin)
    alice, bob = token("customer", subject="alice"), token("customer", subject="bob")
    slots = search(client, alice, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")

    held = reserve(client, alice, slots[0])
    assert held.status_code == 200, held.text
    meeting = book(client, alice, held.json(), b.T_HOUSING, customerId="alice")
    assert meeting.status_code == 201, meeting.text
    assert reserve(client, bob, slots[0]).status_code == 409  # Alice's meeting has it
    assert reserve(client, bob, slots[3]).status_code == 200  # stays held
    move_to = reserve(client, alice, slots[6], existingMeetingId=meeting.json()["id"])
    assert move_to.status_code == 200, move_to.text
    moved = client.put(f"/bookme/meetings/{meeting.json()['id']}", json={"timeSlotId": move_to.json()["id"]}, headers=alice)
    assert moved.status_code == 200, moved.text
    assert client.delete(f"/bookme/meetings/{meeting.json()['id']}", headers=alice).status_code == 204
    # Refused before anything was written: no booking counted.
    assert book(client, bob, {"id": str(uuid.uuid4()), "employeeId": b.ANNA}, b.T_HOUSING).status_code in (404, 409)

    after = scrape(client, admin)
    moved_by = {name: value(after, name) - value(before, name) for name in COUNTERS}
    assert moved_by == {
        "meetbook_bookings_total": 1, "meetbook_reschedules_total": 1, "meetbook_cancellations_total": 1,
        "meetbook_holds_granted_total": 3, "meetbook_holds_refused_total": 1,
    }
    assert value(after, "meetbook_holds_live") == 1  # Bob's; Alice's two became her meeting
    assert value(after, "meetbook_db_pool_in_use") >= 0
    clock.advance(minutes=6)  # the gauge is read at the injected clock's now
    assert value(scrape(client, admin), "meetbook_holds_live") == 0


def test_outbox_backlog_and_the_age_of_the_oldest_due_delivery(client, token, database_url):
    from meetbook.core.db import run_in_transaction
    from meetbook.tables.outbox import FAILED, PENDING, DeliveryRow, EventRow

    now = MONDAY_MORNING

    async def fill(session):
        event = EventRow(kind="meeting.booked", subject_id=str(uuid.uuid4()), occurred_at=now, data={})
        session.add(event)
        await session.flush()
        for status, due, next_attempt in (
            (PENDING, now - dt.timedelta(seconds=90), now - dt.timedelta(seconds=30)),  # due, late by 90 s
            (PENDING, now - dt.timedelta(seconds=20), now - dt.timedelta(seconds=20)),
            (PENDING, now - dt.timedelta(hours=3), now + dt.timedelta(minutes=5)),  # between attempts: not due
            (FAILED, now - dt.timedelta(days=1), None),  # given up: not backlog
        ):
            session.add(DeliveryRow(event_id=event.id, consumer="mail", kind=event.kind, status=status, due_at=due,
                                    next_attempt_at=next_attempt, give_up_at=now + dt.timedelta(days=1), created_at=due))

    asyncio.run(run_in_transaction(database_url, fill))
    admin = token("admin")
    families = scrape(client, admin)
    assert value(families, "meetbook_outbox_pending") == 3
    assert value(families, "meetbook_outbox_oldest_due_seconds") == 90


def test_latency_is_labelled_by_route_template_never_the_raw_path(client, token, database_url):
    customer = token("customer")
    unknown = str(uuid.uuid4())
    assert client.get(f"/bookme/meetings/{unknown}", headers=customer).status_code == 404
    assert client.get(f"/no/such/{unknown}", headers=customer).status_code == 404
    assert client.get("/healthz").status_code == 200
    assert client.request("BREW", "/healthz").status_code == 405

    text = client.get("/metrics", headers=token("admin")).text
    assert unknown not in text
    families = parse(text)
    latency = "meetbook_http_request_duration_seconds_count"
    assert value(families, latency, route="/bookme/meetings/{id}", method="GET", status="4xx") >= 1
    assert value(families, latency, route="unmatched", method="GET", status="4xx") >= 1
    assert value(families, latency, route="/healthz", method="GET", status="2xx") >= 1
    assert value(families, latency, route="/healthz", method="other", status="4xx") >= 1
    routes = {s.labels["route"] for s in families["meetbook_http_request_duration_seconds"]}
    assert all(r == "unmatched" or r.startswith("/") for r in routes)
    assert {s.labels["status"] for s in families["meetbook_http_request_duration_seconds"]} <= {"1xx", "2xx", "3xx", "4xx", "5xx"}


def test_metrics_need_the_admin_scope(client, token, database_url):
    assert client.get("/metrics").status_code == 401
    refused = client.get("/metrics", headers=token("employee"))
    assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN"
    assert client.get("/metrics", headers=token("admin")).status_code == 200
    document = client.get("/openapi.json").json()
    assert "/metrics" in document["paths"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_separate_port_serves_metrics_without_a_token_and_the_api_does_not(settings, clock, token, database_url):
    from meetbook.app import create_app

    port = _free_port()
    app = create_app(settings.model_copy(update={"metrics_port": port}), clock)
    with TestClient(app) as client:
        assert client.get("/metrics", headers=token("admin")).status_code == 404
        assert "/metrics" not in client.get("/openapi.json").json()["paths"]
        assert client.get("/healthz").status_code == 200
        response = httpx.get(f"http://127.0.0.1:{port}/metrics")
        assert response.status_code == 200
        families = parse(response.text)
        assert "meetbook_holds_live" in families and "meetbook_outbox_pending" in families
        assert value(families, "meetbook_http_request_duration_seconds_count", route="/healthz") >= 1
    with pytest.raises(httpx.TransportError):  # stopped with the app
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)


def test_several_worker_processes_add_up_in_multiprocess_mode(tmp_path, request):
    """Two uvicorn workers with PROMETHEUS_MULTIPROC_DIR: whichever answers the scrape counts the
    requests both answered."""
    from meetbook.auth.tokens import issue_token
    from meetbook.core.config import Settings

    database_url = fresh_database(request, "sqlite", tmp_path)
    folder = tmp_path / "prometheus"
    folder.mkdir()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETBOOK_")}
    env.update(MEETBOOK_DATABASE_URL=database_url, MEETBOOK_ENVIRONMENT="development", MEETBOOK_LOG_LEVEL="WARNING",
               MEETBOOK_RATE_LIMITS="", PROMETHEUS_MULTIPROC_DIR=str(folder))
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "meetbook.asgi:app", "--port", str(port), "--workers", "2", "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        # A new connection each time, until both workers have answered some (each writes its own file).
        sent = 1  # the probe above
        while len(list(folder.glob("histogram_*.db"))) < 2:
            assert sent < 500, "one worker answered every request"
            assert httpx.get(base + "/healthz").status_code == 200
            sent += 1
        sent += sum(httpx.get(base + "/healthz").status_code == 200 for _ in range(20))
        admin = {"Authorization": "Bearer " + issue_token(Settings(environment="development"), "admin", "ops")}
        families = parse(httpx.get(base + "/metrics", headers=admin).text)
        counted = value(families, "meetbook_http_request_duration_seconds_count", route="/healthz", method="GET", status="2xx")
        assert counted == sent  # every request, whichever worker answered it
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_traces_without_the_opentelemetry_packages_are_logged_once(settings, clock, monkeypatch, caplog):
    pytest.importorskip("opentelemetry")  # the API is pinned; the instrumentations are not
    try:
        import opentelemetry.instrumentation.fastapi  # noqa: F401
        pytest.skip("the OpenTelemetry instrumentation is installed here")
    except ImportError:
        pass
    from meetbook import monitoring
    from meetbook.app import create_app

    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    monkeypatch.setattr(monitoring, "_tracing_unavailable_logged", False)
    with caplog.at_level(logging.WARNING, logger="meetbook"):
        apps = [create_app(settings, clock) for _ in range(2)]
    with TestClient(apps[0]) as client:
        assert client.get("/healthz").status_code == 200
    assert len([r for r in caplog.records if "OTEL_EXPORTER_OTLP_ENDPOINT" in r.getMessage()]) == 1
