"""Several statements of one transaction in one round trip to PostgreSQL (psycopg's pipeline mode).

A reserve and a booking are mostly round trips: each statement through the session costs a
network wait and SQLAlchemy's per-statement work. `pipelined` sends a batch of Core statements
together on the session's own connection and transaction, and returns each one's rows. The
statements still run one after another, each seeing what the one before it did (under READ
COMMITTED each also sees what others committed before it started, as it would one at a time).

psycopg would start the transaction with a BEGIN of its own and wait for its answer before the
batch: when a batch is the transaction's first, the driver connection is switched to autocommit and
the batch itself starts with the BEGIN (so the transaction is as explicit as psycopg's own, and its
locks are held until the commit). `commit` sends the pending writes with the COMMIT the same way,
and hands the connection back in its usual mode.

A batch is written with libpq's pipeline mode directly (`_send_batch`): every statement, then one
Sync, one write to the socket and one wait for all the answers. psycopg's pipeline waits on the
event loop once per statement it queues, which was most of a reserve's driver time. Each
statement is prepared once per connection (PostgreSQL plans it once, as psycopg does for a
statement run five times); psycopg deallocates every prepared statement of a connection when it
rolls back, so core.db's rollback hooks call `forget_prepared`. A commit that has ORM objects to
flush still goes through psycopg's pipeline, where SQLAlchemy's flush runs.

On SQLite (and for statements whose text depends on a list's length) the statements run one at
a time through the session: same answers, one round trip each.
"""

from __future__ import annotations

import itertools
import re
import weakref
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

# (statement, dialect, a DML statement's parameter names) -> (SQL text as libpq takes it, the
# parameters' names in $n order, default parameters, bind processors), or None when the statement
# cannot be sent as one fixed text (an expanding IN list).
_compiled: dict[tuple, tuple[bytes, tuple[str, ...], dict, dict] | None] = {}
_kept: list[Executable] = []  # the statements of _compiled's ids, so an id is never reused
_MOST = 500


def _compile(statement: Executable, connection: AsyncConnection, params: dict) -> tuple[bytes, tuple[str, ...], dict, dict] | None:
    # An INSERT or UPDATE without .values() sets the columns its parameters name: one text per set of names.
    columns = tuple(params) if getattr(statement, "is_dml", False) else None
    key = (id(statement), connection.dialect.name, columns)
    try:
        return _compiled[key]
    except KeyError:
        pass
    compiled = statement.compile(dialect=connection.dialect, column_keys=list(columns) if columns is not None else None)
    if compiled.post_compile_params or compiled.literal_execute_params:
        entry = None
    else:
        # Values the statement carries itself (literals, None included); a parameter the caller
        # must give stays out, so that leaving it out is the driver's error, not a silent NULL.
        binds = compiled.binds
        defaults = {k: v for k, v in compiled.params.items() if k not in binds or not binds[k].required}
        entry = (*_numbered(str(compiled)), defaults, dict(compiled._bind_processors))
    if len(_compiled) >= _MOST:  # statements built per call (not as documented) must not grow it for ever
        _compiled.clear()
        _kept.clear()
    _kept.append(statement)
    _compiled[key] = entry
    return entry


_PLACEHOLDER = re.compile(r"%(?:(%)|\((\w+)\)s)")


def _numbered(sql: str) -> tuple[bytes, tuple[str, ...]]:
    """SQLAlchemy's psycopg text (`%(name)s`, `%%`) as libpq takes it (`$1`, `%`), and the
    parameters' names in $n order (a name used twice is one parameter)."""
    order: dict[str, int] = {}

    def number(match: re.Match) -> str:
        if match.group(1):
            return "%"
        return f"${order.setdefault(match.group(2), len(order) + 1)}"

    return _PLACEHOLDER.sub(number, sql).encode(), tuple(order)


