"""Idempotency-Key on POSTs that create: a retry gets the first answer, not a second resource."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from sqlalchemy import JSON, Integer, String, Text, bindparam, delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from starlette.requests import Request
from starlette.responses import Response

from meetbook.core.db import Base, UTCDateTime
from meetbook.core.errors import Conflict, Invalid
from meetbook.core.pipeline import defer, pipelined
from meetbook.core.wire import plain_line

KEEP = dt.timedelta(hours=24)


class IdempotencyRow(Base):
    """The first answer to a POST carrying an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)  # "<subject>|<path>|<key>"
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)  # e.g. Location, replayed as sent
    date_created: Mapped[dt.datetime] = mapped_column(UTCDateTime())


def _row_key(subject: str, path: str, key: str) -> str:
    if not 1 <= len(key) <= 200:
        raise Invalid("Idempotency-Key must be 1 to 200 characters", [{"field": "Idempotency-Key", "message": "length"}])
    if not plain_line(key):  # PostgreSQL cannot even lock on a text holding NUL: it was a 500
        raise Invalid(
            "Idempotency-Key must not contain control characters",
            [{"field": "Idempotency-Key", "message": "must be one line without control characters"}],
        )
    return f"{subject}|{path}|{key}"[:300]


# The key's lock, then its stored answer read under it: sent together (core.pipeline).
_LOCK_KEY = text("SELECT pg_advisory_xact_lock(hashtextextended(:lock, 0))")
_STORED = select(*IdempotencyRow.__table__.c).where(IdempotencyRow.__table__.c.key == bindparam("key"))
_COLUMNS = [c.key for c in IdempotencyRow.__table__.c]


async def replay(
    session: AsyncSession, subject: str, path: str, key: str, body: bytes, now: dt.datetime, first: Sequence[tuple] = (),
) -> tuple[IdempotencyRow | None, list[list[tuple]]]:
    """The stored answer for this key, or None to go ahead (the key is then locked for us); and the
    rows of the statements `first`, sent in the same round trip after the key's lock and read."""
    row_key = _row_key(subject, path, key)
    lock = [(_LOCK_KEY, {"lock": f"idempotency:{row_key}"})] if session.bind.dialect.name == "postgresql" else []
    answers = await pipelined(session, *lock, (_STORED, {"key": row_key}), *first)
    stored, rest = answers[len(lock)], answers[len(lock) + 1:]
    if not stored:
        return None, rest
    row = IdempotencyRow(**dict(zip(_COLUMNS, stored[0], strict=True)))
    if row.date_created + KEEP < now:
        await session.execute(delete(IdempotencyRow).where(IdempotencyRow.key == row_key))
        return None, rest
    if row.request_hash != hashlib.sha256(body).hexdigest():
        raise Conflict("this Idempotency-Key was already used with a different request body; use a new key for a new request")
    return row, rest


REPLAYED_HEADERS = ("location",)
_INSERT = insert(IdempotencyRow.__table__)


def remember(
    session: AsyncSession, subject: str, path: str, key: str, body: bytes, status: int, answer: str, now: dt.datetime,
    headers: dict[str, str] | None = None,
) -> None:
    # Written as the transaction commits (core.pipeline.defer): a Core INSERT needs no answer, and
    # without an ORM object to flush a commit of Core statements stays one batch.
    defer(session, _INSERT, {
        "key": _row_key(subject, path, key), "request_hash": hashlib.sha256(body).hexdigest(), "status_code": status,
        "body": answer, "headers": headers or {}, "date_created": now,
    })


async def forget_old(session: AsyncSession, now: dt.datetime) -> None:
    await session.execute(delete(IdempotencyRow).where(IdempotencyRow.date_created < now - KEEP))


async def once(request: Request, session: AsyncSession, subject: str, produce, first: Sequence[tuple] = ()) -> Response:
    """Run `produce()` (which returns a JSON Response) at most once per Idempotency-Key.

    Without the header it simply runs. With it, a retry with the same body gets the stored first
    answer (marked `Idempotent-Replayed: true`); the same key with another body is refused.
    Only successful answers are stored, in the same transaction as what they created.

    `first`: statements the use case reads first (core.pipeline batch), sent in the same round trip
    as the key's lock and lookup; then `produce(their rows)` is called instead of `produce()`.
    """
    from starlette.responses import Response

    key = request.headers.get("idempotency-key")
    if key is None:
        return await (produce(await pipelined(session, *first)) if first else produce())
    now = request.app.state.clock.now()
    raw = await request.body()
    scope = f"{request.method} {request.url.path}"
    stored, rows = await replay(session, subject, scope, key, raw, now, first)
    if stored is not None:
        headers = {**(stored.headers or {}), "Idempotent-Replayed": "true"}
        return Response(stored.body, status_code=stored.status_code, media_type="application/json", headers=headers)
    response = await (produce(rows) if first else produce())
    kept = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
    remember(session, subject, scope, key, raw, response.status_code, bytes(response.body).decode(), now, kept)
    return response
