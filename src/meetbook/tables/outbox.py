"""The transactional outbox (design §4b): what happened, written in the same transaction as the
change, and each consumer's deliveries of it (an e-mail to one recipient, a webhook call).

A use case calls `record_event`; nothing else about messages happens inside a request. The
dispatcher (`meetbook.events`) turns events into deliveries and delivers them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from meetbook.core import metrics
from meetbook.core.db import AFTER_COMMIT, Base, UTCDateTime, new_id
from meetbook.core.pipeline import defer

# Event kinds (the webhook event types are the same names).
MEETING_BOOKED = "meeting.booked"
MEETING_RESCHEDULED = "meeting.rescheduled"
MEETING_CANCELLED = "meeting.cancelled"
MEETING_CHANGED = "meeting.changed"
MEETING_OUTCOME = "meeting.outcome"
EMPLOYEE_CHANGED = "employee.changed"
# An advisor deleted from their own calendar a meeting that is still booked (meetbook.calendarsync).
MEETING_CALENDAR_CONFLICT = "meeting.calendar_conflict"
EVENT_KINDS = (MEETING_BOOKED, MEETING_RESCHEDULED, MEETING_CANCELLED, MEETING_CHANGED, MEETING_OUTCOME, EMPLOYEE_CHANGED,
               MEETING_CALENDAR_CONFLICT)

# A delivery's status: waiting (or between attempts), done, given up, or no longer wanted
# (a reminder of a meeting that moved or was cancelled).
PENDING = "Pending"
SENT = "Sent"
FAILED = "Failed"
SKIPPED = "Skipped"
DELIVERY_STATUSES = (PENDING, SENT, FAILED, SKIPPED)

SERIAL = BigInteger().with_variant(Integer(), "sqlite")

# session.info key: set when the transaction wrote an event, so the dispatcher is woken after commit.
WAKE = "meetbook.outbox.wake"


class EventRow(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_unplanned", "planned_at", "id"),
        Index("ix_outbox_events_subject", "subject_id", "id"),
    )

    # Increasing in commit order per subject (one subject's changes hold its advisor's lock).
    id: Mapped[int] = mapped_column(SERIAL, primary_key=True, autoincrement=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # When the dispatcher made this event's deliveries (null: not yet).
    planned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


_INSERT_EVENT = insert(EventRow.__table__).inline()  # inline: no RETURNING of the serial id


class DeliveryRow(Base):
    __tablename__ = "outbox_deliveries"
    __table_args__ = (
        Index("ix_outbox_deliveries_due", "status", "next_attempt_at"),
        Index("ix_outbox_deliveries_subject", "subject_id", "consumer"),
        Index("ix_outbox_deliveries_order", "consumer", "ordering_key", "event_id"),
    )

    # Stable across attempts: the base of the e-mail's Message-ID and the webhook-id.
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    event_id: Mapped[int] = mapped_column(SERIAL, ForeignKey("outbox_events.id", ondelete="CASCADE"))
    consumer: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    recipient: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    # Deliveries with the same key go out in event order: a later one waits for the earlier.
    ordering_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Null once finished. While an attempt runs it is pushed past the attempt's lease, so a
    # process that dies mid-send leaves the delivery due again rather than lost.
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    give_up_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    response_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


def record_event(session: AsyncSession, kind: str, subject_id: str | None, now: dt.datetime, **data: Any) -> None:
    """Write that `kind` happened to `subject_id`, in the caller's transaction: it exists exactly
    when the change does. The dispatcher is woken once the transaction commits."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    # Written as the transaction commits (core.pipeline.defer): a Core INSERT needs no answer, so
    # the commit can send it with the other writes in one round trip (the ORM would wait for the serial id).
    defer(session, _INSERT_EVENT, {"uid": new_id(), "kind": kind, "subject_id": subject_id, "occurred_at": now, "data": data})
    wake_after_commit(session)
    if (counter := metrics.EVENT_COUNTERS.get(kind)) is not None:  # counted once committed, never if rolled back
        session.info.setdefault(AFTER_COMMIT, []).append(counter.inc)


def wake_after_commit(session: AsyncSession) -> None:
    """Have this process's dispatcher look at the outbox as soon as the transaction commits."""
    wake = session.info.get(WAKE)
    if wake is not None:
        callbacks = session.info.setdefault(AFTER_COMMIT, [])
        if wake not in callbacks:
            callbacks.append(wake)