async def pipelined(session: AsyncSession, *batch: tuple[Executable, dict[str, Any]]) -> list[list[tuple]]:
    """Run `batch` (statement, parameters) in order in the session's transaction; the rows of
    each (empty for a statement that returns none). Statements must be built once and reused
    (module-level or cached): their compiled text is kept per statement object.

    A database error is raised as SQLAlchemy's (IntegrityError, OperationalError...), as the
    session would; the statements after the failing one do not run."""
    connection = await session.connection()
    sent = _prepared(connection, batch)
    if sent is None:
        answers = []
        for statement, params in batch:
            result = await connection.execute(statement, params)
            answers.append(list(result.all()) if result.returns_rows else [])
        return answers
    import psycopg  # only here: the embedded default runs without PostgreSQL's driver in use

    raw = (await connection.get_raw_connection()).driver_connection
    begin = await _begin_here(session, raw)
    try:
        return await _send_batch(raw, begin, sent, None)
    except psycopg.Error as exc:
        raise await as_sqlalchemys(connection, raw, exc, sent[0][0].decode(), sent[0][1]) from exc


# Statements prepared on each driver connection by _send_batch: (SQL, parameter types, formats) -> name.
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_MOST_PREPARED = 200
_names_made = itertools.count(1)


def forget_prepared(raw) -> None:
    """The connection's prepared statements are gone (psycopg deallocates them all on a rollback)."""
    _PREPARED.pop(raw, None)


def _prepared(connection: AsyncConnection, batch) -> list[tuple[bytes, list]] | None:
    """The batch as libpq takes it (SQL text, parameter values in $n order), or None
    if it cannot go as one (not PostgreSQL, or a statement whose text depends on its parameters)."""
    if connection.dialect.name != "postgresql":
        return None
    sent = []
    for statement, params in batch:
        plan = _compile(statement, connection, params)
        if plan is None:
            return None
        sql, names, defaults, processors = plan
        values = {**defaults, **params}
        for name, process in processors.items():
            if name in values:
                values[name] = process(values[name])
        sent.append((sql, [values[name] for name in names]))
    return sent


async def _send_batch(raw, begin: bytes | None, sent: list[tuple[bytes, list]], end: bytes | None) -> list[list[tuple]]:
    """`begin`, the statements and `end` in libpq's pipeline mode with one Sync: written to the
    socket together and answered together, one wait for the whole batch. (psycopg's own pipeline
    waits on the event loop once per statement it queues: most of a reserve's driver time.)
    The rows of each statement; the first error raised once the batch is over."""
    import psycopg
    from psycopg import generators, pq
    from psycopg.adapt import PyFormat, Transformer

    pgconn = raw.pgconn
    known = _PREPARED.setdefault(raw, {})
    made: dict[tuple, bytes] = {}
    loaders: list[Transformer] = []
    async with raw.lock:
        pgconn.enter_pipeline_mode()
        try:
            if begin is not None:
                pgconn.send_query_params(begin, None)
            for sql, values in sent:
                tx = Transformer(raw)
                dumped = tx.dump_sequence(values, [PyFormat.AUTO] * len(values))
                # Prepared once per connection and kind of parameters (psycopg keys its own the same
                # way): PostgreSQL plans the statement once, not for every reserve.
                key = (sql, tuple(tx.types or ()), tuple(tx.formats or ()))
                name = known.get(key) or made.get(key)
                if name is None and len(known) + len(made) < _MOST_PREPARED:
                    name = made[key] = b"meetbook_%d" % next(_names_made)
                    pgconn.send_prepare(name, sql, param_types=tx.types)
                    loaders.append(None)  # the Parse's own answer
                if name is None:
                    pgconn.send_query_params(sql, dumped, param_types=tx.types, param_formats=tx.formats)
                else:
                    pgconn.send_query_prepared(name, dumped, param_formats=tx.formats)
                loaders.append(tx)
            if end is not None:
                pgconn.send_query_params(end, None)
            pgconn.pipeline_sync()
            await raw.wait(generators.send(pgconn))
            answers, error = [], None
            for tx in [None] * (begin is not None) + loaders + [None] * (end is not None):
                results = await raw.wait(generators.fetch_many(pgconn))
                result = results[-1] if results else None
                if result is not None and result.status == pq.ExecStatus.FATAL_ERROR and error is None:
                    error = psycopg.errors.error_from_result(result, encoding=raw.info.encoding)
                    if isinstance(error, psycopg.errors.InvalidSqlStatementName):
                        known.clear()  # deallocated behind our back: made again from the next transaction
                if tx is not None:
                    rows = []
                    if result is not None and result.status == pq.ExecStatus.TUPLES_OK:
                        tx.set_pgresult(result)
                        rows = tx.load_rows(0, result.ntuples, tuple)
                    answers.append(rows)
            await raw.wait(generators.fetch_many(pgconn))  # the Sync's answer
            if error is None:  # after a failure some may not exist: they are made again, under new names
                known.update(made)
        finally:
            if pgconn.status == pq.ConnStatus.OK:
                try:
                    pgconn.exit_pipeline_mode()
                except psycopg.OperationalError:
                    pgconn.finish()  # answers left unread (an interrupted batch): the connection cannot be used again
    if error is not None:
        raise error
    return answers


