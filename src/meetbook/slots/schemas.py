"""Wire shapes of time slots: the search's answer and external calendar time."""

from __future__ import annotations

from pydantic import Field

from meetbook.schemas_base import ApiModel, Instant


class AvailableTimeslot(ApiModel):
    start_date: Instant = Field(examples=["2025-10-10T08:00:00.000Z"])
    end_date: Instant = Field(examples=["2025-10-10T09:00:00.000Z"])
    meeting_type: str = Field(examples=["Physical"], description="Physical, Online, Telephone or OffSite")
    employee_id: str
    room_id: str | None = None
    meeting_topic_id: str | None = None
