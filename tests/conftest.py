"""Fixtures shared by every test: both databases, a controllable clock, tokens, a bank loader.

Database tests run against SQLite and PostgreSQL. PostgreSQL is 127.0.0.1:5432 (user postgres,
override with MEETBOOK_TEST_PG); when it is missing the PostgreSQL half is skipped locally, and
fails under CI=true.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest

PG_ADMIN = os.environ.get("MEETBOOK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
# One database per test run, so several runs (developers, helpers, CI) never trample each other.
PG_DB = f"meetbook_test_{os.getpid()}"
IN_CI = os.environ.get("CI", "").lower() == "true"
# The suite makes hundreds of requests with one token: rate limits off (an empty MEETBOOK_RATE_LIMITS) for
# every app and server the tests start, unless a test sets its own (tests/integration/test_rate_limits.py).
os.environ["MEETBOOK_RATE_LIMITS"] = ""
# Advisors' calendars are synced on demand in tests (POST .../calendar-connection/sync), never on a timer.
os.environ.setdefault("MEETBOOK_CALENDAR_SYNC_SECONDS", "0")

# Monday 1 June 2026, 08:00 in Copenhagen (06:00Z): a normal working morning.
MONDAY_MORNING = dt.datetime(2026, 6, 1, 6, 0, tzinfo=dt.UTC)


def _pg_url(database: str) -> str:
    base, _, _ = PG_ADMIN.rpartition("/")
    return f"{base}/{database}"


def _pg_reachable() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as exc:  # noqa: BLE001
        return str(exc)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    from meetbook.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database():
    problem = _pg_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and is not reachable at {PG_ADMIN}: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN}: {problem}")
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    from meetbook.migrate import upgrade

    url = _pg_url(PG_DB).replace("postgresql://", "postgresql+psycopg://")
    upgrade(url)
    yield url
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def _truncate_postgres(url: str) -> None:
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )]
        conn.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")


def fresh_database(request, kind: str, tmp_path: Path) -> str:
    """A migrated, empty database of `kind` ("sqlite" or "postgresql"), private to the test."""
    if kind == "sqlite":
        path = tmp_path / "meetbook.core.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    _truncate_postgres(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    return fresh_database(request, request.param, tmp_path)


@pytest.fixture
def clock():
    from meetbook.core.clock import FixedClock

    return FixedClock(MONDAY_MORNING)


@pytest.fixture
def settings(database_url, tmp_path):
    from meetbook.core.config import Settings

    # No background rounds: a test runs the sweeper's and the dispatcher's work itself, at the
    # clock's time (app.state.dispatcher.run_until_idle()). E-mails stay in the test's folder.
    return Settings(environment="development", database_url=database_url, sweep_interval_seconds=0,
                    dispatch_in_server=False, mail_dir=str(tmp_path / "mail"))


@pytest.fixture
def app(settings, clock):
    from meetbook.app import create_app

    return create_app(settings, clock)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def token(settings):
    """token("customer", subject="c-1") -> Authorization headers."""
    from meetbook.auth.tokens import issue_token

    def make(scope: str = "customer", subject: str | None = None, ttl: int | None = None) -> dict[str, str]:
        return {"Authorization": "Bearer " + issue_token(settings, scope, subject or f"customer-{uuid.uuid4().hex[:8]}", ttl)}

    return make


@pytest.fixture
def load_bank(database_url, app):
    """Import a bank definition (dict) into this test's database, as `meetbook import` does."""
    from meetbook.bankfile.service import import_bank, parse
    from meetbook.core.db import run_in_transaction

    def load(document: dict) -> None:
        asyncio.run(run_in_transaction(database_url, lambda session: import_bank(session, parse(document))))

    return load
