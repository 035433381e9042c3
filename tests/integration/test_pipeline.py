"""Statements sent together in one round trip (core.pipeline) behave as the same statements one at a
time: in order, in the request's transaction, with the database's refusals raised as SQLAlchemy's,
writes deferred to the commit refused there as anywhere else, and the connection left as it was
found; and a pooled connection the database dropped is noticed (core.db's ping of idle connections)."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from sqlalchemy import bindparam, func, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from meetbook.core import db
from meetbook.core.db import make_engine, make_sessionmaker, unit_of_work
from meetbook.core.pipeline import defer, pipelined
from meetbook.tables.claims import ClaimRow

_INSERT = insert(ClaimRow.__table__)
_COUNT = select(func.count()).select_from(ClaimRow.__table__).where(ClaimRow.resource == bindparam("resource"))
_EXPANDING = select(ClaimRow.id).where(ClaimRow.id.in_(bindparam("ids", expanding=True))).order_by(ClaimRow.id)


def _claim(n: int, start: int = 0) -> dict:
    return {"id": f"c{n}", "resource": "employee:e1", "start_s": start, "end_s": start + 60, "meeting_seconds": 60,
            "hold_id": None, "meeting_id": None, "expires_s": None}


def _run(url: str, work, **engine_options):
    async def go():
        engine = make_engine(url, **engine_options)
        try:
            return await work(engine, make_sessionmaker(engine))
        finally:
            await engine.dispose()
    return asyncio.run(go())


def test_statements_run_in_order_in_the_transaction_and_return_their_rows(database_url):
    async def work(_engine, sessions):
        async with unit_of_work(sessions) as session:
            first, after_one, second, after_two, listed = await pipelined(
                session, (_INSERT, _claim(1, 0)), (_COUNT, {"resource": "employee:e1"}),
                (_INSERT, _claim(2, 100)), (_COUNT, {"resource": "employee:e1"}), (_EXPANDING, {"ids": ["c1", "c2", "c9"]}))
        async with unit_of_work(sessions) as session:
            stored = (await pipelined(session, (_COUNT, {"resource": "employee:e1"})))[0]
        return first, after_one, second, after_two, listed, stored

    first, after_one, second, after_two, listed, stored = _run(database_url, work)
    assert first == [] and second == []  # an INSERT returns no rows
    assert after_one == [(1,)] and after_two == [(2,)]  # each statement sees the ones before it
    assert listed == [("c1",), ("c2",)]
    assert stored == [(2,)]  # committed with the unit of work


def test_a_refusal_is_sqlalchemys_error_and_nothing_of_the_transaction_stays(database_url):
    overlapping = {**_claim(2, 30)}  # the exclusion constraint (SQLite: the same id) refuses it

    async def work(_engine, sessions):
        with pytest.raises(IntegrityError):
            async with unit_of_work(sessions) as session:
                await pipelined(session, (_INSERT, _claim(1, 0)), (_INSERT, {**overlapping, "id": "c1"}),
                                (_INSERT, _claim(3, 1000)))
        async with unit_of_work(sessions) as session:
            return (await pipelined(session, (_COUNT, {"resource": "employee:e1"})))[0]

    assert _run(database_url, work) == [(0,)]


@pytest.fixture
def postgres_url(request):
    from tests.conftest import fresh_database

    return fresh_database(request, "postgresql", request.getfixturevalue("tmp_path"))


def _terminate(url: str, pids: list[int]) -> None:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        for pid in pids:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))


async def _backend_pid(sessions) -> int:
    async with unit_of_work(sessions) as session:
        return (await pipelined(session, (text("SELECT pg_backend_pid()"), {})))[0][0][0]


def test_a_dropped_connection_in_use_fails_one_request_and_the_next_gets_a_new_one(postgres_url, monkeypatch):
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 3600.0)  # as under steady traffic: no ping

    async def work(_engine, sessions):
        pid = await _backend_pid(sessions)
        _terminate(postgres_url, [pid])
        with pytest.raises(DBAPIError) as refused:
            async with unit_of_work(sessions) as session:
                await pipelined(session, (_COUNT, {"resource": "employee:e1"}))
        assert refused.value.connection_invalidated
        return pid, await _backend_pid(sessions)

    old, new = _run(postgres_url, work)
    assert new != old


def test_a_connection_dropped_while_idle_is_replaced_before_a_request_uses_it(postgres_url, monkeypatch):
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # every checkout counts as after a quiet spell

    async def work(_engine, sessions):
        pid = await _backend_pid(sessions)
        _terminate(postgres_url, [pid])
        async with unit_of_work(sessions) as session:  # no error: the ping found it gone
            rows = (await pipelined(session, (_COUNT, {"resource": "employee:e1"})))[0]
        return pid, rows, await _backend_pid(sessions)

    old, rows, new = _run(postgres_url, work)
    assert rows == [(0,)] and new != old


_ANNA = "employee:e1"


def test_a_write_deferred_to_the_commit_and_refused_there_fails_the_commit_and_stores_nothing(postgres_url):
    """The exclusion constraint stays the guarantee for a write sent with the COMMIT: another
    transaction claims the time first (without the advisor's lock), the commit is refused with the
    overlap's SQLSTATE (answered 409 by the HTTP layer), and nothing of the transaction stays."""
    import psycopg as driver

    async def work(_engine, sessions):
        with pytest.raises(IntegrityError) as refused:
            async with unit_of_work(sessions) as session:
                await pipelined(session, (_COUNT, {"resource": _ANNA}))  # the transaction has begun
                defer(session, _INSERT, _claim(1, 0))
                defer(session, _INSERT, _claim(2, 1000))
                with driver.connect(postgres_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as other:
                    other.execute("INSERT INTO claims (id, resource, start_s, end_s, meeting_seconds) VALUES ('x', %s, 30, 90, 60)",
                                  (_ANNA,))
        async with unit_of_work(sessions) as session:
            stored = (await pipelined(session, (select(ClaimRow.id).order_by(ClaimRow.id), {})))[0]
        return refused.value.orig.sqlstate, stored

    sqlstate, stored = _run(postgres_url, work)
    assert sqlstate == "23P01" and stored == [("x",)]


def test_after_a_pipelined_transaction_the_connection_is_transactional_again(database_url):
    """A batch that began the transaction itself (the driver in autocommit for it) leaves the pooled
    connection as it found it: a later request's writes are still rolled back with it."""

    async def work(_engine, sessions):
        async with unit_of_work(sessions) as session:  # begins in a batch, commits in one
            await pipelined(session, (_INSERT, _claim(1, 0)))
        with pytest.raises(IntegrityError):
            async with unit_of_work(sessions) as session:  # begins in a batch, refused in it
                await pipelined(session, (_INSERT, _claim(2, 1000)), (_INSERT, {**_claim(3, 2000), "id": "c1"}))
        with pytest.raises(RuntimeError):
            async with unit_of_work(sessions) as session:  # a plain statement, then a failure in Python
                await session.execute(_INSERT, _claim(4, 3000))
                raise RuntimeError("the use case fails after writing")
        async with unit_of_work(sessions) as session:
            return (await pipelined(session, (select(ClaimRow.id).order_by(ClaimRow.id), {})))[0]

    assert _run(database_url, work) == [("c1",)]


_PREPARED_HERE = text("SELECT name FROM pg_prepared_statements WHERE name LIKE 'meetbook%'")


def test_statements_are_prepared_once_per_connection_and_made_again_after_psycopg_drops_them(postgres_url):
    """A batch's statements are planned once per connection (prepared), and still run after psycopg
    has deallocated every prepared statement of the connection, which it does on each rollback
    once it has prepared statements of its own (after five runs of one statement)."""

    async def work(_engine, sessions):
        seen = []
        for _ in range(3):
            async with unit_of_work(sessions) as session:
                count, names = await pipelined(session, (_COUNT, {"resource": "employee:e1"}), (_PREPARED_HERE, {}))
                seen.append(sorted(names))
        # psycopg prepares its own after five runs; a rollback then deallocates them all, ours too
        async with sessions() as session:
            for _ in range(6):
                await session.execute(_COUNT, {"resource": "employee:e1"})
            await session.rollback()
        async with unit_of_work(sessions) as session:
            again, names_after = await pipelined(session, (_COUNT, {"resource": "employee:e1"}), (_PREPARED_HERE, {}))
        # dropped behind the service's back (no rollback it could see): one batch fails, the next works
        async with sessions() as session:
            await session.execute(text("DEALLOCATE ALL"))
            await session.commit()
        with pytest.raises(DBAPIError, match="does not exist"):
            async with unit_of_work(sessions) as session:
                await pipelined(session, (_COUNT, {"resource": "employee:e1"}))
        async with unit_of_work(sessions) as session:
            last = (await pipelined(session, (_COUNT, {"resource": "employee:e1"})))[0]
        return count, seen, again, names_after, last

    count, seen, again, names_after, last = _run(postgres_url, work, pool_size=1)  # every batch on one connection
    assert count == [(0,)] and again == [(0,)] and last == [(0,)]
    assert len(seen[0]) == 2 and seen[1] == seen[0] and seen[2] == seen[0]  # prepared by the first batch, then reused
    assert len(names_after) == 2 and sorted(names_after) != seen[0]  # made again, under new names


def test_a_statement_text_in_libpq_form():
    from meetbook.core.pipeline import _numbered

    sql, names = _numbered("SELECT %(a)s, %(b)s, %(a)s, 'x%%y' LIKE %(c)s")
    assert sql == b"SELECT $1, $2, $1, 'x%y' LIKE $3"
    assert names == ("a", "b", "c")


def test_a_unit_of_work_cancelled_in_the_middle_of_a_batch_ends_cancelled_and_the_pool_recovers(postgres_url):
    """A task cancelled while its batch runs (a server shutting down its dispatcher) ends with
    CancelledError, not with the failed rollback of its interrupted connection, which a caller's
    `except Exception` would take for an ordinary failure and carry on; the next unit of work
    gets a working connection."""

    async def work(_engine, sessions):
        started = asyncio.Event()

        async def slow():
            async with unit_of_work(sessions) as session:
                started.set()
                await pipelined(session, (text("SELECT pg_sleep(30)"), {}), (_COUNT, {"resource": "employee:e1"}))

        task = asyncio.create_task(slow())
        await started.wait()
        for _ in range(200):  # until the batch is running on the server (bounded: 10 s)
            with psycopg.connect(postgres_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
                if conn.execute("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%'").fetchone()[0]:
                    break
            await asyncio.sleep(0.05)
        task.cancel()
        outcome = (await asyncio.gather(task, return_exceptions=True))[0]
        async with unit_of_work(sessions) as session:
            after = (await pipelined(session, (_COUNT, {"resource": "employee:e1"})))[0]
        return outcome, after

    outcome, after = _run(postgres_url, work, pool_size=1)
    assert isinstance(outcome, asyncio.CancelledError), repr(outcome)
    assert after == [(0,)]
