"""External calendar time mirrored from advisors' calendars (Busy, ExtraOpen, WorkingFromElsewhere)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from meetbook.core.db import Base, UTCDateTime, new_id


class CalendarEntryRow(Base):
    __tablename__ = "calendar_entries"
    __table_args__ = (Index("ix_calendar_entries_employee_start", "employee_id", "start_s"),)

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
