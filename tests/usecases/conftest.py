"""Use cases called directly, without HTTP, so a rule is tested in milliseconds.

`uc` gives a test what a request gives a use case: sessions on a migrated database of each kind
(SQLite and PostgreSQL) holding the small bank of tests/bankdata.py, a snapshot cache, principals
(`uc.customer()`, `uc.employee()`, `uc.admin()`) and the fixed clock's now (`uc.now`; move it with
`uc.clock.advance(minutes=5)`). Each step runs in one unit of work, as a request's transaction
(committed when the block ends, rolled back when it raises):

    async with uc.uow() as session:
        hold = await reservations.service.reserve(session, uc.cache, request, uc.customer("c-1"), uc.now)

tests/usecases/steps.py has the booking flow's steps that way. Each test module sets
`pytestmark = pytest.mark.anyio` (anyio's pytest plugin; anyio comes with Starlette).
"""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from meetbook.auth.tokens import IMPLIED, Principal
from meetbook.bankfile.service import import_bank, parse
from meetbook.catalog import snapshot
from meetbook.catalog.snapshot import SnapshotCache
from meetbook.core.clock import FixedClock
from meetbook.core.db import unit_of_work
from tests import bankdata as b


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    """For anyio's pytest plugin. Module scope: one event loop for a module's tests, so the module's
    engine and connection live across them."""
    return "asyncio"


@dataclass
class UseCases:
    """What a request hands to a use case, without the request."""

    sessions: async_sessionmaker[AsyncSession]
    cache: SnapshotCache
    clock: FixedClock
    kind: str  # "sqlite" or "postgresql"

    @property
    def now(self) -> dt.datetime:
        return self.clock.now()

    def uow(self) -> AbstractAsyncContextManager[AsyncSession]:
        """One transaction, as one request has: committed when the block ends, rolled back when it raises."""
        return unit_of_work(self.sessions)

    @staticmethod
    def customer(subject: str | None = None) -> Principal:
        return Principal(subject=subject or f"customer-{uuid.uuid4().hex[:8]}", scopes=frozenset(IMPLIED["customer"]))

    @staticmethod
    def employee(subject: str | None = None) -> Principal:
        return Principal(subject=subject or f"employee-{uuid.uuid4().hex[:8]}", scopes=frozenset(IMPLIED["employee"]))

    @staticmethod
    def admin(subject: str | None = None) -> Principal:
        return Principal(subject=subject or f"admin-{uuid.uuid4().hex[:8]}", scopes=frozenset(IMPLIED["admin"]))

    async def load(self, document: dict) -> None:
        """Import a bank definition (upsert), as `meetbook import` does."""
        async with self.uow() as session:
            await import_bank(session, parse(document))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def engine(request, tmp_path_factory, anyio_backend):
    """A fresh migrated database of each kind (tests/conftest.py's `fresh_database`), one per
    module; nothing is ever committed to it (see `banked`)."""
    from meetbook.core.db import make_engine
    from tests.conftest import fresh_database

    url = fresh_database(request, request.param, tmp_path_factory.mktemp("usecases"))
    engine = make_engine(url)
    yield engine
    await engine.dispose()


def _sessions(connection) -> async_sessionmaker[AsyncSession]:
    """Sessions as make_sessionmaker's, but inside the connection's open transaction: a session's
    commit releases a savepoint, its rollback goes back to it."""
    return async_sessionmaker(connection, expire_on_commit=False, autoflush=True, join_transaction_mode="create_savepoint")


@pytest.fixture(scope="module")
async def banked(engine):
    """One connection per module with the test bank (tests/bankdata.py) loaded in a transaction
    that is never committed: each test works in a savepoint of it, rolled back at its end."""
    async with engine.connect() as connection:
        outer = await connection.begin()
        try:
            async with unit_of_work(_sessions(connection)) as session:
                await import_bank(session, parse(b.bank()))
            yield connection
        finally:
            await outer.rollback()


@pytest.fixture
async def uc(banked, clock, monkeypatch):
    """The use cases' world: the test bank, a new snapshot cache, the fixed clock. The test runs in
    a savepoint rolled back at its end, and each `uc.uow()` in a savepoint inside that, released
    or rolled back as a request's transaction would be committed or rolled back. So a test costs
    milliseconds, not a fresh database and a bank import."""
    # A snapshot (re)load ends with a full gc.collect() and gc.freeze(), a memory tuning for a big
    # bank in a long-lived server: ~100 ms in a test process, and each test's new cache loads once.
    # Nothing a use case does depends on it.
    monkeypatch.setattr(snapshot, "_keep_out_of_gc", lambda: None)
    test = await banked.begin_nested()
    try:
        yield UseCases(_sessions(banked), SnapshotCache(), clock, banked.dialect.name)
    finally:
        await test.rollback()
