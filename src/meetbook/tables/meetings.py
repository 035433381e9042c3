"""Booked (and cancelled) meetings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from meetbook.core.db import Base, UTCDateTime, new_id

# A meeting's status: booked until cancelled (it stays readable then).
BOOKED = "Booked"
CANCELLED = "Cancelled"
MEETING_STATUSES = (BOOKED, CANCELLED)
# What became of a meeting that took place (recorded by staff); none until then.
ATTENDED = "Attended"
NO_SHOW = "NoShow"
OUTCOMES = (ATTENDED, NO_SHOW)


class MeetingRow(Base):
    __tablename__ = "meetings"
    __table_args__ = (
        Index("ix_meetings_employee_start", "employee_id", "start"),
        Index("ix_meetings_customer", "customer_id"),
        Index("ix_meetings_date_modified", "date_modified"),
        Index("ix_meetings_end", "end"),  # the retention sweep's past meetings
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    status: Mapped[str] = mapped_column(String(20), default=BOOKED)
    booked_by: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    customer_type_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("customer_types.id", ondelete="RESTRICT"), nullable=True
    )
    topic_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("topics.id", ondelete="RESTRICT"), nullable=True
    )
    type: Mapped[str] = mapped_column(String(20))
    employee_id: Mapped[str] = mapped_column(String(36), ForeignKey("employees.id", ondelete="RESTRICT"))
    additional_employees: Mapped[list] = mapped_column(JSON, default=list)
    room_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("rooms.id", ondelete="RESTRICT"), nullable=True
    )
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    start: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    end: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    time_slot_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    title: Mapped[str | None] = mapped_column(String(500), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    video_link: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    salesforce_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    customer_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    customer_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    customer_phone: Mapped[str | None] = mapped_column(String(50), nullable=True)
    # The customer's language for messages (da-DK, en-GB); the bank's default when unset.
    language: Mapped[str | None] = mapped_column(String(10), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    outcome_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    outcome_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    cancellation_reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    cancelled_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # RFC 5545 SEQUENCE: grows each time the meeting moves, so calendars replace the old copy.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    date_created: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    date_modified: Mapped[dt.datetime] = mapped_column(UTCDateTime())
