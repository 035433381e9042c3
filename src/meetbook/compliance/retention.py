"""The bank's retention periods, applied by the sweeper (meetbook.app) at the injected clock's time.

Expired holds need no period: the sweeper deletes them as soon as they expire (nothing reads them).
Past calendar time goes `calendarEntryRetention` after it ends; a past meeting's free text and the
customer's contact details are cleared `meetingTextRetention` after it ends, and so are the outbox's
copies of them. The meeting itself stays (times, advisor, topic, type, status, outcome: the statistics),
and so does the customer id, which is how the bank's own systems know the customer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.compliance.scrub import TEXT_COLUMNS, clear_meetings, scrub_outbox
from meetbook.core.clock import epoch
from meetbook.tables import audit
from meetbook.tables.calendar import CalendarEntryRow
from meetbook.tables.catalog import OrganizationSettings
from meetbook.tables.meetings import MeetingRow

DEFAULT_CALENDAR_ENTRY_RETENTION = 7 * 86400


@dataclass(frozen=True)
class Purged:
    calendar_entries: int
    meetings_cleared: int


async def apply_retention(session: AsyncSession, now: dt.datetime, batch: int = 1000) -> Purged:
    """One round (at most `batch` rows of each kind; the next round takes the rest). Safe in many
    processes at once: on PostgreSQL rows another sweeper has locked are skipped."""
    settings = await session.get(OrganizationSettings, 1)
    keep_entries = settings.calendar_entry_retention if settings is not None else DEFAULT_CALENDAR_ENTRY_RETENTION
    keep_text = settings.meeting_text_retention if settings is not None else 30 * 86400
    postgres = session.bind.dialect.name == "postgresql"

    query = select(CalendarEntryRow.id).where(CalendarEntryRow.end_s < epoch(now) - keep_entries).limit(batch)
    entry_ids = list((await session.scalars(query.with_for_update(skip_locked=True) if postgres else query)).all())
    if entry_ids:
        await session.execute(delete(CalendarEntryRow).where(CalendarEntryRow.id.in_(entry_ids)))

    meeting_ids: list[str] = []
    if keep_text is not None:
        still_there = or_(*(getattr(MeetingRow, c).is_not(None) for c in TEXT_COLUMNS))
        query = select(MeetingRow.id).where(MeetingRow.end < now - dt.timedelta(seconds=keep_text), still_there).limit(batch)
        meeting_ids = list((await session.scalars(query.with_for_update(skip_locked=True) if postgres else query)).all())
        await clear_meetings(session, meeting_ids, TEXT_COLUMNS, now)
        await scrub_outbox(session, meeting_ids, TEXT_COLUMNS, None, now)

    if entry_ids or meeting_ids:  # a round with nothing to do leaves no entry
        audit.note(session, "retention", None, "purged", {
            "calendarEntriesDeleted": len(entry_ids), "meetingsCleared": len(meeting_ids),
            "calendarEntryRetention": keep_entries, "meetingTextRetention": keep_text,
        })
    return Purged(len(entry_ids), len(meeting_ids))
