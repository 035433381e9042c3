"""Schemathesis over the published OpenAPI document: every operation, on SQLite and PostgreSQL, with
an admin token and a small bank loaded. No answer is a 5xx, every status is one the operation
documents, and every answer matches its documented schema and content type.

The number of generated examples per operation is small here (the suite runs on two shared
cores); `make fuzz` runs the same test with MEETBOOK_FUZZ_EXAMPLES=100 and a random seed."""

from __future__ import annotations

import asyncio
import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from meetbook.core import wire
from meetbook.core.timefmt import parse_time_of_day, parse_timespan
from tests import bankdata as b
from tests.conftest import MONDAY_MORNING, fresh_database

EXAMPLES = int(os.environ.get("MEETBOOK_FUZZ_EXAMPLES", "5"))
# The suite's run is the same every time; `make fuzz` draws new data on every run.
RANDOM = os.environ.get("MEETBOOK_FUZZ_RANDOM") == "1"
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]


def _make_app(database_url: str):
    from meetbook.app import create_app
    from meetbook.core.clock import FixedClock
    from meetbook.core.config import Settings

    # No dispatcher: a webhook URL the fuzzer saves (any http(s) URL is taken in development) is never called.
    settings = Settings(environment="development", database_url=database_url, sweep_interval_seconds=0, dispatch_in_server=False)
    return create_app(settings, FixedClock(MONDAY_MORNING)), settings


# The document does not depend on the database: it is read once, from an app that is never called.
schema = schemathesis.openapi.from_asgi("/openapi.json", _make_app("sqlite+aiosqlite:///:memory:")[0])


# The suite fuzzes the embedded default; `make fuzz` both databases (MEETBOOK_FUZZ_DATABASES).
DATABASES = os.environ.get("MEETBOOK_FUZZ_DATABASES", "sqlite").split(",")


@pytest.fixture(scope="module", params=DATABASES)
def fuzzed(request, tmp_path_factory):
    """One app and database per kind for the whole run, with the test bank loaded: operations
    run one after another against the state the earlier ones left, as a client's calls would."""
    from meetbook.auth.tokens import issue_token
    from meetbook.bankfile.service import import_bank, parse
    from meetbook.core.db import run_in_transaction

    url = fresh_database(request, request.param, tmp_path_factory.mktemp("fuzz"))
    asyncio.run(run_in_transaction(url, lambda session: import_bank(session, parse(b.bank()))))
    app, settings = _make_app(url)
    admin = {"Authorization": "Bearer " + issue_token(settings, "customer employee admin", "fuzz-admin", 3600)}
    yield app, admin
    shutdown_lifespans()  # schemathesis started the app's lifespan (its engine) for its requests


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=not RANDOM)
def test_every_operation_answers_as_documented(case, fuzzed):
    app, admin = fuzzed
    case.call_and_validate(app=app, headers=admin, checks=CHECKS)


# --- what the runs found, each as a plain request ------------------------------------------------


def documented(method: str, path: str, response) -> None:
    """The answer's status is one the operation documents, and it matches that answer's schema."""
    schema[path][method].validate_response(response)


def test_a_schedule_created_by_put_is_a_documented_201(client, token, load_bank):
    load_bank(b.bank())
    admin = token("admin")
    path = f"/bookme/config/employee-schedules/{b.CARL}"
    assert client.delete(path, headers=admin).status_code == 204
    created = client.put(path, json={"workdays": []}, headers=admin)
    assert created.status_code == 201, created.text
    documented("PUT", "/bookme/config/employee-schedules/{employeeId}", created)
    replaced = client.put(path, json={"workdays": []}, headers=admin)
    assert replaced.status_code == 200, replaced.text
    documented("PUT", "/bookme/config/employee-schedules/{employeeId}", replaced)


