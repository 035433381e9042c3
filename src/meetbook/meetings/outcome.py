"""What became of a meeting: staff mark it Attended or NoShow once it has begun, and may take the
mark back on the day they made it (a slip of the finger at the counter), not weeks later."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.auth.tokens import Principal
from meetbook.catalog.snapshot import SnapshotCache
from meetbook.core.errors import Conflict
from meetbook.meetings.schemas import Meeting
from meetbook.meetings.service import get_meeting_row, meeting_out, record_meeting_event
from meetbook.tables.meetings import CANCELLED
from meetbook.tables.outbox import MEETING_OUTCOME


async def record_outcome(
    session: AsyncSession, cache: SnapshotCache, meeting_id: str, outcome: str | None, who: Principal, now: dt.datetime,
    channel: str = "api",
) -> Meeting:
    row = await get_meeting_row(session, meeting_id, who)
    if row.status == CANCELLED:
        raise Conflict("the meeting was cancelled; it has no outcome")
    if row.start > now:
        raise Conflict("the meeting has not begun yet; mark it once it has")
    if outcome == row.outcome:
        return meeting_out(row)  # the same mark again changes nothing
    if row.outcome is not None and row.outcome_at is not None:
        zone = ZoneInfo((await cache.get(session)).settings.time_zone)
        if row.outcome_at.astimezone(zone).date() != now.astimezone(zone).date():
            raise Conflict(f"the outcome {row.outcome} was recorded on an earlier day and can no longer be changed")
    previous = meeting_out(row)
    row.outcome = outcome
    row.outcome_at = now if outcome is not None else None
    row.outcome_by = who.subject if outcome is not None else None
    row.date_modified = now
    record_meeting_event(session, MEETING_OUTCOME, row, now, who, previous=previous, channel=channel)
    await session.flush()
    return meeting_out(row)
