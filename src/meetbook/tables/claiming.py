"""The claim writes the features share: claims for a time, a hold's claims handed to its meeting,
and the sweeps that keep the tables the size of the future."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, bindparam, delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import ARRAY, String

from meetbook.core import locks
from meetbook.core.clock import epoch
from meetbook.tables.claims import ClaimRow, HoldRow
from meetbook.tables.occupancy import WIDEN


def claims_for(resources: list[str], start: dt.datetime, end: dt.datetime, buffer_seconds: int, **owner) -> list[ClaimRow]:
    start_s, end_s = epoch(start), epoch(end)
    return [
        ClaimRow(resource=r, start_s=start_s, end_s=end_s + buffer_seconds, meeting_seconds=end_s - start_s, **owner)
        for r in resources
    ]


# Take the locks only if no live claim of someone else already covers the time: a request for a
# slot that is plainly taken is refused at once instead of queueing on the advisor's lock behind
# the winner (the lock, the check under it and the exclusion constraint stay the guarantee).
_LOCK_UNLESS_CLAIMED = text("""
SELECT CASE WHEN EXISTS (
    SELECT 1 FROM claims c
    WHERE c.resource = ANY(:resources) AND c.start_s < :end_s AND c.end_s > :start_s
      AND (c.expires_s IS NULL OR c.expires_s > :now_s)
      AND (c.hold_id IS NULL OR NOT EXISTS (
          SELECT 1 FROM holds h WHERE h.id = c.hold_id AND h.subject = :subject AND h.token = :token))
      AND (c.meeting_id IS NULL OR c.meeting_id <> :ignored_meeting)
) THEN false ELSE (
    SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) >= 0 FROM unnest(:keys) WITH ORDINALITY AS t(k, n)
) END
""").bindparams(bindparam("resources", type_=ARRAY(String)), bindparam("keys", type_=ARRAY(String)))


def lock_unless_claimed_statement(
    dialect: str, keys: list[str], *, first: list[str], resources: list[str], start_s: int, end_s: int, now_s: int,
    customer_session: tuple[str, str], ignored_meeting_id: str | None = None,
) -> tuple | None:
    """locks.lock(keys, first) with a look at the claims first, as a statement and its parameters
    to send with others in one round trip (core.pipeline): its one value is False (and no lock
    taken) when a live claim that is not this customer session's, nor the meeting being moved's,
    overlaps [start_s, end_s) on one of `resources`. None on SQLite, whose single writer needs neither."""
    if dialect != "postgresql":
        return None
    subject, token = customer_session
    return _LOCK_UNLESS_CLAIMED, {
        "resources": resources, "start_s": start_s, "end_s": end_s, "now_s": now_s, "subject": subject, "token": token,
        "ignored_meeting": ignored_meeting_id or "", "keys": locks.in_order(keys, first),
    }


async def sweep_expired(session: AsyncSession, now: dt.datetime, batch: int = 500) -> int:
    """Delete expired holds. Safe in many processes at once: rows another sweeper holds are skipped."""
    return await _delete_batch(session, HoldRow, HoldRow.expires_at <= now, batch)


async def _delete_batch(session: AsyncSession, row_type, condition, batch: int) -> int:
    """Delete up to `batch` rows matching `condition`; on PostgreSQL rows that another process's
    sweeper has locked are skipped (it deletes them), so sweepers never wait for each other."""
    query = select(row_type.id).where(condition).limit(batch)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list((await session.scalars(query)).all())
    if ids:
        await session.execute(delete(row_type).where(row_type.id.in_(ids)))
    return len(ids)


async def prune_past_claims(session: AsyncSession, now: dt.datetime, batch: int = 5000) -> int:
    """Delete booked meetings' claims that ended long enough ago that no read can reach them.

    Every read starts at most WIDEN before now (a search's window never starts in the past), so
    older claims block nothing; left in place they make every search's read grow with the
    bank's history. The meetings themselves stay. Safe in many processes at once."""
    horizon = epoch(now) - WIDEN - 86400
    return await _delete_batch(session, ClaimRow, and_(ClaimRow.meeting_id.is_not(None), ClaimRow.end_s < horizon), batch)


def subtract(interval: tuple[int, int], taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    start, end = interval
    pieces = []
    for t_start, t_end in taken:
        if t_end <= start or t_start >= end:
            continue
        if t_start > start:
            pieces.append((start, t_start))
        start = max(start, t_end)
    if start < end:
        pieces.append((start, end))
    return pieces
