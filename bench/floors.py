"""Floors: what the same work costs without the service around it, measured in the same run.

- read floor: the busy-interval queries of a search, issued straight on the database from Python
  (psycopg on PostgreSQL, sqlite3 on SQLite), fetching every row. The SQL is not retyped: it is
  captured from the service itself, by running the scenario's request once in this process and
  recording the SELECTs on `claims` and `calendar_entries` (a SQLAlchemy cursor event), so it
  stays the SQL the service issues for that request whenever `slots/occupancy.py` changes.
- write floor: the writes of one reserve, straight on PostgreSQL in one transaction (advisory
  locks on the token and the advisor, insert the hold, insert its claim, commit), on slots far
  in the future that no search reads.
- JSON floor: uvicorn serving a bare ASGI app (bench.bare_asgi) that answers with a body as
  large as the scenario's answer; measured with the same load generator and concurrency.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass

import psycopg
from sqlalchemy import event

from bench.loadgen import Connection, Run, close_all, closed_loop, open_connections
from bench.machine import TICK, process_jiffies

# The DB floors never open more than this many connections (PostgreSQL's default
# max_connections is 100 and the server's own pools stay open meanwhile).
MAX_DB_CONNECTIONS = 32


@dataclass
class Statement:
    sql: str
    params: object


_BUSY_READ = re.compile(r"\bFROM\s+(claims|calendar_entries)\b", re.IGNORECASE)


async def capture_request_reads(database_url: str, path: str, token: str) -> list[Statement]:
    """The busy-interval reads (the SELECTs on claims and calendar_entries, with their parameters)
    that the service issues for this request, captured by running the request once through the
    application in this process. Whatever `slots.occupancy` does (filters, widening), the floor
    replays exactly that."""
    from bench.inproc import application, bearer, call

    seen: list[Statement] = []
    async with application(database_url) as app:
        await call(app, path, bearer(token), keep_body=False)  # the snapshot loads on the first request
        capturing = True

        @event.listens_for(app.state.engine.sync_engine, "before_cursor_execute")
        def _record(_conn, _cursor, statement, parameters, _context, _executemany):
            if capturing and statement.lstrip().upper().startswith("SELECT") and _BUSY_READ.search(statement):
                seen.append(Statement(statement, parameters))

        answer = await call(app, path, bearer(token), keep_body=False)
        capturing = False
    if answer.status != 200 or not seen:
        raise RuntimeError(f"could not capture the reads of {path}: status {answer.status}, {len(seen)} statements")
    return seen


def _plain_pg(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


async def pg_read_floor(database_url: str, statements: list[Statement], *, concurrency: int, duration: float,
                        max_ops: int | None = None) -> Run:
    """Each operation: the statements in one transaction, every row fetched, then commit."""
    n = max(1, min(concurrency, MAX_DB_CONNECTIONS))
    conns = [await psycopg.AsyncConnection.connect(_plain_pg(database_url)) for _ in range(n)]

    async def op(conn, _i, run: Run) -> None:
        t0 = time.perf_counter()
        rows = 0
        try:
            for st in statements:
                cur = await conn.execute(st.sql, st.params)
                rows += len(await cur.fetchall())
            await conn.commit()
        except BaseException:
            await conn.rollback()
            raise
        run.latencies.append(time.perf_counter() - t0)
        run.extra["rows"] = rows

    try:
        return await closed_loop(conns, op, duration=duration, max_ops=max_ops, warmup_ops=2)
    finally:
        for c in conns:
            await c.close()


def sqlite_read_floor(path: str, statements: list[Statement], *, concurrency: int, duration: float,
                      max_ops: int | None = None) -> Run:
    """The same on SQLite, one thread and connection per client (sqlite3 releases the GIL while it reads)."""
    run = Run()
    deadline = time.perf_counter() + duration
    counter = iter(range(10**12))
    lock = threading.Lock()

    def client() -> None:
        try:
            measure()
        except Exception as exc:  # noqa: BLE001
            with lock:
                run.failures.append(f"{type(exc).__name__}: {exc}")

    def measure() -> None:
        conn = sqlite3.connect(path, check_same_thread=False)
        try:
            for _ in range(2):  # warm-up
                for st in statements:
                    conn.execute(st.sql, st.params).fetchall()
            while time.perf_counter() < deadline:
                with lock:
                    i = next(counter)
                if max_ops is not None and i >= max_ops:
                    return
                t0 = time.perf_counter()
                rows = 0
                for st in statements:
                    rows += len(conn.execute(st.sql, st.params).fetchall())
                conn.commit()
                with lock:
                    run.latencies.append(time.perf_counter() - t0)
                    run.extra["rows"] = rows
        finally:
            conn.close()

    started, cpu0 = time.perf_counter(), time.process_time()
    threads = [threading.Thread(target=client) for _ in range(max(1, concurrency))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.elapsed = time.perf_counter() - started
    run.cpu = time.process_time() - cpu0
    return run


async def pg_write_floor(database_url: str, employee_ids: list[str], *, concurrency: int, duration: float,
                         max_ops: int | None = None, buffer_seconds: int = 900) -> Run:
    """One reserve's writes: lock token and advisor, insert a hold and its claim, commit.

    Slots are one hour each, an hour and a half apart per advisor, from 2100 on: distinct,
    never overlapping, and outside every search window. Deleted again at the end."""
    n = max(1, min(concurrency, MAX_DB_CONNECTIONS))
    conns = [await psycopg.AsyncConnection.connect(_plain_pg(database_url)) for _ in range(n)]
    base = int(dt.datetime(2100, 1, 1, tzinfo=dt.UTC).timestamp())
    made: list[str] = []

    async def op(conn, i, run: Run) -> None:
        try:
            await _reserve_writes(conn, i, run)
        except BaseException:
            await conn.rollback()  # never leave a transaction (and its locks) open
            raise

    async def _reserve_writes(conn, i, run: Run) -> None:
        k = i if i >= 0 else 200_000 - i  # warm-up operations have negative numbers
        employee = employee_ids[k % len(employee_ids)]
        start = base + (k // len(employee_ids)) * 5400
        end = start + 3600
        now = dt.datetime.now(dt.UTC)
        hold_id, token = str(uuid.uuid4()), str(uuid.uuid4())
        t0 = time.perf_counter()
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"token:{token}",))
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"employee:{employee}",))
        await conn.execute(
            'INSERT INTO holds (id, token, employee_id, start, "end", expires_at, date_created, date_modified) '
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (hold_id, token, employee, dt.datetime.fromtimestamp(start, dt.UTC), dt.datetime.fromtimestamp(end, dt.UTC),
             now + dt.timedelta(minutes=5), now, now),
        )
        await conn.execute(
            "INSERT INTO claims (id, resource, start_s, end_s, meeting_seconds, hold_id, expires_s) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (str(uuid.uuid4()), f"employee:{employee}", start, end + buffer_seconds, 3600, hold_id, int(now.timestamp()) + 300),
        )
        await conn.commit()
        run.latencies.append(time.perf_counter() - t0)
        made.append(hold_id)

    backends = []
    for c in conns:
        backends.append((await (await c.execute("SELECT pg_backend_pid()")).fetchone())[0])
        await c.commit()
    try:
        # CPU per write, as the service's column counts it: the client (psycopg, and this process's
        # loop driving it) and the database backends, over the whole run (warm-up writes included).
        cpu0, jiffies0 = time.process_time(), process_jiffies(backends)
        run = await closed_loop(conns, op, duration=duration, max_ops=max_ops, warmup_ops=2)
        done = run.count + 2 * len(conns)
        if done:
            pg_s = (process_jiffies(backends) - jiffies0) / TICK
            run.extra["cpu_ms_per_op"] = (time.process_time() - cpu0 + pg_s) * 1000 / done
        return run
    finally:
        for c in conns:
            await c.close()
        async with await psycopg.AsyncConnection.connect(_plain_pg(database_url)) as conn:
            await conn.execute("DELETE FROM holds WHERE start >= %s", (dt.datetime.fromtimestamp(base, dt.UTC),))
            await conn.commit()


async def bare_floor(port: int, size: int, *, concurrency: int, duration: float, max_ops: int | None = None) -> Run:
    """uvicorn + a bare ASGI app answering `size` bytes, same load generator, same concurrency."""
    conns = await open_connections("127.0.0.1", port, concurrency, lambda _i: {})
    path = f"/size/{size}"

    async def op(conn: Connection, _i, run: Run) -> None:
        raw = conn.build("GET", path)
        t0 = time.perf_counter()
        r = await conn.send(raw, keep_body=False)
        run.latencies.append(time.perf_counter() - t0)
        run.statuses[r.status] += 1
        run.body_bytes = r.size

    try:
        return await closed_loop(conns, op, duration=duration, max_ops=max_ops, warmup_ops=2)
    finally:
        close_all(conns)


async def null_ceiling(port: int, *, concurrency: int, duration: float, max_ops: int | None = None) -> Run:
    """The load generator against the null server: its own ceiling on this machine."""
    conns = await open_connections("127.0.0.1", port, concurrency, lambda _i: {})

    async def op(conn: Connection, _i, run: Run) -> None:
        raw = conn.build("GET", "/")
        t0 = time.perf_counter()
        r = await conn.send(raw)
        run.latencies.append(time.perf_counter() - t0)
        run.statuses[r.status] += 1

    try:
        return await closed_loop(conns, op, duration=duration, max_ops=max_ops, warmup_ops=2)
    finally:
        close_all(conns)
