"""Pull: an advisor's calendar read into calendar entries, on a timer and on demand.

A sync reads the connection (one short transaction), talks to the calendar server in a thread with
no transaction open, and writes what it found in one transaction that replaces exactly the rows the
connection brought (entries pushed through the API are never touched). A failure writes only the
failure: the last known busy time stays until a fetch succeeds, so a calendar that cannot be read
never makes an advisor look free.

Every server process and `meetbook worker` run the timer; a due connection is claimed by pushing its
`next_sync_at` past a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so two processes never read the
same calendar at once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from meetbook.calendarsync import crypto
from meetbook.calendarsync.caldav_source import Account, CalDav, CalendarUnavailable, Collection, calendar_policy
from meetbook.calendarsync.expand import Expanded, expand
from meetbook.core import locks
from meetbook.core.clock import Clock
from meetbook.core.config import Settings
from meetbook.core.db import unit_of_work
from meetbook.core.http import dump
from meetbook.meetings.service import meeting_out
from meetbook.tables import catalog as m
from meetbook.tables.calendar import CalendarConnectionRow, CalendarEntryRow, CalendarPushRow
from meetbook.tables.claims import employee_resource
from meetbook.tables.meetings import BOOKED, MeetingRow
from meetbook.tables.outbox import MEETING_CALENDAR_CONFLICT, record_event

log = logging.getLogger("meetbook.calendarsync")

# How far ahead, when the bank sets no maxTimeFromBookingToMeeting (as the calendar feeds).
DEFAULT_HORIZON = dt.timedelta(days=365)
# Read a day past the horizon, so an unchanged calendar (same CTag) need not be read again for a day.
MARGIN = dt.timedelta(days=1)
# A claimed connection is left alone this long; a process that dies mid-sync frees it by then.
LEASE = dt.timedelta(minutes=5)
# After this many failed syncs in a row the connection is stale (its busy time may be out of date).
STALE_AFTER = 3
CLAIM_BATCH = 20
CONFLICT_REASON = (
    "the meeting's event is no longer in the advisor's calendar (deleted or cancelled there); the meeting is still booked"
)
CONCURRENT_SYNCS = 4


@dataclass(frozen=True)
class Job:
    """What a sync needs from the database, read before the calendar is asked."""

    connection_id: str
    revision: int
    employee_id: str
    account: Account
    calendar_url: str | None
    ctag: str | None
    read_until: dt.datetime | None
    zone: ZoneInfo
    me: tuple[str, ...]
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Unchanged:
    collection: Collection


@dataclass(frozen=True)
class Fetched:
    collection: Collection
    expanded: Expanded
    seconds: float


class Syncer:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings, clock: Clock):
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
        self._parallel = asyncio.Semaphore(CONCURRENT_SYNCS)

    @property
    def every(self) -> dt.timedelta:
        # With the timer off a connection is still marked due in a minute: a worker with it on may take it.
        return dt.timedelta(seconds=self._settings.calendar_sync_seconds or 60)

    async def run_forever(self) -> None:
        """Sync what is due every MEETBOOK_CALENDAR_SYNC_SECONDS until cancelled; a failing round is
        logged and the next one tries again."""
        while True:
            await asyncio.sleep(self._settings.calendar_sync_seconds)
            try:
                await self.sync_due()
            except Exception:
                log.exception("calendar sync round failed; trying again")

    async def sync_due(self) -> int:
        """Claim the connections due now and sync them. Returns how many were synced."""
        ids = await self._claim_due()
        await asyncio.gather(*(self._sync_claimed(i) for i in ids))
        return len(ids)

    async def _sync_claimed(self, connection_id: str) -> None:
        async with self._parallel:
            await self.sync(connection_id)

    async def _claim_due(self) -> list[str]:
        now = self._clock.now()
        query = (
            select(CalendarConnectionRow)
            .where(CalendarConnectionRow.next_sync_at <= now)
            .order_by(CalendarConnectionRow.next_sync_at)
            .limit(CLAIM_BATCH)
            .with_for_update(skip_locked=True)
        )
        async with unit_of_work(self._sessions) as session:
            rows = (await session.scalars(query)).all()
            for row in rows:
                row.next_sync_at = now + LEASE
            return [row.id for row in rows]

    async def sync(self, connection_id: str) -> bool:
        """Read the calendar now and store what it says (or the failure). False when the connection is gone."""
        started = self._clock.now()
        try:
            job = await self._job(connection_id, started)
        except crypto.NoKey as exc:
            await self._failed(connection_id, None, str(exc), started)
            return True
        if job is None:
            return False
        timeout = self._settings.calendar_timeout_seconds
        try:
            # Each request is bounded by the timeout; the whole sync by a few of them.
            result = await asyncio.wait_for(asyncio.to_thread(self._fetch, job), timeout * 4)
        except CalendarUnavailable as exc:
            await self._failed(connection_id, job.revision, exc.message, started)
            return True
        except TimeoutError:
            await self._failed(connection_id, job.revision, f"the calendar did not answer within {timeout * 4:g} s", started)
            return True
        await self._store(job, result, started)
        return True

    async def _job(self, connection_id: str, now: dt.datetime) -> Job | None:
        async with unit_of_work(self._sessions) as session:
            row = await session.get(CalendarConnectionRow, connection_id)
            if row is None:
                return None
            bank = await session.get(m.OrganizationSettings, 1) or m.OrganizationSettings()
            employee = await session.get(m.EmployeeRow, row.employee_id)
            ahead_s = bank.max_time_from_booking_to_meeting
            ahead = dt.timedelta(seconds=ahead_s) if ahead_s else DEFAULT_HORIZON
            password = crypto.decrypt(self._settings, row.password_encrypted)
            return Job(
                connection_id=row.id, revision=row.revision, employee_id=row.employee_id,
                account=Account(row.url, row.username, password, self._settings.calendar_timeout_seconds,
                                calendar_policy(self._settings)),
                calendar_url=row.calendar_url, ctag=row.ctag, read_until=row.read_until,
                zone=ZoneInfo(bank.time_zone or "Europe/Copenhagen"),
                me=tuple(a for a in (employee.email if employee else None, row.username) if a),
                # From the start of the hour: a meeting under way still blocks its end.
                start=now.replace(minute=0, second=0, microsecond=0), end=now + ahead + MARGIN,
            )

    def _fetch(self, job: Job) -> Unchanged | Fetched:
        """In a thread: the collection's CTag; when it moved (or the window did), every event and their expansion."""
        began = time.perf_counter()
        with CalDav(job.account) as calendar:
            collection = calendar.collection(job.calendar_url or job.account.url)
            same_calendar = collection.url == job.calendar_url
            covered = job.read_until is not None and job.read_until >= job.end - MARGIN
            if collection.ctag is not None and collection.ctag == job.ctag and same_calendar and covered:
                return Unchanged(collection)
            objects = calendar.events(collection.url, job.start, job.end)
        expanded = expand(objects, job.start, job.end, zone=job.zone, me=job.me, uid_domain=self._settings.ical_uid_domain)
        return Fetched(collection, expanded, time.perf_counter() - began)

    async def _locked(self, session: AsyncSession, connection_id: str) -> CalendarConnectionRow | None:
        # One writer per connection at a time (a timer's sync and an on-demand one may overlap).
        query = select(CalendarConnectionRow).where(CalendarConnectionRow.id == connection_id).with_for_update()
        return await session.scalar(query)

    async def _failed(self, connection_id: str, revision: int | None, message: str, now: dt.datetime) -> None:
        async with unit_of_work(self._sessions) as session:
            row = await self._locked(session, connection_id)
            if row is None or (revision is not None and row.revision != revision):
                return  # replaced or removed meanwhile: this failure is about a connection that is no more
            row.last_attempt_at = now
            row.last_error = message
            row.consecutive_failures += 1
            row.next_sync_at = now + self.every
            failures = row.consecutive_failures
        # Entries are kept: the advisor stays as busy as last known.
        log.warning("calendar sync of connection %s failed (%d in a row): %s", connection_id, failures, message)

    async def _store(self, job: Job, result: Unchanged | Fetched, now: dt.datetime) -> None:
        async with unit_of_work(self._sessions) as session:
            row = await self._locked(session, job.connection_id)
            if row is None or row.revision != job.revision:
                return  # replaced (another URL or password) or removed while we read: what we read is not its
            row.last_attempt_at = now
            row.last_sync_at = now
            row.last_error = None
            row.consecutive_failures = 0
            row.next_sync_at = now + self.every
            row.calendar_url = result.collection.url
            if isinstance(result, Unchanged):
                return
            expanded = result.expanded
            # Meetbook's own meetings are blocked by their claims; an own UID without such a meeting
            # (another installation's, or one deleted since) is the advisor's time like any other.
            own_ids = list(expanded.own_blocks)
            known = set()
            if own_ids:
                known = set((await session.scalars(select(MeetingRow.id).where(MeetingRow.id.in_(own_ids)))).all())
            blocks = expanded.blocks + [b for i, bs in expanded.own_blocks.items() if i not in known for b in bs]
            await session.execute(delete(CalendarEntryRow).where(CalendarEntryRow.source == row.id))
            if blocks:
                await session.execute(insert(CalendarEntryRow), [
                    {"employee_id": row.employee_id, "status": b.status, "start_s": b.start_s, "end_s": b.end_s,
                     "date_created": now, "date_modified": now, "source": row.id, "source_uid": b.uid}
                    for b in blocks
                ])
            row.ctag = result.collection.ctag
            row.read_until = job.end
            row.events_seen = expanded.occurrences
            await self._conflicts(session, row, expanded, job, now)
        log.info("calendar sync of connection %s: %d occurrence(s), %d entr(ies), %.2f s", job.connection_id,
                 expanded.occurrences, len(blocks), result.seconds)

    async def _conflicts(self, session: AsyncSession, row: CalendarConnectionRow, expanded: Expanded, job: Job,
                         now: dt.datetime) -> None:
        """Meetings meetbook wrote into this calendar, still booked with this advisor, that the calendar no
        longer has (or has cancelled): reported once as meeting.calendar_conflict; the meeting stays booked."""
        pushes = (await session.scalars(
            select(CalendarPushRow).where(
                CalendarPushRow.connection_id == row.id, CalendarPushRow.cancelled.is_(False),
                CalendarPushRow.conflict_at.is_(None),
                # Written before this sync began reading: one written while it read may simply not be in what it read.
                CalendarPushRow.pushed_at < now,
            )
        )).all()
        missing = [p for p in pushes if p.meeting_id not in expanded.own_present]
        if not missing:
            return
        wanted = select(MeetingRow).where(MeetingRow.id.in_([p.meeting_id for p in missing]))
        meetings = {r.id: r for r in (await session.scalars(wanted)).all()}
        for push in missing:
            meeting = meetings.get(push.meeting_id)
            if meeting is None or meeting.status != BOOKED or meeting.end <= now or meeting.start >= job.end:
                continue
            if row.employee_id != meeting.employee_id and row.employee_id not in (meeting.additional_employees or ()):
                continue
            await locks.lock(session, [employee_resource(meeting.employee_id)])  # one meeting's events in commit order
            push.conflict_at = now
            record_event(
                session, MEETING_CALENDAR_CONFLICT, meeting.id, now, meeting=dump(meeting_out(meeting)),
                employeeId=row.employee_id, reason=CONFLICT_REASON,
            )
            log.warning("meeting %s: its event was deleted from advisor %s's calendar; the meeting stays booked", meeting.id,
                        row.employee_id)
