"""Meetings: create from a hold, read, list, and the .ics download."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request, Response

from meetbook.auth.deps import Employee, SignedIn
from meetbook.catalog.localized import LangParam, read_lang
from meetbook.core import idempotency, patching
from meetbook.core.http import IdempotencyKey, Now, ReadSession, Session, dump, error_responses, json
from meetbook.core.query import enum_value, instant_range
from meetbook.core.wire import IdParam, InstantParam, enum_param
from meetbook.meetings import history, lifecycle, outcome, service
from meetbook.meetings.schemas import (
    Cancellation,
    CancellationReason,
    CreateMeeting,
    HistoryEntry,
    ICalRequest,
    Meeting,
    OutcomeBody,
)
from meetbook.tables.meetings import MEETING_STATUSES, OUTCOMES

# The client says where a change comes from (for the meeting's history): the booking page and the staff
# workspace send it; anything else is an API client.
Channel = Annotated[
    str,
    Header(alias="X-Meetbook-Channel", include_in_schema=False),
]

router = APIRouter(tags=["BookMe"])


@router.post(
    "/bookme/meetings",
    summary="Book the held time slot as a meeting",
    status_code=201,
    response_model=Meeting,
    responses=error_responses(400, 403, 404, 409, 413),
)
async def create_meeting(
    now: Now,
    request: Request,
    session: Session,
    who: SignedIn,
    body: CreateMeeting,
    _key: IdempotencyKey = None,
    channel: Channel = "api",
):
    async def create(first):
        meeting = await service.book(session, request.app.state.snapshots, body, who, now, channel, first)
        return json(dump(meeting), status_code=201, headers={"Location": f"/bookme/meetings/{meeting.id}"})

    first = service.first_reads(session.bind.dialect.name, body.time_slot_id)
    return await idempotency.once(request, session, who.subject, create, first)


@router.get("/bookme/meetings", summary="List meetings (a customer sees only their own)", response_model=list[Meeting], responses=error_responses(400, 403))
async def list_meetings(
    session: ReadSession,
    who: SignedIn,
    time_slot_id: Annotated[IdParam | None, Query(alias="timeSlotId")] = None,
    employee_id: Annotated[IdParam | None, Query(alias="employeeId", description="Meetings this employee leads (the main advisor)")] = None,
    advisor_id: Annotated[IdParam | None, Query(
        alias="advisorId",
        description="Employees only: meetings this employee takes part in, as the main advisor or among additionalEmployees",
    )] = None,
    customer_id: Annotated[str | None, Query(alias="customerId", description="Employees only")] = None,
    start_date_modified: Annotated[InstantParam | None, Query(alias="startDateModified")] = None,
    end_date_modified: Annotated[InstantParam | None, Query(alias="endDateModified")] = None,
    start_date: Annotated[InstantParam | None, Query(alias="startDate", description="Meetings starting at or after")] = None,
    end_date: Annotated[InstantParam | None, Query(alias="endDate", description="Meetings starting before")] = None,
    status: Annotated[enum_param(*MEETING_STATUSES) | None, Query(description="Booked or Cancelled")] = None,
    outcome_filter: Annotated[
        enum_param(*OUTCOMES, "None") | None, Query(alias="outcome", description="Attended, NoShow, or None for meetings without one")
    ] = None,
):
    modified_from, modified_to = instant_range("startDateModified", start_date_modified, "endDateModified", end_date_modified)
    start_from, start_to = instant_range("startDate", start_date, "endDate", end_date)
    meetings = await service.list_meetings(
        session, who, time_slot_id=time_slot_id, employee_id=employee_id, advisor_id=advisor_id, customer_id=customer_id,
        modified_from=modified_from, modified_to=modified_to, start_from=start_from, start_to=start_to,
        status=enum_value("status", status, MEETING_STATUSES),
        outcome=enum_value("outcome", outcome_filter, (*OUTCOMES, "None")),
    )
    return json([dump(x) for x in meetings])


@router.get("/bookme/meetings/{id}", summary="Get a meeting", response_model=Meeting, responses=error_responses(403, 404))
async def get_meeting(session: ReadSession, who: SignedIn, id: IdParam):
    return json(dump(await service.get_meeting(session, id, who)))


@router.post(
    "/bookme/meetings/{id}/ical",
    summary="Download the meeting as an iCalendar (.ics) file",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {"schema": {"type": "string", "format": "binary"}}}}, **error_responses(400, 403, 404)},
)
async def meeting_ical(now: Now, request: Request, session: ReadSession, who: SignedIn, id: IdParam,
                       body: Annotated[ICalRequest | None, Body()] = None, lang: LangParam = None):
    body = body or ICalRequest()
    data = await service.meeting_ical(
        session, id, who, body.title, body.description, body.location, now,
        request.app.state.settings.ical_uid_domain, read_lang(lang),
    )
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="meeting-{id}.ics"'},
    )


def _change_body(*shapes: dict) -> dict:
    """A required body that is one of `shapes` (a body left out is a 400)."""
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"oneOf": list(shapes)},
                "example": [{"op": "replace", "path": "/timeSlotId", "value": "0f8fad5b-d9cb-469f-a165-70867728950e"}],
            }
        },
    }


_PATCH_SHAPES = (
    {"type": "array", "items": {"$ref": "#/components/schemas/PatchOperation"}},
    {"$ref": "#/components/schemas/PatchOperation"},
)
# PUT also takes the changed fields as an object (lifecycle.as_patch); PATCH takes a JSON Patch only.
_MEETING_CHANGE = _change_body(*_PATCH_SHAPES, {"$ref": "#/components/schemas/MeetingChanges"})
_MEETING_PATCH = _change_body(*_PATCH_SHAPES)


@router.put(
    "/bookme/meetings/{id}",
    summary="Change a meeting: details, or move it to a slot reserved with existingMeetingId",
    description="The body is either the changed fields (`{\"timeSlotId\": ...}`) or a JSON Patch.",
    response_model=Meeting,
    openapi_extra={"requestBody": _MEETING_CHANGE},
    responses=error_responses(400, 403, 404, 409),
)
async def put_meeting(
    now: Now, request: Request, session: Session, who: SignedIn, id: IdParam, body: Annotated[Any, Body()] = None, channel: Channel = "api"
):
    return json(dump(await lifecycle.update_meeting(session, request.app.state.snapshots, id, body, who, now, channel)))


@router.patch(
    "/bookme/meetings/{id}",
    summary="Change a meeting with a JSON Patch (title, description, videoLink, additionalEmployees, timeSlotId...)",
    response_model=Meeting,
    openapi_extra={"requestBody": _MEETING_PATCH},
    responses=error_responses(400, 403, 404, 409),
)
async def patch_meeting(
    now: Now, request: Request, session: Session, who: SignedIn, id: IdParam, body: Annotated[Any, Body()] = None, channel: Channel = "api"
):
    operations = patching.operations(body)
    return json(dump(await lifecycle.update_meeting(session, request.app.state.snapshots, id, operations, who, now, channel)))


@router.delete(
    "/bookme/meetings/{id}",
    summary="Cancel a meeting: the advisor and room are free at once; the meeting stays readable as cancelled",
    description="Say why with `cancellationReason`, in the query or in a JSON body; the meeting records it and who cancelled.",
    status_code=204,
    responses=error_responses(400, 403, 404),
)
async def cancel_meeting(
    now: Now, session: Session, who: SignedIn, id: IdParam,
    reason: Annotated[CancellationReason | None, Query(alias="cancellationReason", description="Why the meeting is cancelled")] = None,
    body: Annotated[Cancellation | None, Body()] = None,
    channel: Channel = "api",
):
    await lifecycle.cancel_meeting(session, id, who, now, reason or (body.cancellation_reason if body else None), channel)
    return Response(status_code=204)


@router.post(
    "/bookme/meetings/{id}/outcome",
    summary="Record whether the customer came: Attended or NoShow (employees); null takes it back the same day",
    response_model=Meeting,
    responses=error_responses(400, 403, 404, 409),
)
async def record_outcome(now: Now, request: Request, session: Session, who: Employee, id: IdParam, body: OutcomeBody, channel: Channel = "api"):
    return json(dump(await outcome.record_outcome(session, request.app.state.snapshots, id, body.outcome, who, now, channel)))


@router.get(
    "/bookme/meetings/{id}/history",
    summary="Who booked, moved, changed, cancelled and marked the meeting, when, and from where (employees)",
    response_model=list[HistoryEntry],
    responses=error_responses(403, 404),
)
async def meeting_history(session: ReadSession, who: Employee, id: IdParam):
    return json([dump(e) for e in await history.meeting_history(session, id, who)])
