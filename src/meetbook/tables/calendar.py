"""External calendar time mirrored from advisors' calendars (Busy, ExtraOpen, WorkingFromElsewhere)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from meetbook.core.db import Base, UTCDateTime, new_id


class CalendarEntryRow(Base):
    __tablename__ = "calendar_entries"
    __table_args__ = (
        # SQLite has the second instead (migration 0012): it covers a search's read (tables.occupancy).
        Index("ix_calendar_entries_employee_start", "employee_id", "start_s").ddl_if(dialect="postgresql"),
        Index("ix_calendar_entries_employee_window", "employee_id", "start_s", "end_s", "status").ddl_if(dialect="sqlite"),
        Index("ix_calendar_entries_source", "source"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    employee_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("employees.id", ondelete="CASCADE"), nullable=True
    )
    room_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("rooms.id", ondelete="CASCADE"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(40))
    # Epoch seconds: the slot search reads thousands of these per request.
    start_s: Mapped[int] = mapped_column(BigInteger)
    end_s: Mapped[int] = mapped_column(BigInteger)
    service_group: Mapped[str | None] = mapped_column(String(200), nullable=True)
    date_created: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    date_modified: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Set on entries a calendar sync brought (its connection's id; null: pushed through the API), so a
    # sync replaces exactly its own; source_uid is the event's UID and recurrence, for reading them.
    source: Mapped[str | None] = mapped_column(String(36), nullable=True)
    source_uid: Mapped[str | None] = mapped_column(String(1000), nullable=True)


class CalendarConnectionRow(Base):
    """An advisor's own calendar (CalDAV), read for busy time and written with their meetings
    (meetbook.calendarsync). The password is stored encrypted, never in clear."""

    __tablename__ = "calendar_connections"
    __table_args__ = (Index("ix_calendar_connections_due", "next_sync_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    employee_id: Mapped[str] = mapped_column(String(36), ForeignKey("employees.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="caldav")
    url: Mapped[str] = mapped_column(String(2000))
    username: Mapped[str] = mapped_column(String(320))
    password_encrypted: Mapped[str] = mapped_column(Text)
    # Moves on every PUT: a sync that began before the connection was replaced discards what it read.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # The calendar collection found behind `url` (the URL itself, or the principal's first calendar).
    calendar_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    # The collection's CTag when its entries were last read, and how far ahead they were read.
    ctag: Mapped[str | None] = mapped_column(String(500), nullable=True)
    read_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    next_sync_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_sync_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    events_seen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CalendarPushRow(Base):
    """A meeting as meetbook last wrote it into a connected calendar: how a later sync tells an
    event the advisor deleted from one that was never there."""

    __tablename__ = "calendar_pushes"

    connection_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("calendar_connections.id", ondelete="CASCADE"), primary_key=True
    )
    meeting_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    href: Mapped[str] = mapped_column(String(2000))
    sequence: Mapped[int] = mapped_column(Integer)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    pushed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # When a sync found it gone while the meeting was still booked (reported once, until pushed again).
    conflict_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
