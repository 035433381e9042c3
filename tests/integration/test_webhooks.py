"""Meetings reach the bank's systems: webhooks subscribed through the configuration API and POSTed,
signed the Standard Webhooks way, to a real HTTP receiver on the loopback that the tests start.
Every delivery's signature is verified with the `standardwebhooks` library. Nothing is sent anywhere
but 127.0.0.1: the production-mode refusals happen before any connection is opened."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests import bankdata as b
from tests.integration.helpers import book, refused, reserve, search

HANG_LIMIT = 25.0  # a hanging answer never outlives the test by more than this


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return orjson.loads(self.body)

    @property
    def type(self) -> str:
        return self.json["type"]

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]


class Receiver:
    """A threaded HTTP server on 127.0.0.1 answering from a script: a status code per request, or
    "hang" (no answer until released); 200 once the script is used up. It records every request."""

    def __init__(self, *script, port: int = 0):
        self.script = list(script)
        self.requests: list[Received] = []
        self.hanging = threading.Event()
        self.release = threading.Event()
        self.hang_ended: float | None = None
        self._lock = threading.Lock()
        self.port = port
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    action = receiver.script.pop(0) if receiver.script else 200
                if action == "hang":
                    receiver.hanging.set()
                    receiver.release.wait(HANG_LIMIT)
                    receiver.hang_ended = time.monotonic()
                    action = 200
                answer = b"ok" if action < 300 else b"receiver says no"
                self.close_connection = True
                try:
                    self.send_response(action)
                    self.send_header("Content-Length", str(len(answer)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:  # the sender gave up waiting
                    pass

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/meetbook"

    def types(self) -> list[str]:
        return [r.type for r in self.requests]


@pytest.fixture
def receivers():
    started: list[Receiver] = []

    def make(*script, port: int = 0) -> Receiver:
        receiver = Receiver(*script, port=port).start()
        started.append(receiver)
        return receiver

    yield make
    for receiver in started:
        receiver.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def deliver(client) -> int:
    return client.portal.call(client.app.state.dispatcher.run_until_idle)


def subscribe(client, admin, url: str, events=("*",)) -> dict:
    answer = client.post("/config/webhooks", json={"url": url, "events": list(events), "description": "CRM"}, headers=admin)
    assert answer.status_code == 201, answer.text
    return answer.json()


def delivery_log(client, admin, hook_id: str) -> list[dict]:
    answer = client.get(f"/config/webhooks/{hook_id}/deliveries", headers=admin)
    assert answer.status_code == 200, answer.text
    return answer.json()


def verify(request: Received, secret: str) -> dict:
    return Webhook(secret).verify(request.body, request.headers)


def _book(client, h, start_index: int = 0) -> dict:
    slots = search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")
    hold = reserve(client, h, slots[start_index]).json()
    created = book(client, h, hold, b.T_HOUSING, customerEmail="karen@example.test", customerName="Karen Kunde")
    assert created.status_code == 201, created.text
    return created.json()


def _move(client, h, meeting: dict, start: str, end: str) -> dict:
    target = {"startDate": start, "endDate": end, "employeeId": meeting["employeeId"]}
    hold = reserve(client, h, target, existingMeetingId=meeting["id"])
    assert hold.status_code == 200, hold.text
    moved = client.put(f"/bookme/meetings/{meeting['id']}", json={"timeSlotId": hold.json()["id"]}, headers=h)
    assert moved.status_code == 200, moved.text
    return moved.json()


def test_book_move_cancel_arrive_signed_in_order_and_a_retried_delivery_keeps_its_id(client, token, load_bank, receivers, clock):
    load_bank(b.bank())
    admin, h = token("admin"), token("customer", subject="c-1")
    receiver = receivers(500, 500)  # the first delivery fails twice, then everything answers 200
    hook = subscribe(client, admin, receiver.url)
    assert hook["secret"].startswith("whsec_") and hook["enabled"] is True

    meeting = _book(client, h)
    _move(client, h, meeting, "2026-06-03T07:00:00.000Z", "2026-06-03T08:00:00.000Z")
    assert client.delete(f"/bookme/meetings/{meeting['id']}", headers=h).status_code == 204
    assert receiver.requests == []  # nothing is sent from inside a request

    deliver(client)
    assert receiver.types() == ["meeting.booked"]  # failed; the later changes wait for it
    log = delivery_log(client, admin, hook["id"])
    booked = next(d for d in log if d["eventType"] == "meeting.booked")
    assert booked["status"] == "Pending" and booked["attempts"] == 1 and booked["responseCode"] == 500
    assert "HTTP 500" in booked["lastError"] and booked["durationMs"] is not None
    assert dt.datetime.fromisoformat(booked["nextAttemptAt"].replace("Z", "+00:00")) <= clock.now() + dt.timedelta(seconds=30)

    clock.advance(seconds=5)
    deliver(client)
    clock.advance(seconds=30)
    deliver(client)
    assert receiver.types() == ["meeting.booked"] * 3 + ["meeting.rescheduled", "meeting.cancelled"]
    for request in receiver.requests:
        body = verify(request, hook["secret"])
        assert request.headers["content-type"] == "application/json" and "meetbook" in request.headers["user-agent"]
        assert set(body) == {"type", "timestamp", "data"} and body["data"]["id"] == meeting["id"]
    assert len({r.id for r in receiver.requests[:3]}) == 1  # the retries carry the same webhook-id
    assert len({r.id for r in receiver.requests}) == 3

    # data is the meeting as GET returns it, at the moment of each change.
    first, moved, cancelled = receiver.requests[0].json, receiver.requests[3].json, receiver.requests[4].json
    assert first["data"]["startDate"] == meeting["startDate"] and first["data"]["status"] == "Booked"
    assert moved["data"]["startDate"] == "2026-06-03T07:00:00.000Z"
    assert cancelled["data"] == client.get(f"/bookme/meetings/{meeting['id']}", headers=h).json()
    assert cancelled["data"]["status"] == "Cancelled"

    log = delivery_log(client, admin, hook["id"])
    assert [d["eventType"] for d in log] == ["meeting.cancelled", "meeting.rescheduled", "meeting.booked"]  # newest first
    assert all(d["status"] == "Sent" and d["responseCode"] == 200 and d["nextAttemptAt"] is None for d in log)
    assert [d["attempts"] for d in log] == [1, 1, 3]  # one entry per delivery: exactly one success each
    assert log[2]["webhookId"] == receiver.requests[0].id
    deliver(client)
    assert len(receiver.requests) == 5  # nothing goes twice
    assert delivery_log(client, admin, hook["id"]) == log
    assert [d["eventType"] for d in client.get(f"/config/webhooks/{hook['id']}/deliveries?limit=1&offset=1", headers=admin).json()] \
        == ["meeting.rescheduled"]


def test_a_host_name_is_resolved_before_connecting_and_sent_as_the_host(client, token, load_bank, receivers):
    # The connection goes to the address that was resolved (and, in production, checked); the name
    # travels in the Host header (and TLS SNI), so the receiver sees the URL it was given.
    load_bank(b.bank())
    admin, h = token("admin"), token("customer", subject="c-9")
    receiver = receivers()
    hook = subscribe(client, admin, f"http://localhost:{receiver.port}/hooks/named?x=1", events=["meeting.booked"])
    _book(client, h)
    deliver(client)
    [request] = receiver.requests
    assert request.headers["host"] == f"localhost:{receiver.port}" and request.path == "/hooks/named?x=1"
    verify(request, hook["secret"])


def test_a_hanging_receiver_times_out_and_never_slows_booking(client, token, load_bank, receivers, clock):
    load_bank(b.bank())
    admin, h = token("admin"), token("customer", subject="c-2")
    receiver = receivers("hang")
    hook = subscribe(client, admin, receiver.url, events=["meeting.booked"])
    first = _book(client, h)

    # The dispatcher runs in the server's event loop, as it does in production.
    running = client.portal.start_task_soon(client.app.state.dispatcher.run_until_idle)
    assert receiver.hanging.wait(10)
    second = _book(client, h, start_index=3)  # answered while the receiver still hangs
    booked_at = time.monotonic()
    assert receiver.hang_ended is None
    running.result(timeout=30)  # the attempt gave up after 10 s
    assert receiver.hang_ended is None or booked_at < receiver.hang_ended

    log = {d["subjectId"]: d for d in delivery_log(client, admin, hook["id"])}
    assert log[first["id"]]["status"] == "Pending" and "no answer within 10 s" in log[first["id"]]["lastError"]
    receiver.release.set()
    clock.advance(seconds=5)
    deliver(client)
    log = {d["subjectId"]: d for d in delivery_log(client, admin, hook["id"])}
    assert log[first["id"]]["status"] == "Sent" and log[first["id"]]["attempts"] == 2
    assert log[second["id"]]["status"] == "Sent"
    by_meeting = {}
    for request in receiver.requests:
        by_meeting.setdefault(verify(request, hook["secret"])["data"]["id"], set()).add(request.id)
    assert set(by_meeting) == {first["id"], second["id"]} and len(by_meeting[first["id"]]) == 1


def test_a_receiver_down_for_a_while_gets_everything_once_it_is_back(client, token, load_bank, receivers, clock):
    load_bank(b.bank())
    admin, h = token("admin"), token("customer", subject="c-3")
    port = free_port()  # nothing listens here yet: connections are refused
    hook = subscribe(client, admin, f"http://127.0.0.1:{port}/hooks/meetbook")
    meetings = [_book(client, h), _book(client, h, start_index=3)]
    deliver(client)
    log = delivery_log(client, admin, hook["id"])
    assert len(log) == 2 and all(d["status"] == "Pending" and d["responseCode"] is None and "Connect" in d["lastError"] for d in log)

    for seconds in (5, 30, 120):  # down through three retries
        clock.advance(seconds=seconds)
        deliver(client)
    assert {d["attempts"] for d in delivery_log(client, admin, hook["id"])} == {4}
    assert client.get(f"/config/webhooks/{hook['id']}", headers=admin).json()["failingSince"] is not None

    receiver = receivers(port=port)
    clock.advance(seconds=600)
    deliver(client)
    assert sorted(verify(r, hook["secret"])["data"]["id"] for r in receiver.requests) == sorted(m["id"] for m in meetings)
    assert {d["status"] for d in delivery_log(client, admin, hook["id"])} == {"Sent"}
    assert client.get(f"/config/webhooks/{hook['id']}", headers=admin).json()["failingSince"] is None


def test_pending_deliveries_survive_a_restart(app, settings, clock, token, load_bank, receivers):
    from fastapi.testclient import TestClient

    from meetbook.app import create_app

    load_bank(b.bank())
    admin, h = token("admin"), token("customer", subject="c-4")
    receiver = receivers(500)
    with TestClient(app) as first:
        hook = subscribe(first, admin, receiver.url, events=["meeting.booked"])
        meetings = [_book(first, h)]
        deliver(first)  # one attempt failed; then this process stops
        meetings.append(_book(first, h, start_index=3))  # committed, never attempted by this process
    assert len(receiver.requests) == 1
    clock.advance(seconds=5)
    with TestClient(create_app(settings, clock)) as second:
        deliver(second)
        log = delivery_log(second, admin, hook["id"])
    assert sorted({verify(r, hook["secret"])["data"]["id"] for r in receiver.requests}) == sorted(m["id"] for m in meetings)
    assert {d["status"] for d in log} == {"Sent"} and len(log) == 2
    assert len({r.id for r in receiver.requests}) == 2  # the retried one kept its webhook-id across the restart


def test_a_webhook_failing_for_three_days_is_disabled_and_can_be_enabled_and_redelivered(client, token, load_bank, receivers, clock):
    load_bank(b.bank())
    admin, h = token("admin"), token("customer", subject="c-5")
    receiver = receivers(*([500] * 100))
    hook = subscribe(client, admin, receiver.url)
    meeting = _book(client, h)
    deliver(client)
    for _ in range(40):  # three days and a bit, in three-hour steps
        clock.advance(hours=3)
        deliver(client)
    state = client.get(f"/config/webhooks/{hook['id']}", headers=admin).json()
    assert state["enabled"] is False and state["disabledAt"] is not None
    assert "3 days" in state["disabledReason"] and "HTTP 500" in state["disabledReason"]
    [failed] = delivery_log(client, admin, hook["id"])
    assert failed["status"] == "Failed" and failed["responseCode"] == 500 and failed["attempts"] > 10
    attempts = len(receiver.requests)
    assert attempts == failed["attempts"] and len({r.id for r in receiver.requests}) == 1

    _move(client, h, meeting, "2026-06-10T07:00:00.000Z", "2026-06-10T08:00:00.000Z")
    deliver(client)
    assert len(delivery_log(client, admin, hook["id"])) == 1  # a disabled webhook gets no new deliveries
    refused(client.post(f"/config/webhooks/{hook['id']}/deliveries/{failed['id']}/redeliver", headers=admin), 409, "disabled")

    receiver.script.clear()  # the receiver is fixed
    enabled = client.patch(f"/config/webhooks/{hook['id']}", json={"enabled": True}, headers=admin)
    assert enabled.status_code == 200, enabled.text
    assert enabled.json()["enabled"] is True and enabled.json()["disabledReason"] is None
    again = client.post(f"/config/webhooks/{hook['id']}/deliveries/{failed['id']}/redeliver", headers=admin)
    assert again.status_code == 202 and again.json()["status"] == "Pending", again.text
    refused(client.post(f"/config/webhooks/{hook['id']}/deliveries/{failed['id']}/redeliver", headers=admin), 409, "still")
    deliver(client)
    assert len(receiver.requests) == attempts + 1
    assert receiver.requests[-1].id == receiver.requests[0].id  # redelivered with the same webhook-id
    assert verify(receiver.requests[-1], hook["secret"])["type"] == "meeting.booked"
    [sent] = delivery_log(client, admin, hook["id"])
    assert sent["status"] == "Sent" and sent["responseCode"] == 200
    refused(client.post(f"/config/webhooks/{hook['id']}/deliveries/{uuid.uuid4()}/redeliver", headers=admin), 404, "delivery")


def test_a_rotated_secret_signs_alongside_the_new_one_for_a_day(client, token, load_bank, receivers, clock):
    load_bank(b.bank())
    admin, h = token("admin"), token("customer", subject="c-6")
    receiver = receivers()
    hook = subscribe(client, admin, receiver.url, events=["meeting.booked"])
    for shown in (client.get(f"/config/webhooks/{hook['id']}", headers=admin).json(), *client.get("/config/webhooks", headers=admin).json()):
        assert "secret" not in shown
    rotated = client.post(f"/config/webhooks/{hook['id']}/rotate-secret", headers=admin)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new.startswith("whsec_") and new != hook["secret"] and rotated.json()["previousSecretValidUntil"] is not None

    _book(client, h)
    deliver(client)
    during = receiver.requests[-1]
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    verify(during, hook["secret"])
    verify(during, new)

    clock.advance(hours=24, seconds=1)
    _book(client, h, start_index=3)
    deliver(client)
    after = receiver.requests[-1]
    verify(after, new)
    with pytest.raises(WebhookVerificationError):
        verify(after, hook["secret"])
    assert client.get(f"/config/webhooks/{hook['id']}", headers=admin).json()["previousSecretValidUntil"] is None


def test_employee_changes_reach_their_subscribers_only(client, token, load_bank, receivers):
    load_bank(b.bank())
    admin = token("admin")
    people, meetings = receivers(), receivers()
    hook = subscribe(client, admin, people.url, events=["employee.changed"])
    subscribe(client, admin, meetings.url, events=["meeting.booked", "meeting.cancelled"])

    changed = client.patch(f"/config/employees/{b.ANNA}", json=[{"op": "replace", "path": "/initials", "value": "AX"}], headers=admin)
    assert changed.status_code == 200, changed.text
    assert client.delete(f"/bookme/config/employee-schedules/{b.CARL}", headers=admin).status_code == 204
    dora = client.post("/config/employees", json={"email": "dora@bank.test", "initials": "DD"}, headers=admin)
    assert dora.status_code == 201, dora.text
    assert client.delete(f"/config/employees/{dora.json()['id']}", headers=admin).status_code == 204
    deliver(client)

    bodies = [verify(r, hook["secret"]) for r in people.requests]
    assert [x["type"] for x in bodies] == ["employee.changed"] * 4
    by_employee: dict[str, list[dict]] = {}
    for body in bodies:  # one employee's changes in order; different employees' in any order
        by_employee.setdefault(body["data"]["id"], []).append(body["data"])
    assert by_employee[b.ANNA] == [client.get(f"/config/employees/{b.ANNA}", headers=admin).json()]
    assert [x["initials"] for x in by_employee[b.CARL]] == [client.get(f"/config/employees/{b.CARL}", headers=admin).json()["initials"]]
    assert by_employee[dora.json()["id"]] == [dora.json(), {**dora.json(), "deleted": True}]
    assert meetings.requests == []


def test_subscriptions_are_admin_only_and_checked(client, token, receivers):
    admin, employee = token("admin"), token("employee")
    receiver = receivers()
    body = {"url": receiver.url, "events": ["meeting.booked"]}
    refused(client.post("/config/webhooks", json=body, headers=employee), 403)
    refused(client.get("/config/webhooks", headers=employee), 403)
    assert client.get("/config/webhooks").status_code == 401
    unknown = refused(client.post("/config/webhooks", json={**body, "events": ["meeting.booked", "meeting.eaten"]}, headers=admin),
                      400, "meeting.eaten", "meeting.rescheduled", "employee.changed")
    assert unknown["errors"][0]["field"] == "events"
    refused(client.post("/config/webhooks", json={**body, "events": []}, headers=admin), 400)
    refused(client.post("/config/webhooks", json={**body, "url": "ftp://127.0.0.1/x"}, headers=admin), 400, "https://")
    hook = subscribe(client, admin, receiver.url, events=["meeting.booked"])
    refused(client.get(f"/config/webhooks/{hook['id']}", headers=employee), 403)
    refused(client.get(f"/config/webhooks/{hook['id']}/deliveries", headers=employee), 403)
    refused(client.post(f"/config/webhooks/{hook['id']}/rotate-secret", headers=employee), 403)
    changed = client.patch(f"/config/webhooks/{hook['id']}", json={"events": ["*"], "description": "all"}, headers=admin)
    assert changed.status_code == 200 and changed.json()["events"] == ["*"] and changed.json()["description"] == "all"
    patched = client.patch(f"/config/webhooks/{hook['id']}", json=[{"op": "replace", "path": "/enabled", "value": False}], headers=admin)
    assert patched.status_code == 200 and patched.json()["enabled"] is False, patched.text
    assert "administrator" in patched.json()["disabledReason"]
    refused(client.patch(f"/config/webhooks/{hook['id']}", json=[{"op": "replace", "path": "/id", "value": "x"}], headers=admin),
            400, "id")
    assert client.delete(f"/config/webhooks/{hook['id']}", headers=employee).status_code == 403
    assert client.delete(f"/config/webhooks/{hook['id']}", headers=admin).status_code == 204
    refused(client.get(f"/config/webhooks/{hook['id']}", headers=admin), 404, "webhook")


def test_a_deleted_webhook_stops_its_pending_deliveries(client, token, load_bank, receivers):
    load_bank(b.bank())
    admin, h = token("admin"), token("customer", subject="c-7")
    receiver = receivers(500)
    hook = subscribe(client, admin, receiver.url)
    _book(client, h)
    deliver(client)
    assert len(receiver.requests) == 1
    assert client.delete(f"/config/webhooks/{hook['id']}", headers=admin).status_code == 204
    refused(client.get(f"/config/webhooks/{hook['id']}/deliveries", headers=admin), 404, "webhook")
    client.app.state.clock.advance(hours=1)
    deliver(client)
    assert len(receiver.requests) == 1


# --- no server-side request forgery -------------------------------------------------------------------


class Listener:
    """A TCP socket listening on the loopback that notices any connection made to it."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.setblocking(False)
        self.port = self.socket.getsockname()[1]

    def connections(self) -> int:
        count = 0
        while True:
            try:
                connection, _ = self.socket.accept()
            except BlockingIOError:
                return count
            connection.close()
            count += 1


