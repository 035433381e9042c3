"""Wire shapes of meetings. The seed's names (themeId, customerCategoryId) and the later ones
(topicId, customerTypeId) are both read, and both written."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AliasChoices, BeforeValidator, Field, model_validator

from meetbook.availability.model import MEETING_TYPES
from meetbook.core.wire import UUID_SCHEMA, ApiModel, Id, Instant, enum_reader, line, text
from meetbook.messages import normalize_language

MeetingType = Annotated[Literal["Physical", "Online", "Telephone", "OffSite"], BeforeValidator(enum_reader(*MEETING_TYPES))]
Title = line(500)
Description = text(10_000)
# The patterns are published too (pydantic leaves a pattern after a validator out of the schema);
# the e-mail's also says what `line` refuses: no control characters.
_ADDRESS = r"[^@\s\u0000-\u001f\u007f-\u009f]+"
Email = Annotated[line(320, published=f"^{_ADDRESS}@{_ADDRESS}\\.{_ADDRESS}$"), Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Phone = Annotated[line(50, published=r"^\+?[0-9 ()\-]{4,}$"), Field(pattern=r"^\+?[0-9 ()\-]{4,}$")]
Language = Annotated[
    Literal["da-DK", "en-GB"],
    BeforeValidator(lambda v: normalize_language(v) if isinstance(v, str) else v),
    Field(description="The customer's language for messages: da-DK or en-GB (da and en are read too); the bank's default when left out"),
]
BookedBy = Annotated[Literal["customer", "employee"], BeforeValidator(enum_reader("customer", "employee"))]


def _seed_names(schema: dict) -> None:
    """The document names both spellings the body is read with, and says a topic is required
    under either name (topicId wins when both are given; null is no topic)."""
    properties = schema["properties"]
    properties["topicId"] = {**UUID_SCHEMA, "description": "The meeting's topic (or send it as themeId)"}
    properties["themeId"] = {**UUID_SCHEMA, "description": "The seed's name for topicId"}
    properties["customerCategoryId"] = {**properties["customerTypeId"], "description": "The seed's name for customerTypeId"}
    schema["anyOf"] = [{"required": ["topicId"]}, {"required": ["themeId"]}]
    schema["examples"] = [
        {
            "bookedBy": "customer",
            "customerCategoryId": "8b7df143-d91c-4ecb-8d0e-2b6c5f3f0e11",
            "timeSlotId": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "type": "physical",
            "themeId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "employeeId": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "customerId": "67890",
            "description": "Meeting description",
        }
    ]


class CreateMeeting(ApiModel):
    booked_by: BookedBy = "customer"
    time_slot_id: Id = Field(description="The id of the hold (from POST /bookme/time-slots/reserve)")
    type: MeetingType
    topic_id: Id | None = Field(default=None, validation_alias=AliasChoices("topicId", "themeId", "topic_id"))
    customer_type_id: Id | None = Field(
        default=None, validation_alias=AliasChoices("customerTypeId", "customerCategoryId", "customer_type_id")
    )
    employee_id: Id | None = None
    room_id: Id | None = None
    customer_id: line(200) | None = None
    title: Title | None = None
    description: Description | None = None
    salesforce_id: line(200) | None = None
    video_link: line(2000) | None = None
    additional_employees: list[Id] = Field(default=[], max_length=50)
    customer_name: line(200) | None = None
    customer_email: Email | None = None
    customer_phone: Phone | None = None
    language: Language | None = None

    model_config = ApiModel.model_config | {"json_schema_extra": lambda schema, _cls: _seed_names(schema)}

    @model_validator(mode="after")
    def _topic_given(self):
        if not self.topic_id:
            raise ValueError("topicId (or the seed's themeId) is required")
        return self


class Meeting(ApiModel):
    model_config = ApiModel.model_config | {
        "json_schema_extra": {
            "examples": [
                {
                    "id": "b29fef41-8fd9-457b-8783-e6465b17037f", "status": "Booked", "salesforceId": None,
                    "bookedBy": "customer", "customerTypeId": "8b7df143-d91c-4ecb-8d0e-2b6c5f3f0e11",
                    "customerCategoryId": "8b7df143-d91c-4ecb-8d0e-2b6c5f3f0e11",
                    "timeSlotId": "0f8fad5b-d9cb-469f-a165-70867728950e",
                    "dateCreated": "2025-10-09T09:12:44.120Z", "dateModified": "2025-10-09T09:12:44.120Z",
                    "title": None, "description": "Meeting description", "videoLink": None, "additionalEmployees": [],
                    "roomId": "72625b6d-bf11-5331-b88d-a2bf247ca437", "location": "Copenhagen",
                    "startDate": "2025-10-10T08:00:00.000Z", "endDate": "2025-10-10T09:00:00.000Z", "type": "Physical",
                    "topicId": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "themeId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                    "employeeId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "customerId": "67890",
                    "customerName": None, "customerEmail": None, "customerPhone": None,
                }
            ]
        }
    }

    id: str
    status: Literal["Booked", "Cancelled"]
    salesforce_id: str | None = None
    booked_by: str
    customer_type_id: str | None = None
    customer_category_id: str | None = None
    time_slot_id: str | None = None
    date_created: Instant
    date_modified: Instant
    title: str | None = None
    description: str | None = None
    video_link: str | None = None
    additional_employees: list[str] = []
    room_id: str | None = None
    location: str | None = None
    start_date: Instant
    end_date: Instant
    type: str
    topic_id: str | None = None
    theme_id: str | None = None
    employee_id: str
    customer_id: str | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    language: str | None = None
    outcome: Literal["Attended", "NoShow"] | None = None
    cancellation_reason: str | None = None
    cancelled_by: str | None = None


class MeetingChanges(ApiModel):
    """What PUT and PATCH /bookme/meetings/{id} may change."""

    # Only these: PUT refuses any other field (lifecycle.as_patch), which also tells this object
    # from a single JSON Patch operation.
    model_config = ApiModel.model_config | {"json_schema_extra": {"additionalProperties": False}}

    title: Title | None = None
    description: Description | None = None
    video_link: line(2000) | None = None
    additional_employees: list[Id] = Field(default=[], max_length=50)
    time_slot_id: Id | None = None
    customer_name: line(200) | None = None
    customer_email: Email | None = None
    customer_phone: Phone | None = None
    language: Language | None = None


class ICalRequest(ApiModel):
    title: Title | None = None
    description: Description | None = None
    location: line(500) | None = None


CancellationReason = text(1000)


class Cancellation(ApiModel):
    """DELETE /bookme/meetings/{id} may say why (BookMe's cancellationReason)."""

    cancellation_reason: CancellationReason | None = None


class OutcomeBody(ApiModel):
    outcome: Literal["Attended", "NoShow"] | None = Field(
        description="Attended or NoShow once the meeting has begun; null takes a mark back (the same day it was made)"
    )


class Actor(ApiModel):
    subject: str = Field(description="The token's subject: a customer id, an employee, an API client")
    role: Literal["customer", "employee", "admin"]
    channel: Literal["booking-page", "staff-workspace", "api"] = Field(
        description="Where the change came from: the customer booking page, the staff workspace, or any other API client"
    )


class HistoryEntry(ApiModel):
    at: Instant
    kind: Literal["booked", "rescheduled", "changed", "cancelled", "outcome", "calendar_conflict"]
    by: Actor | None = None
    changes: dict[str, dict] = Field(default={}, description="Changed fields: {field: {from, to}}")
    meeting: Meeting = Field(description="The meeting as it read right after this change")
