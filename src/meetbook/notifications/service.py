"""A meeting's notifications: what was sent to whom, and sending one again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.core.errors import Conflict, NotFound
from meetbook.notifications.consumer import CONSUMER, GIVE_UP_AFTER
from meetbook.notifications.schemas import Notification
from meetbook.tables.meetings import MeetingRow
from meetbook.tables.outbox import PENDING, SENT, SKIPPED, DeliveryRow, wake_after_commit


def notification_out(row: DeliveryRow, message_domain: str) -> Notification:
    return Notification(
        id=row.id, kind=row.kind, recipient=row.recipient or "", recipient_role=row.detail.get("role", "customer"),
        language=row.detail.get("language", "da-DK"), status=row.status, attempts=row.attempts, created_at=row.created_at,
        due_at=row.due_at, next_attempt_at=row.next_attempt_at if row.status == PENDING else None,
        last_attempt_at=row.last_attempt_at, sent_at=row.finished_at if row.status == SENT else None,
        last_error=row.last_error, message_id=row.detail.get("messageId") or (f"<{row.id}@{message_domain}>" if row.attempts else None),
    )


async def _meeting(session: AsyncSession, meeting_id: str) -> MeetingRow:
    meeting = await session.get(MeetingRow, meeting_id)
    if meeting is None:
        raise NotFound.of("meeting", meeting_id)
    return meeting


async def list_notifications(session: AsyncSession, meeting_id: str, message_domain: str) -> list[Notification]:
    await _meeting(session, meeting_id)
    rows = (await session.scalars(
        select(DeliveryRow).where(DeliveryRow.subject_id == meeting_id, DeliveryRow.consumer == CONSUMER)
        .order_by(DeliveryRow.event_id, DeliveryRow.due_at, DeliveryRow.recipient)
    )).all()
    return [notification_out(r, message_domain) for r in rows]


async def resend(session: AsyncSession, meeting_id: str, notification_id: str, now: dt.datetime, message_domain: str) -> Notification:
    """A failed (or sent) message goes out again with the same Message-ID, with a fresh day of retries."""
    await _meeting(session, meeting_id)
    row = await session.get(DeliveryRow, notification_id)
    if row is None or row.subject_id != meeting_id or row.consumer != CONSUMER:
        raise NotFound.of("notification", notification_id)
    if row.status == PENDING:
        raise Conflict("this notification is still being sent; it can be sent again once it has failed or gone out")
    if row.status == SKIPPED:
        raise Conflict("this reminder was dropped because its meeting moved or was cancelled; there is nothing to send again")
    row.status = PENDING
    row.next_attempt_at = now
    row.give_up_at = now + GIVE_UP_AFTER
    row.finished_at = None
    wake_after_commit(session)
    await session.flush()
    return notification_out(row, message_domain)