@pytest.fixture
def listener():
    opened = Listener()
    yield opened
    opened.socket.close()


PRODUCTION_SECRET = "a-production-secret-of-our-own-0123456789"


def _production(database_url, tmp_path, clock, **extra):
    from fastapi.testclient import TestClient

    from meetbook.app import create_app
    from meetbook.auth.tokens import issue_token
    from meetbook.core.config import Settings

    settings = Settings(environment="production", database_url=database_url, sweep_interval_seconds=0, dispatch_in_server=False,
                        auth_secret=PRODUCTION_SECRET, mail_dir=str(tmp_path / "mail"), **extra)
    admin = {"Authorization": "Bearer " + issue_token(settings, "admin", "prod-admin", 3600)}
    return TestClient(create_app(settings, clock), raise_server_exceptions=False), admin


def test_production_refuses_internal_urls_without_opening_a_connection(database_url, tmp_path, clock, listener):
    production, admin = _production(database_url, tmp_path, clock)
    with production:
        refusals = {
            f"http://127.0.0.1:{listener.port}/hook": "https",
            f"https://127.0.0.1:{listener.port}/hook": "loopback",
            f"https://localhost:{listener.port}/hook": "loopback",
            f"https://[::1]:{listener.port}/hook": "loopback",
            f"https://[::ffff:127.0.0.1]:{listener.port}/hook": "loopback",
            "https://10.0.0.1/hook": "private",
            "https://192.168.1.10/hook": "private",
            "https://100.64.0.1/hook": "carrier-grade NAT",
            "https://169.254.169.254/latest/meta-data/": "link-local",
            "https://0.0.0.0/hook": "unspecified",
            "https://224.0.0.1/hook": "multicast",
            "https://user:pw@93.184.216.34/hook": "password",
        }
        for url, reason in refusals.items():
            answer = refused(production.post("/config/webhooks", json={"url": url, "events": ["*"]}, headers=admin), 400, reason)
            assert answer["errors"][0]["field"] == "url", url
        assert production.get("/config/webhooks", headers=admin).json() == []
    assert listener.connections() == 0


