"""A meeting's history, read from its outbox events: who booked, moved, changed, cancelled and
marked it, when, and from which channel. The events are written in each change's own transaction,
so the history has exactly the changes that happened."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.auth.tokens import Principal
from meetbook.meetings.schemas import HistoryEntry
from meetbook.meetings.service import get_meeting_row
from meetbook.tables.outbox import EventRow

# What a history shows of a change: the fields a person reads, not the bookkeeping ones.
_SHOWN = ("startDate", "endDate", "employeeId", "roomId", "location", "title", "description", "videoLink", "additionalEmployees",
          "customerName", "customerEmail", "customerPhone", "language", "status", "outcome", "cancellationReason")


def _changes(before: dict | None, after: dict) -> dict[str, dict]:
    if before is None:
        return {}
    return {key: {"from": before.get(key), "to": after.get(key)} for key in _SHOWN if before.get(key) != after.get(key)}


async def meeting_history(session: AsyncSession, meeting_id: str, who: Principal) -> list[HistoryEntry]:
    await get_meeting_row(session, meeting_id, who)
    events = (await session.scalars(
        select(EventRow).where(EventRow.subject_id == meeting_id, EventRow.kind.like("meeting.%")).order_by(EventRow.id)
    )).all()
    entries = []
    last: dict | None = None
    for event in events:
        meeting = event.data.get("meeting")
        if meeting is None:
            continue
        before = event.data.get("previous") or last
        entries.append(HistoryEntry(
            at=event.occurred_at, kind=event.kind.removeprefix("meeting."), by=event.data.get("actor"),
            changes=_changes(before, meeting), meeting=meeting,
        ))
        last = meeting
    return entries
