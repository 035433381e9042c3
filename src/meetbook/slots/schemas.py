"""Wire shapes of time slots: the search's answer, a time slot by id (a hold, a booked slot,
calendar time), and the changes a hold's owner may make."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, WithJsonSchema, field_validator

from meetbook.core.wire import ApiModel, Id, Instant, end_after_start, line


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


CALENDAR_STATUSES = {"busy": "Busy", "extraopen": "ExtraOpen", "workingfromelsewhere": "WorkingFromElsewhere"}


class CreateTimeSlot(ApiModel):
    """The published CreateTimeSlotRequest."""

    ignore_time_slot_conflicts: bool | None = None
    start_date: Instant
    end_date: Instant
    status: Annotated[line(40), WithJsonSchema({"type": "string", "enum": sorted(set(CALENDAR_STATUSES.values()))})]
    room_id: Id | None = None
    employee_id: Id | None = None
    service_group: line(200) | None = None

    _ordered = field_validator("end_date")(end_after_start)


REASON_CODE_TEXT = (
    "ClosingDay, BeyondBookingHorizon, NotQualified, MeetingTypeNotOffered, NotWorking, OutsideOpeningHours, "
    "MinimumNotice, ExternalBusy, FullyBooked, DailyCapReached or NoRoomAvailable (see docs/unavailability.md)"
)


class Reason(ApiModel):
    code: str = Field(examples=["ClosingDay"], description=REASON_CODE_TEXT)
    name: str | None = Field(default=None, examples=["Grundlovsdag"], description="A ClosingDay's name, when the bank gave it one")
    count: int = Field(examples=[3], description="Advisor-days this reason accounts for (0: the search reaches no advisor)")


class AdvisorReason(ApiModel):
    employee_id: str
    code: str = Field(examples=["DailyCapReached"], description=REASON_CODE_TEXT)
    name: str | None = None


class UnavailableDay(ApiModel):
    date: str = Field(examples=["2026-06-05"], description="A local date in the bank's time zone")
    available: bool = Field(description="Some slot is offered that day; then there are no reasons")
    reasons: list[Reason] = Field(description="Why nothing is offered, in the order the rules apply")
    advisors: list[AdvisorReason] | None = Field(
        default=None, description="Employees only: each counted advisor without a slot that day and why"
    )


class Alternative(AvailableTimeslot):
    kind: str = Field(
        examples=["LaterTime"],
        description="LaterTime (the first free time after the window), OtherMeetingType (online or by telephone), "
        "OtherBranch (a branch near the one asked for), OtherAdvisor (another advisor qualified for the topic)",
    )
    location: str | None = Field(default=None, examples=["Aarhus"], description="OtherBranch: the branch to search with")


class Unavailability(ApiModel):
    days: list[UnavailableDay]
    alternatives: list[Alternative] = Field(
        description="When no day of the window is available: slots to offer instead, each bookable with the reserve call"
    )
