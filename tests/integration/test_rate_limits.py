"""Per-client rate limits (MEETBOOK_RATE_LIMITS): in one process's memory, shared by two server
processes through Redis, and failing open when Redis does not answer. Every test stays inside one
window of its limits (the `limits` library keeps its own time), so nothing waits for a window.

The suite switches limits off (tests/conftest.py); these tests set their own."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import uuid

import httpx
import jwt
import pytest
import redis
from fastapi.testclient import TestClient
from pydantic import ValidationError

from tests.conftest import IN_CI, fresh_database

REDIS_URL = os.environ.get("MEETBOOK_TEST_REDIS", "redis://127.0.0.1:6379/0")
# One key prefix per test run, so runs (and developers) sharing the Redis server never count together.
RUN_PREFIX = f"meetbook-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def sqlite_url(request, tmp_path) -> str:
    return fresh_database(request, "sqlite", tmp_path)  # the limits touch no database: one is enough


@pytest.fixture
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis is required in CI and is not reachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    yield REDIS_URL
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{RUN_PREFIX}*"):
        client.delete(key)


def make_client(sqlite_url, clock, **settings):
    from meetbook.app import create_app
    from meetbook.core.config import Settings

    config = Settings(environment="development", database_url=sqlite_url, sweep_interval_seconds=0, dispatch_in_server=False,
                      **settings)
    return TestClient(create_app(config, clock), raise_server_exceptions=False)


def bearer(subject: str, scope: str = "customer", secret: str | None = None) -> dict[str, str]:
    from meetbook.auth.tokens import issue_token
    from meetbook.core.config import Settings

    settings = Settings(environment="development")
    if secret is not None:
        settings = settings.model_copy(update={"auth_secret": secret})
    return {"Authorization": "Bearer " + issue_token(settings, scope, subject)}


def test_a_client_past_its_limit_gets_429_and_the_others_do_not(sqlite_url, clock):
    with make_client(sqlite_url, clock, rate_limits="5/minute;50/hour") as client:
        alice, bob = bearer("alice"), bearer("bob")
        started = time.time()
        remaining = []
        for _ in range(5):
            answer = client.get("/config/customer-types", headers=alice)
            assert answer.status_code == 200, answer.text
            assert answer.headers["X-RateLimit-Limit"] == "5"  # the minute is the tighter limit
            remaining.append(int(answer.headers["X-RateLimit-Remaining"]))
            assert started + 59 <= int(answer.headers["X-RateLimit-Reset"]) <= time.time() + 61
        assert remaining == [4, 3, 2, 1, 0]

        refused = client.get("/config/customer-types", headers=alice)
        assert refused.status_code == 429
        assert refused.json()["code"] == "TOO_MANY_REQUESTS" and "retry in" in refused.json()["message"]
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["X-RateLimit-Remaining"] == "0" and refused.headers["X-RateLimit-Limit"] == "5"
        # Refused whatever the route: the budget is the client's.
        assert client.post("/bookme/time-slots/reserve", json={}, headers=alice).status_code == 429

        other = client.get("/config/customer-types", headers=bob)
        assert other.status_code == 200 and other.headers["X-RateLimit-Remaining"] == "4"
        # Probes are never limited and carry no count.
        probe = client.get("/healthz", headers=alice)
        assert probe.status_code == 200 and "X-RateLimit-Limit" not in probe.headers
        assert client.get("/metrics", headers=bearer("ops", "admin")).status_code == 200


def test_the_tightest_limit_is_the_one_reported(sqlite_url, clock):
    with make_client(sqlite_url, clock, rate_limits="100/minute;3/hour") as client:
        answers = [client.get("/config/customer-types", headers=bearer("carol")) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"3"}
        assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
        assert int(answers[-1].headers["X-RateLimit-Reset"]) >= time.time() + 3500  # the hour, not the minute


def test_a_forged_token_cannot_spend_someone_elses_budget(sqlite_url, clock):
    with make_client(sqlite_url, clock, rate_limits="3/minute") as client:
        forged = bearer("dave", secret="not-the-service-secret-" + "x" * 20)
        for _ in range(5):  # counted against the address it came from, and refused as unauthenticated
            assert client.get("/config/customer-types", headers=forged).status_code in (401, 429)
        unsigned = {"Authorization": "Bearer " + jwt.encode({"sub": "dave"}, "k" * 32, algorithm="HS256")}
        assert client.get("/config/customer-types", headers=unsigned).status_code == 429  # the same address
        real = client.get("/config/customer-types", headers=bearer("dave"))
        assert real.status_code == 200 and real.headers["X-RateLimit-Remaining"] == "2"


def test_client_credentials_tokens_count_per_client(sqlite_url, clock):
    with make_client(sqlite_url, clock, rate_limits="4/minute") as client:
        def token_of(client_id: str, secret: str) -> dict[str, str]:
            form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
            answer = client.post("/oauth/token", data=form)
            assert answer.status_code == 200, answer.text
            return {"Authorization": "Bearer " + answer.json()["access_token"]}

        integrator = token_of("demo-integrator", "demo-secret")  # the token requests count against the address
        again = token_of("demo-integrator", "demo-secret")  # another token, the same client
        assert client.get("/config/customer-types", headers=integrator).headers["X-RateLimit-Remaining"] == "3"
        assert client.get("/config/customer-types", headers=again).headers["X-RateLimit-Remaining"] == "2"


def test_limits_are_off_when_empty_and_a_malformed_value_is_refused_at_start(sqlite_url, clock):
    from meetbook.core.config import Settings

    with make_client(sqlite_url, clock, rate_limits="") as client:
        answer = client.get("/config/customer-types", headers=bearer("erin"))
        assert answer.status_code == 200 and "X-RateLimit-Limit" not in answer.headers
    for wrong in ("100/minut", "lots", "0/minute"):
        with pytest.raises(ValidationError, match="MEETBOOK_RATE_LIMITS"):
            Settings(rate_limits=wrong)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_two_server_processes_share_one_count_in_redis(sqlite_url, redis_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETBOOK_")}
    env.update(MEETBOOK_DATABASE_URL=sqlite_url, MEETBOOK_ENVIRONMENT="development", MEETBOOK_LOG_LEVEL="WARNING",
               MEETBOOK_RATE_LIMITS="6/minute", MEETBOOK_REDIS_URL=redis_url, MEETBOOK_REDIS_KEY_PREFIX=RUN_PREFIX)
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen([sys.executable, "-m", "uvicorn", "meetbook.asgi:app", "--port", str(p), "--log-level", "warning"],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for p in ports
    ]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        deadline = time.monotonic() + 60
        for base, server in zip(bases, servers):
            while True:
                assert server.poll() is None and time.monotonic() < deadline, "a server did not start"
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
        frank, grace = bearer("frank"), bearer("grace")
        answers = [httpx.get(bases[i % 2] + "/config/customer-types", headers=frank) for i in range(7)]
        assert [a.status_code for a in answers] == [200] * 6 + [429]
        assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["5", "4", "3", "2", "1", "0", "0"]
        assert "Retry-After" in answers[-1].headers
        assert httpx.get(bases[0] + "/config/customer-types", headers=frank).status_code == 429
        assert httpx.get(bases[1] + "/config/customer-types", headers=grace).status_code == 200
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)


def test_an_unreachable_redis_fails_open_logged_once_and_counted(sqlite_url, clock, caplog):
    from tests.integration.test_metrics import parse, value

    closed = _free_port()  # nothing listens there
    admin = bearer("ops", "admin")
    with caplog.at_level(logging.WARNING, logger="meetbook"), \
            make_client(sqlite_url, clock, rate_limits="2/minute", redis_url=f"redis://127.0.0.1:{closed}/0") as client:
        before = value(parse(client.get("/metrics", headers=admin).text), "meetbook_rate_limit_fail_open_total")
        answers = [client.get("/config/customer-types", headers=bearer("heidi")) for _ in range(6)]
        after = value(parse(client.get("/metrics", headers=admin).text), "meetbook_rate_limit_fail_open_total")
    assert [a.status_code for a in answers] == [200] * 6  # over the limit, but the count is unknown: let through
    assert all("X-RateLimit-Limit" not in a.headers for a in answers)
    assert after - before == 6
    warnings = [r for r in caplog.records if "rate limits are not applied" in r.getMessage()]
    assert len(warnings) == 1


def test_the_document_says_where_429_can_happen(client):
    paths = client.get("/openapi.json").json()["paths"]
    answer = paths["/bookme/time-slots/reserve"]["post"]["responses"]["429"]
    assert answer["content"]["application/json"]["example"]["code"] == "TOO_MANY_REQUESTS"
    assert "429" not in paths["/healthz"]["get"]["responses"] and "429" not in paths["/metrics"]["get"]["responses"]