def test_an_employee_created_by_put_is_a_documented_201(client, token, load_bank):
    load_bank(b.bank())
    admin = token("admin")
    path = "/config/employees/8b7df143-d91c-4ecb-8d0e-2b6c5f3f0e11"
    created = client.put(path, json={"email": "dora@bank.test", "initials": "DD"}, headers=admin)
    assert created.status_code == 201, created.text
    documented("PUT", "/config/employees/{id}", created)
    replaced = client.put(path, json={"email": "dora@bank.test", "initials": "DE"}, headers=admin)
    assert replaced.status_code == 200 and replaced.json()["initials"] == "DE", replaced.text
    documented("PUT", "/config/employees/{id}", replaced)


def test_an_idempotency_key_with_a_control_character_is_a_documented_400(client, token):
    # PostgreSQL cannot take NUL in a text, not even to lock on it: this was a 500 there.
    admin = token("admin")
    for key in ("a\x00b", "\x01", "x" * 201):
        answer = client.post("/config/customer-types", json={"name": "Private"}, headers={**admin, "Idempotency-Key": key})
        assert answer.status_code == 400, answer.text
        assert answer.json()["errors"][0]["field"] == "Idempotency-Key"
        documented("POST", "/config/customer-types", answer)
    assert client.get("/config/customer-types", headers=admin).json() == []  # nothing was created
    first = client.post("/config/customer-types", json={"name": "Private"}, headers={**admin, "Idempotency-Key": "k-1"})
    again = client.post("/config/customer-types", json={"name": "Private"}, headers={**admin, "Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()


def test_every_refusal_is_documented_with_the_error_body(client, token, load_bank):
    # The first run's most common finding: 400s for a path parameter with a control character,
    # and 413s and 414s, that no operation documented.
    load_bank(b.bank())
    admin, customer = token("admin"), token("customer")
    room = "/config/rooms/{id}"
    documented("GET", room, client.get("/config/rooms/%01x", headers=admin))  # 400
    documented("GET", room, client.get("/config/rooms/3fa85f64-5717-4562-b3fc-2c963f66afa6", headers=admin))  # 404
    documented("GET", room, client.get("/config/rooms/" + "r" * 9000, headers=admin))  # 414
    documented("GET", room, client.get(f"/config/rooms/{b.ROOM_1}"))  # 401
    documented("PATCH", room, client.patch(f"/config/rooms/{b.ROOM_1}", json=[], headers=customer))  # 403
    big = client.post("/config/rooms", content=b"[" + b" " * 1_100_000 + b"]", headers={**admin, "Content-Type": "application/json"})
    assert big.status_code == 413
    documented("POST", "/config/rooms", big)
    null = client.get("/bookme/config/competence-groups/3fa85f64-5717-4562-b3fc-2c963f66afa6/employees?includeSubGroups=null", headers=admin)
    assert null.status_code == 400  # the document no longer offers null for a query parameter
    documented("GET", "/bookme/config/competence-groups/{id}/employees", null)


def test_no_parameter_is_documented_as_null(client):
    for item in client.get("/openapi.json").json()["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                assert "null" not in str(parameter["schema"]), parameter


def _accepted(pattern: str):
    """Strings the published pattern allows (what a client generator or a fuzzer would send)."""
    return st.from_regex(re.compile(pattern.replace("$", r"\Z")), fullmatch=True)


@given(_accepted(wire.TIMESPAN_PATTERN))
def test_every_published_duration_is_read(text):
    assert 0 <= parse_timespan(text) < (wire.MAX_TIMESPAN_DAYS + 1) * 86400  # the days, then a time of day


@given(_accepted(wire.MEETING_LENGTH_SCHEMA["pattern"]))
def test_every_published_meeting_length_is_in_range(text):
    assert 60 <= parse_timespan(text) <= 86400


@given(_accepted(wire.LOOK_AHEAD_SCHEMA["pattern"]))
def test_every_published_look_ahead_is_in_range(text):
    assert parse_timespan(text) <= 366 * 86400


@given(_accepted(wire.TIME_OF_DAY_PATTERN), _accepted(wire.END_OF_DAY_PATTERN))
def test_every_published_time_of_day_is_read(start, end):
    assert 0 <= parse_time_of_day(start, 23 * 60 + 59) < 24 * 60
    assert 0 <= parse_time_of_day(end, 24 * 60) <= 24 * 60
