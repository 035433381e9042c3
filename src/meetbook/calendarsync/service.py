"""The use cases of an advisor's calendar connection: save it, read its state, remove it."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from meetbook.auth.tokens import Principal
from meetbook.calendarsync import crypto
from meetbook.calendarsync.caldav_source import calendar_policy
from meetbook.calendarsync.schemas import CalendarConnection, CalendarConnectionIn
from meetbook.calendarsync.sync import STALE_AFTER, Syncer
from meetbook.catalog.store import own_employee
from meetbook.core import addresses, locks
from meetbook.core.clock import Clock
from meetbook.core.config import Settings
from meetbook.core.db import unit_of_work
from meetbook.core.errors import Invalid, NotFound
from meetbook.tables.calendar import CalendarConnectionRow, CalendarEntryRow

WHAT = "calendar connection"


def connection_out(row: CalendarConnectionRow) -> CalendarConnection:
    return CalendarConnection(
        employee_id=row.employee_id, url=row.url, username=row.username, calendar_url=row.calendar_url,
        last_sync_at=row.last_sync_at, last_attempt_at=row.last_attempt_at, last_error=row.last_error,
        consecutive_failures=row.consecutive_failures, stale=row.consecutive_failures >= STALE_AFTER,
        events_seen=row.events_seen, next_sync_at=row.next_sync_at, created_at=row.created_at, updated_at=row.updated_at,
    )


def _check_url(url: str, settings: Settings) -> None:
    parts = urlsplit(url)
    schemes = ("http", "https") if settings.is_development else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise Invalid(
            f"url must be an {' or '.join(schemes)} address of a CalDAV calendar",
            [{"field": "url", "message": f"must start with {' or '.join(s + '://' for s in schemes)} and name a host"}],
        )
    if parts.username or parts.password:
        raise Invalid("url must not carry credentials; send username and password",
                      [{"field": "url", "message": "no user:password@ in the address"}])


async def _check_address(url: str, settings: Settings) -> None:
    """In production the calendar must be on a public address (the sync connects to it from inside
    the bank's network), unless MEETBOOK_CALENDAR_ALLOW_PRIVATE=true; checked again before every request."""
    try:
        await addresses.check(url, calendar_policy(settings))
    except addresses.Refused as exc:
        raise Invalid(f"url: {exc}", [{"field": "url", "message": str(exc)}]) from None


async def connection_of(session: AsyncSession, employee_id: str, who: Principal) -> CalendarConnectionRow:
    await own_employee(session, employee_id, who, WHAT)
    row = await session.scalar(select(CalendarConnectionRow).where(CalendarConnectionRow.employee_id == employee_id))
    if row is None:
        raise NotFound(f"employee '{employee_id}' has no calendar connection")
    return row


async def save_connection(session: AsyncSession, settings: Settings, employee_id: str, body: CalendarConnectionIn, who: Principal,
                          now: dt.datetime) -> tuple[CalendarConnectionRow, bool]:
    """Create or replace the advisor's connection; it is due for a sync at once. Returns it and
    whether it is new. A replaced one keeps its busy time until the new calendar has been read."""
    await own_employee(session, employee_id, who, WHAT)
    _check_url(body.url, settings)
    await _check_address(body.url, settings)
    try:
        secret = crypto.encrypt(settings, body.password)
    except crypto.NoKey as exc:
        problem = {"field": "password", "message": "cannot be stored: the server has no MEETBOOK_SECRET_KEY"}
        raise Invalid(str(exc), [problem]) from None
    await locks.lock(session, [f"calendar-connection:{employee_id}"])  # two PUTs at once: one after the other
    row = await session.scalar(select(CalendarConnectionRow).where(CalendarConnectionRow.employee_id == employee_id))
    created = row is None
    if created:
        row = CalendarConnectionRow(employee_id=employee_id, revision=1, consecutive_failures=0, events_seen=0, created_at=now)
        session.add(row)
    else:
        row.revision += 1  # a sync reading the old calendar now discards what it read
        if row.url != body.url or row.username != body.username:
            row.calendar_url, row.ctag, row.read_until = None, None, None
    row.kind, row.url, row.username, row.password_encrypted = "caldav", body.url, body.username, secret
    row.last_error, row.consecutive_failures = None, 0
    row.next_sync_at, row.updated_at = now, now
    await session.flush()
    return row, created


async def remove_connection(session: AsyncSession, employee_id: str, who: Principal) -> None:
    """The connection and every calendar entry it brought go; entries pushed through the API stay."""
    row = await connection_of(session, employee_id, who)
    await session.execute(delete(CalendarEntryRow).where(CalendarEntryRow.source == row.id))
    await session.delete(row)


async def sync_now(sessions: async_sessionmaker[AsyncSession], settings: Settings, clock: Clock, employee_id: str,
                   who: Principal) -> CalendarConnection:
    """Read the advisor's calendar now and answer the connection's state after it. Not in the request's
    transaction: nothing is held open while the calendar server is asked, and the state is read afresh."""
    async with unit_of_work(sessions) as session:
        connection_id = (await connection_of(session, employee_id, who)).id
    await Syncer(sessions, settings, clock).sync(connection_id)
    async with unit_of_work(sessions) as session:
        row = await session.get(CalendarConnectionRow, connection_id)
        if row is None:
            raise NotFound(f"employee '{employee_id}' has no calendar connection (it was removed during the sync)")
        return connection_out(row)
