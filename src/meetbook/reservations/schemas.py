"""Wire shape of the reservation request (its answer is the TimeSlot of slots.schemas)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator

from meetbook.core.wire import ApiModel, Id, Instant, end_after_start, enum_reader, line


class TimeSlotRequest(ApiModel):
    start_date: Instant
    end_date: Instant
    status: Annotated[Literal["Reserved"], BeforeValidator(enum_reader("Reserved"))] = "Reserved"
    employee_id: Id
    room_id: Id | None = None
    service_group: line(200) | None = None
    ignore_time_slot_conflicts: bool | None = None

    _ordered = field_validator("end_date")(end_after_start)


class Reservation(ApiModel):
    time_slot: TimeSlotRequest
    token: line(128, min_length=1) = Field(description="One per customer session; reuse it when the customer changes their mind")
    existing_meeting_id: Id | None = Field(default=None, description="The meeting being moved: its own time does not block the new slot")

    model_config = ApiModel.model_config | {
        "json_schema_extra": {
            "examples": [
                {
                    "timeSlot": {
                        "startDate": "2025-03-15T10:00:00Z",
                        "endDate": "2025-03-15T11:00:00Z",
                        "status": "Reserved",
                        "employeeId": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                    },
                    "token": "0b6f1c1e-5d5b-4c39-9a0e-6f0d1d3f8a11",
                }
            ]
        }
    }


