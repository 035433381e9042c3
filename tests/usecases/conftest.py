"""Use cases called directly, without HTTP: a session maker on a fresh migrated database of each
kind (SQLite and PostgreSQL), the small test bank of tests/bankdata.py loaded, a snapshot cache,
principals for each scope and the test's fixed clock.

Each test module sets `pytestmark = pytest.mark.anyio`. A test runs each step the way a request does: inside one unit of work (commit when the block
ends, roll back when it raises), calling the feature's service function with the cache, the
principal and `uc.now`:

    async with uc.uow() as session:
        hold = await reservations.service.reserve(session, uc.cache, request, uc.customer("c-1"), uc.now)
"""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests import bankdata as b


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    """anyio's pytest plugin (anyio comes with Starlette) runs the `@pytest.mark.anyio` tests. Module
    scope: one event loop per module, so the module's engine lives across its tests."""
    return "asyncio"


@dataclass
class UseCases:
    """What a request hands to a use case, without the request."""

    sessions: async_sessionmaker[AsyncSession]
    cache: "object"  # meetbook.catalog.snapshot.SnapshotCache
    clock: "object"  # meetbook.core.clock.FixedClock
    kind: str  # "sqlite" or "postgresql"

    @property
    def now(self) -> dt.datetime:
        return self.clock.now()

    def uow(self) -> AbstractAsyncContextManager[AsyncSession]:
        """One transaction, as one request has: committed when the block ends, rolled back when it raises."""
        from meetbook.core.db import unit_of_work

        return unit_of_work(self.sessions)

    @staticmethod
    def customer(subject: str | None = None):
        from meetbook.auth.tokens import IMPLIED, Principal

        return Principal(subject=subject or f"customer-{uuid.uuid4().hex[:8]}", scopes=frozenset(IMPLIED["customer"]))

    @staticmethod
    def employee(subject: str | None = None):
        from meetbook.auth.tokens import IMPLIED, Principal

        return Principal(subject=subject or f"employee-{uuid.uuid4().hex[:8]}", scopes=frozenset(IMPLIED["employee"]))

    @staticmethod
    def admin(subject: str | None = None):
        from meetbook.auth.tokens import IMPLIED, Principal

        return Principal(subject=subject or f"admin-{uuid.uuid4().hex[:8]}", scopes=frozenset(IMPLIED["admin"]))

    async def load(self, document: dict) -> None:
        """Import a bank definition (upsert), as `meetbook import` does."""
        from meetbook.bankfile.service import import_bank, parse

        async with self.uow() as session:
            await import_bank(session, parse(document))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def engine(request, tmp_path_factory, anyio_backend):
    """A fresh migrated database of each kind (tests/conftest.py's), one per module: the tests
    leave it empty, since each runs in a transaction that is rolled back."""
    from meetbook.core.db import make_engine
    from tests.conftest import fresh_database

    url = fresh_database(request, request.param, tmp_path_factory.mktemp("usecases"))
    engine = make_engine(url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def uc(engine, clock, monkeypatch):
    """The use cases' world: the test bank (tests/bankdata.py) loaded, a snapshot cache, the
    fixed clock. Everything runs in one outer transaction on one connection that is rolled back
    at the end; each `uc.uow()` is a savepoint inside it, committed (released) or rolled back
    as a request's transaction would be. So a test costs milliseconds, not a fresh database."""
    from meetbook.catalog import snapshot
    from meetbook.catalog.snapshot import SnapshotCache

    # A snapshot (re)load ends with a full gc.collect() and gc.freeze(), a memory tuning for a big
    # bank in a long-lived server: ~100 ms in a test process, and each test's new cache loads once.
    # Nothing a use case does depends on it.
    monkeypatch.setattr(snapshot, "_keep_out_of_gc", lambda: None)
    async with engine.connect() as connection:
        outer = await connection.begin()
        sessions = async_sessionmaker(
            connection, expire_on_commit=False, autoflush=True, join_transaction_mode="create_savepoint"
        )
        world = UseCases(sessions, SnapshotCache(), clock, engine.dialect.name)
        try:
            await world.load(b.bank())
            yield world
        finally:
            await outer.rollback()