async def as_sqlalchemys(connection: AsyncConnection, raw, exc: Exception, sql: str, values) -> DBAPIError:
    """A driver error raised on the session's connection outside SQLAlchemy (a batch, a raw read),
    as SQLAlchemy would have raised it."""
    import psycopg

    lost = raw.broken or raw.closed
    if lost:  # as SQLAlchemy does on a lost connection: this one and the rest of the pool go
        await connection.invalidate(exc)
        await connection.engine.dispose(close=False)
    return DBAPIError.instance(sql, values, exc, psycopg.Error, connection_invalidated=lost)


# session.info key: Core statements to run after the session's pending objects are written, just
# before the commit (see `defer`).
DEFERRED = "meetbook.deferred_statements"


def defer(session: AsyncSession, statement: Executable, params: dict[str, Any]) -> None:
    """Run `statement` when the transaction commits, after the session's pending objects are
    written (so it may refer to rows added to the session), in the order deferred; forgotten if
    it rolls back. On PostgreSQL they go in the commit's one round trip (see `commit`). A refusal
    fails the commit, so defer only writes that the locks taken and the checks made guarantee."""
    session.info.setdefault(DEFERRED, []).append((statement, params))


@event.listens_for(Session, "before_commit")
def _run_deferred(session: Session) -> None:
    deferred = session.info.pop(DEFERRED, None)
    if deferred:
        session.flush()
        connection = session.connection()
        for statement, params in deferred:
            connection.execute(statement, params)


@event.listens_for(Session, "after_rollback")
def _forget_deferred(session: Session) -> None:
    session.info.pop(DEFERRED, None)


# Driver connections switched to autocommit to send their transaction's BEGIN in a batch (see
# _begin_here); core.db switches back any that a failure left so, when the pool hands it out again.
SWITCHED: weakref.WeakSet = weakref.WeakSet()
_SWITCHED_HERE = "meetbook.switched_connection"  # session.info: this session's switched driver connection


async def _begin_here(session: AsyncSession, raw) -> bytes | None:
    """The BEGIN to send at the head of a batch, when the batch starts the transaction."""
    import psycopg

    if raw.autocommit or raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        return None  # in a transaction already, or a session that wants none (a read on autocommit)
    await raw.set_autocommit(True)
    SWITCHED.add(raw)
    session.info[_SWITCHED_HERE] = raw
    command = b"BEGIN"
    if raw.isolation_level is not None:
        command += b" ISOLATION LEVEL " + raw.isolation_level.name.replace("_", " ").encode()
    if raw.read_only is not None:
        command += b" READ ONLY" if raw.read_only else b" READ WRITE"
    return command


