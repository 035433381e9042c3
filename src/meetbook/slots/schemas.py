"""Wire shapes of time slots: the search's answer, a time slot by id (a hold, a booked slot,
calendar time), and the changes a hold's owner may make."""

from __future__ import annotations

from pydantic import Field

from meetbook.core.wire import ApiModel, Instant


class AvailableTimeslot(ApiModel):
    start_date: Instant = Field(examples=["2025-10-10T08:00:00.000Z"])
    end_date: Instant = Field(examples=["2025-10-10T09:00:00.000Z"])
    meeting_type: str = Field(examples=["Physical"], description="Physical, Online, Telephone or OffSite")
    employee_id: str
    room_id: str | None = None
    meeting_topic_id: str | None = None


class TimeSlot(ApiModel):
    model_config = ApiModel.model_config | {
        "json_schema_extra": {
            "examples": [
                {
                    "id": "0f8fad5b-d9cb-469f-a165-70867728950e", "startDate": "2025-10-10T08:00:00.000Z",
                    "endDate": "2025-10-10T09:00:00.000Z", "status": "Reserved",
                    "employeeId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "roomId": None, "serviceGroup": None,
                    "dateCreated": "2025-10-09T09:10:00.000Z", "dateModified": "2025-10-09T09:10:00.000Z",
                    "expiresAt": "2025-10-09T09:15:00.000Z",
                }
            ]
        }
    }

    id: str
    start_date: Instant
    end_date: Instant
    status: str = Field(examples=["Reserved"])
    employee_id: str | None = None
    room_id: str | None = None
    service_group: str | None = None
    date_created: Instant | None = None
    date_modified: Instant | None = None
    expires_at: Instant | None = Field(default=None, description="When a Reserved slot stops holding the time")


class HoldChanges(ApiModel):
    service_group: str | None = None
    room_id: str | None = None
