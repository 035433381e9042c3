"""Holds (five-minute reservations) and the claims that make double booking impossible."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from meetbook.core.db import Base, UTCDateTime, new_id

RESERVED = "Reserved"  # a hold's status on the wire (a TimeSlot)


class HoldRow(Base):
    __tablename__ = "holds"
    # One hold per customer session (the seed's "same token" rule), enforced by the database. A
    # session is the signed-in subject's: the same token string from two customers is two sessions.
    __table_args__ = (
        Index("ix_holds_expires_at", "expires_at"),
        UniqueConstraint("subject", "token", name="uq_holds_subject_token"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    token: Mapped[str] = mapped_column(String(128))
    employee_id: Mapped[str] = mapped_column(String(36), ForeignKey("employees.id", ondelete="CASCADE"))
    room_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("rooms.id", ondelete="CASCADE"), nullable=True
    )
    service_group: Mapped[str | None] = mapped_column(String(200), nullable=True)
    existing_meeting_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    subject: Mapped[str | None] = mapped_column(String(200), nullable=True)
    start: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    end: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    date_created: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    date_modified: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    def belongs_to(self, who) -> bool:
        """A hold is its customer's: to anyone else but an employee acting for them it does not exist."""
        return who.is_employee or self.subject == who.subject


def session_lock(subject: str, token: str) -> str:
    """The lock key of one customer session (a reserve, a move and a booking of its hold take it first)."""
    return f"token:{subject}\x1f{token}"


class ClaimRow(Base):
    """An advisor's or a room's time taken by a hold or a meeting: `[start, end + buffer)`.

    On PostgreSQL an exclusion constraint forbids two overlapping claims on one resource
    (see the migration); on SQLite the claiming transaction holds the single write lock.
    """

    __tablename__ = "claims"
    __table_args__ = (
        # Both cover a search's read (tables.occupancy; migrations 0011 and 0013).
        Index("ix_claims_resource_covering", "resource", "start_s",
              postgresql_include=["end_s", "meeting_seconds", "expires_s"]).ddl_if(dialect="postgresql"),
        Index("ix_claims_resource_window", "resource", "start_s", "end_s", "meeting_seconds", "expires_s").ddl_if(
            dialect="sqlite"),
        Index("ix_claims_start_s", "start_s"),
        # A hold's claims, handed to its meeting or deleted with it (migration 0013).
        Index("ix_claims_hold_id", "hold_id", postgresql_where=text("hold_id IS NOT NULL"),
              sqlite_where=text("hold_id IS NOT NULL")),
        # A meeting's claims: cancelled, moved or erased with it (migration 0013).
        Index("ix_claims_meeting_id", "meeting_id", postgresql_where=text("meeting_id IS NOT NULL"),
              sqlite_where=text("meeting_id IS NOT NULL")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    resource: Mapped[str] = mapped_column(String(80))  # "employee:<id>" or "room:<id>"
    start_s: Mapped[int] = mapped_column(BigInteger)
    end_s: Mapped[int] = mapped_column(BigInteger)  # includes the buffer
    meeting_seconds: Mapped[int] = mapped_column(Integer)
    hold_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("holds.id", ondelete="CASCADE"), nullable=True
    )
    meeting_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("meetings.id", ondelete="CASCADE"), nullable=True
    )
    # A hold's expiry, so a search can skip expired holds without a join; None for meetings.
    expires_s: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


def employee_resource(employee_id: str) -> str:
    return f"employee:{employee_id}"


def room_resource(room_id: str) -> str:
    return f"room:{room_id}"