async def usual_mode(session: AsyncSession) -> None:
    """Once the transaction is over (committed or rolled back): the driver connection back under
    psycopg's own transaction handling (see _begin_here)."""
    raw = session.info.pop(_SWITCHED_HERE, None)
    if raw is not None and not raw.closed and raw.info.transaction_status == raw.info.transaction_status.IDLE:
        SWITCHED.discard(raw)
        await raw.set_autocommit(False)


async def commit(session: AsyncSession) -> None:
    """Commit the session: on PostgreSQL its pending writes, the deferred statements and COMMIT in
    one round trip (Core statements alone as one `_send_batch`; with ORM objects to flush, in
    psycopg's pipeline, where the flush can run), unless a pending row needs a value back from the
    database (a serial key): then as usual."""
    # A session on an engine owns its transaction; one on a connection joined an outer transaction
    # (a savepoint of the use-case tests), whose COMMIT is not the session's to send.
    if not session.in_transaction() or session.bind.dialect.name != "postgresql" or not isinstance(session.bind, AsyncEngine):
        await session.commit()
        return
    import psycopg

    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    status = raw.info.transaction_status
    orm = bool(session.new or session.dirty or session.deleted)
    writes = orm or bool(session.info.get(DEFERRED))
    in_transaction = status == psycopg.pq.TransactionStatus.INTRANS
    starts = status == psycopg.pq.TransactionStatus.IDLE and not raw.autocommit and writes
    if not (in_transaction or starts) or not _answers_not_needed(session):
        await session.commit()
        await usual_mode(session)
        return
    deferred = session.info.pop(DEFERRED, [])
    sent = _prepared(connection, deferred)
    if sent is None:  # left to the before-commit hook, through SQLAlchemy
        session.info[DEFERRED], sent = deferred, []
    begin = await _begin_here(session, raw) if starts else None
    try:
        if not (orm or session.info.get(DEFERRED) or _hooks_have_work(session)):
            await _send_batch(raw, begin, sent, b"COMMIT")  # Core statements only: one batch with the COMMIT
        else:
            async with raw.pipeline():
                if begin is not None:
                    await raw.execute(begin)
                # What session.commit() would write first: the flush, the deferred statements, then the
                # other before-commit hooks (the audit entries); they find nothing left when it runs below.
                if orm:
                    await session.flush()
                for sql, values in sent:
                    await psycopg.AsyncRawCursor(raw).execute(sql, values)
                await session.run_sync(_before_commit)
                await raw.execute(b"COMMIT")
    except psycopg.Error as exc:  # raised by the pipeline itself, not through SQLAlchemy
        raise await as_sqlalchemys(connection, raw, exc, "COMMIT", {}) from exc
    await session.commit()  # SQLAlchemy's own bookkeeping: the driver has no transaction left to commit
    await usual_mode(session)


# Checks that a session has work for a before-commit hook (a layer above registers its own: the
# audit trail's pending entries); without any, a commit of Core statements skips the ORM's flush.
BEFORE_COMMIT_WORK: list = []


def _hooks_have_work(session: AsyncSession) -> bool:
    return any(has_work(session.sync_session) for has_work in BEFORE_COMMIT_WORK)


def _before_commit(session: Session) -> None:
    session.flush()
    session.dispatch.before_commit(session)


def _answers_not_needed(session: AsyncSession) -> bool:
    """The flush needs no answer from the database in the middle of the batch: no new row waits
    for a value the database makes (a serial key, a server default: INSERT ... RETURNING), and no
    ORM UPDATE or DELETE (the ORM checks each one's row count, which pipeline mode gives only at
    the end)."""
    if session.dirty or session.deleted:
        return False
    for obj in session.new:
        mapper = inspect(obj).mapper
        for column in mapper.columns:
            made_there = column.server_default is not None or (
                column.primary_key and (column.default is None or getattr(column.default, "is_sequence", False)))
            if made_there and getattr(obj, mapper.get_property_by_column(column).key) is None:
                return False
    return True
