"""Calendar feeds: the secret URL an advisor or a branch's front desk subscribes to.

Only a SHA-256 hash of the URL's secret is kept, so a copy of the database opens no feed. Each
owner has at most one feed; its row goes with the employee or room (the database cascades).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from meetbook.core.db import Base, UTCDateTime, new_id

EMPLOYEE = "employee"
ROOM = "room"


class CalendarFeedRow(Base):
    __tablename__ = "calendar_feeds"
    __table_args__ = (
        # Exactly one owner: an advisor's feed or a room's.
        CheckConstraint("(employee_id IS NULL) <> (room_id IS NULL)", name="one_owner"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # One foreign key per kind of owner (not a kind and an id), so deleting the owner deletes its feed.
    employee_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("employees.id", ondelete="CASCADE"), unique=True, nullable=True
    )
    room_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("rooms.id", ondelete="CASCADE"), unique=True, nullable=True
    )
    # Hex SHA-256 of the secret in the URL.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    @property
    def owner_kind(self) -> str:
        return EMPLOYEE if self.employee_id is not None else ROOM
