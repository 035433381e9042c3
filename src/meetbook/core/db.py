"""Engine, tables' base and the unit of work: one transaction per request or CLI job.

Services never commit. The request scope (see `session` below) commits when the route returns
and rolls back when it raises, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from sqlalchemy import JSON, DateTime, MetaData, event
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from meetbook.core import pipeline
from meetbook.core.errors import Conflict

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@asynccontextmanager
async def refused_as(conflict: Conflict) -> AsyncIterator[None]:
    """A write the database refuses inside the block (an overlapping claim, a duplicate key:
    someone else wrote at the same moment) is this 409. The one place such refusals are mapped;
    what escapes a use case is mapped by the error handlers of core.http."""
    try:
        yield
    except IntegrityError as exc:
        raise conflict from exc


def new_id() -> str:
    """Every row's id: a random UUID, as text on both databases."""
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict: JSON, list: JSON}


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on both databases (SQLite keeps no offset, so store naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, **kwargs) -> AsyncEngine:
    if is_sqlite(url):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        _sqlite_single_writer(engine)
        return engine
    # Ten connections a process and no overflow: a worker runs one request at a time on its core,
    # so more requests wait for a connection rather than open one. Overflow connections are closed
    # as they come back, and under load that churn (a backend started and ended per request) cost
    # about as much CPU as the requests themselves (docs/performance.md, round 5).
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 0)
    engine = create_async_engine(url, **kwargs)
    _on_checkout(engine, ping_when_idle=not kwargs.get("pool_pre_ping"))
    return engine


# A pooled connection unused for this long is pinged before it is handed out.
IDLE_PING_SECONDS = 1.0


def _on_checkout(engine: AsyncEngine, ping_when_idle: bool) -> None:
    """What a PostgreSQL connection gets as the pool hands it out.

    With `ping_when_idle`, pool_pre_ping for connections that sat idle: a database restarted while
    the service was quiet is noticed before a request uses a dead connection. A connection in steady
    use is not pinged (pool_pre_ping's `;` was a round trip per request); if the database restarts
    under traffic, the request that meets a dead connection is answered 503 and the pool is renewed
    (SQLAlchemy's own handling of a lost connection, and core.pipeline's).

    And a connection core.pipeline left in autocommit (a failure between its BEGIN and the end of
    the transaction) goes back to psycopg's own transaction handling."""

    # psycopg deallocates every prepared statement of a connection when it rolls back (its own
    # and core.pipeline's): core.pipeline prepares its own again after any rollback.
    @event.listens_for(engine.sync_engine, "rollback")
    @event.listens_for(engine.sync_engine, "rollback_savepoint")
    def _rolled_back(connection, *_args):
        if connection.invalidated or connection.closed:
            return  # gone, and its statements with it
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection is not None:
            pipeline.forget_prepared(dbapi_connection.driver_connection)

    @event.listens_for(engine.sync_engine, "reset")
    def _reset(dbapi_connection, _record, _state):  # before the pool's own rollback of a returned connection
        raw = dbapi_connection.driver_connection
        if raw.info.transaction_status != raw.info.transaction_status.IDLE:
            pipeline.forget_prepared(raw)

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        if dbapi_connection.driver_connection in pipeline.SWITCHED:
            pipeline.SWITCHED.discard(dbapi_connection.driver_connection)
            dbapi_connection.autocommit = False
        since = record.info.pop("idle_since", None)
        if ping_when_idle and since is not None and time.monotonic() - since > IDLE_PING_SECONDS:
            try:
                alive = engine.dialect.do_ping(dbapi_connection)
            except Exception as exc:  # noqa: BLE001 - whatever the driver raises, the connection is gone
                raise DisconnectionError("the pooled connection is gone") from exc
            if not alive:
                raise DisconnectionError("the pooled connection is gone")


def _sqlite_single_writer(engine: AsyncEngine) -> None:
    """Every SQLite transaction takes the write lock up front (BEGIN IMMEDIATE).

    That makes "check the slot is free, then claim it" atomic across connections and
    processes: the SQLite counterpart of PostgreSQL's exclusion constraint.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let us issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection):
        # Reads need no write lock: under WAL they see a consistent snapshot beside the writer.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


READ_ONLY = "meetbook_read_only"


def make_sessionmaker(engine: AsyncEngine, read_only: bool = False) -> async_sessionmaker[AsyncSession]:
    """Sessions for one transaction each. `read_only` ones skip SQLite's up-front write lock, and
    on PostgreSQL run without a transaction block: a search is a couple of SELECTs, and BEGIN and
    COMMIT would be two more round trips (whatever it reads, reserving and booking check again)."""
    bind = engine
    if read_only:
        bind = engine.execution_options(**{READ_ONLY: True})
        if engine.dialect.name == "postgresql":
            bind = bind.execution_options(isolation_level="AUTOCOMMIT")
    return async_sessionmaker(bind, expire_on_commit=False, autoflush=True)


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One transaction: commit when the block ends normally, roll back when it raises."""
    async with sessions() as session:
        try:
            yield session
            await pipeline.commit(session)
        except BaseException:
            try:
                await session.rollback()
                await pipeline.usual_mode(session)
            except Exception:  # noqa: BLE001 - the connection is broken; the first error is the one to raise
                # (a task cancelled in the middle of a batch must still end cancelled, not with
                # the rollback's "connection closed", which a caller's `except Exception` would swallow)
                logging.getLogger("meetbook").warning("rollback failed; the connection is dropped", exc_info=True)
                with suppress(Exception):
                    await session.invalidate()
            raise
        for callback in session.info.pop(AFTER_COMMIT, ()):
            callback()


# session.info key: callables to run once the unit of work has committed.
AFTER_COMMIT = "meetbook.after_commit"


async def run_in_transaction(url: str, work):
    """`await work(session)` in one transaction on a short-lived engine (CLI jobs, tests)."""
    engine = make_engine(url)
    try:
        async with unit_of_work(make_sessionmaker(engine)) as session:
            return await work(session)
    finally:
        await engine.dispose()


def sync_url(url: str) -> str:
    """The synchronous driver URL for Alembic."""
    return url.replace("+aiosqlite", "").replace("postgresql+psycopg_async", "postgresql+psycopg")