def test_production_checks_again_before_each_connection(database_url, tmp_path, clock, token, load_bank, listener, client):
    # Saved where the loopback was allowed (development, the same database); production then
    # refuses to connect to it: the check runs before every connection, not only when saving.
    load_bank(b.bank())
    admin, h = token("admin"), token("customer", subject="c-8")
    hook = subscribe(client, admin, f"https://127.0.0.1:{listener.port}/hook")
    _book(client, h)
    production, _ = _production(database_url, tmp_path, clock)
    with production:
        deliver(production)
    [attempt] = delivery_log(client, admin, hook["id"])
    assert attempt["status"] == "Pending" and attempt["attempts"] == 1
    assert attempt["lastError"].startswith("refused before connecting") and "loopback" in attempt["lastError"]
    assert listener.connections() == 0


def test_production_may_allow_the_banks_own_network(database_url, tmp_path, clock):
    production, admin = _production(database_url, tmp_path, clock, webhook_allow_private=True)
    with production:
        saved = production.post("/config/webhooks", json={"url": "https://10.0.0.1/hook", "events": ["*"]}, headers=admin)
        assert saved.status_code == 201, saved.text
        refused(production.post("/config/webhooks", json={"url": "http://10.0.0.1/hook", "events": ["*"]}, headers=admin), 400, "https")
