"""Several statements of one transaction in one round trip to PostgreSQL (psycopg's pipeline mode).

A reserve and a booking are mostly round trips: each statement through the session costs a
network wait and SQLAlchemy's per-statement work. `pipelined` sends a batch of Core statements
together on the session's own connection and transaction, and returns each one's rows. The
statements still run one after another, each seeing what the one before it did (under READ
COMMITTED each also sees what others committed before it started, as it would one at a time).

On SQLite (and for statements whose text depends on a list's length) the statements run one at
a time through the session: same answers, one round trip each.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.expression import Executable

# (statement, dialect) -> (SQL text, default parameters, bind processors), or None when the
# statement cannot be sent as one fixed text (an expanding IN list).
_compiled: dict[tuple[int, str], tuple[str, dict, dict] | None] = {}
_kept: list[Executable] = []  # the statements of _compiled's ids, so an id is never reused


def _compile(statement: Executable, connection: AsyncConnection) -> tuple[str, dict, dict] | None:
    key = (id(statement), connection.dialect.name)
    try:
        return _compiled[key]
    except KeyError:
        pass
    compiled = statement.compile(dialect=connection.dialect)
    if compiled.post_compile_params or compiled.literal_execute_params:
        entry = None
    else:
        defaults = {k: v for k, v in compiled.params.items() if v is not None}
        entry = (str(compiled), defaults, dict(compiled._bind_processors))
    _kept.append(statement)
    _compiled[key] = entry
    return entry


async def pipelined(session: AsyncSession, *batch: tuple[Executable, dict[str, Any]]) -> list[list[tuple]]:
    """Run `batch` (statement, parameters) in order in the session's transaction; the rows of
    each (empty for a statement that returns none). Statements must be built once and reused
    (module-level or cached): their compiled text is kept per statement object.

    A database error is raised as SQLAlchemy's (IntegrityError, OperationalError...), as the
    session would; the statements after the failing one do not run."""
    connection = await session.connection()
    plans = [_compile(s, connection) if connection.dialect.name == "postgresql" else None for s, _ in batch]
    if any(p is None for p in plans):
        answers = []
        for statement, params in batch:
            result = await connection.execute(statement, params)
            answers.append(list(result.all()) if result.returns_rows else [])
        return answers
    import psycopg  # only here: the embedded default runs without PostgreSQL's driver in use

    raw = (await connection.get_raw_connection()).driver_connection
    sent: list[tuple[str, dict]] = []
    for (sql, defaults, processors), (_, params) in zip(plans, batch, strict=True):
        values = {**defaults, **params}
        for name, process in processors.items():
            if name in values:
                values[name] = process(values[name])
        sent.append((sql, values))
    cursors = []
    try:
        async with raw.pipeline():
            for sql, values in sent:
                cursor = raw.cursor()
                await cursor.execute(sql, values)
                cursors.append(cursor)
        return [await c.fetchall() if c.description is not None else [] for c in cursors]
    except psycopg.Error as exc:
        lost = raw.broken or raw.closed
        if lost:  # as SQLAlchemy does on a lost connection: this one and the rest of the pool go
            await connection.invalidate(exc)
            await connection.engine.dispose(close=False)
        sql, values = sent[0]
        raise DBAPIError.instance(sql, values, exc, psycopg.Error, connection_invalidated=lost) from exc
