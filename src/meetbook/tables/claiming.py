"""The claim writes the features share: claims for a time, a hold's claims handed to its meeting,
and the sweeps that keep the tables the size of the future."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.core.clock import epoch
from meetbook.tables.claims import ClaimRow, HoldRow
from meetbook.tables.occupancy import WIDEN


def claims_for(resources: list[str], start: dt.datetime, end: dt.datetime, buffer_seconds: int, **owner) -> list[ClaimRow]:
    start_s, end_s = epoch(start), epoch(end)
    return [
        ClaimRow(resource=r, start_s=start_s, end_s=end_s + buffer_seconds, meeting_seconds=end_s - start_s, **owner)
        for r in resources
    ]


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


async def detach_claims(session: AsyncSession, hold: HoldRow, meeting_id: str) -> None:
    """Hand a hold's claims to the meeting it became, before the hold row goes."""
    await session.execute(
        update(ClaimRow).where(ClaimRow.hold_id == hold.id).values(hold_id=None, meeting_id=meeting_id, expires_s=None)
    )


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
