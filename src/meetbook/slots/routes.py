"""Everything under /bookme/time-slots but the reservation itself: the search, a time slot by
id (read, release or change a hold), external calendar time, and the rooms free for a slot."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from meetbook.auth.deps import Employee, SignedIn
from meetbook.availability.model import EMPLOYEE_TYPES, MEETING_TYPES
from meetbook.catalog import schemas as c
from meetbook.catalog.localized import BASE_LANGUAGE, LangParam, read_lang
from meetbook.core import idempotency
from meetbook.core.errors import Forbidden, Invalid
from meetbook.core.http import IdempotencyKey, JSONParts, Now, ReadSession, SearchSession, Session, dump, error_responses, json
from meetbook.core.query import enum_list, instant, instant_range, only_declared_parameters, split_list, timespan
from meetbook.core.wire import IdParam, InstantParam, LookAheadParam, MeetingLengthParam, PatchOperation, enum_param
from meetbook.slots import calendar, rooms, service, time_slots, unavailability
from meetbook.slots.schemas import AvailableTimeslot, CreateTimeSlot, TimeSlot, Unavailability

router = APIRouter(tags=["BookMe"])


async def search_request(
    who: SignedIn,
    require_employee_participation: Annotated[bool, Query(alias="requireEmployeeParticipation", description="true with explicitEmployeeIds and no employeeTypes: every listed employee must be free (a joint meeting)")],
    explicit_employee_ids: Annotated[list[IdParam] | None, Query(alias="explicitEmployeeIds")] = None,
    employee_types: Annotated[list[enum_param(*EMPLOYEE_TYPES)] | None, Query(alias="employeeTypes", description="Explicit, Local, ServiceGroup")] = None,
    start_date: Annotated[InstantParam | None, Query(alias="startDate", examples=["2025-10-09T08:00:00Z"])] = None,
    look_forward_time: Annotated[LookAheadParam | None, Query(alias="lookForwardTime", examples=["7.00:00:00"])] = None,
    topic: Annotated[IdParam | None, Query(description="Meeting topic (theme) id")] = None,
    customer_type_id: Annotated[IdParam | None, Query(alias="customerTypeId")] = None,
    customer_category_id: Annotated[IdParam | None, Query(alias="customerCategoryId", description="Same as customerTypeId")] = None,
    meeting_types: Annotated[list[enum_param(*MEETING_TYPES)] | None, Query(alias="meetingTypes", description="physical, online, telephone, offsite")] = None,
    customer_location: Annotated[str | None, Query(alias="customerLocation")] = None,
    meeting_location: Annotated[str | None, Query(alias="meetingLocation")] = None,
    require_room: Annotated[bool | None, Query(alias="requireRoom")] = None,
    specific_rooms: Annotated[list[IdParam] | None, Query(alias="specificRooms")] = None,
    meeting_duration: Annotated[MeetingLengthParam | None, Query(alias="meetingDuration", examples=["00:45:00"])] = None,
    is_customer_initiated: Annotated[bool | None, Query(alias="isCustomerInitiated")] = None,
    ignore_minimum_time_before_booking: Annotated[bool | None, Query(alias="ignoreMinimumTimeBeforeBooking")] = None,
    get_best_time_slots: Annotated[bool | None, Query(alias="getBestTimeSlots")] = None,
    ignore_meeting_ids: Annotated[list[IdParam] | None, Query(alias="ignoreMeetingIds")] = None,
) -> service.SearchRequest:
    """The search's query parameters, parsed once for the search and for its unavailability reasons."""
    if not who.is_employee and (is_customer_initiated is False or ignore_minimum_time_before_booking):
        raise Forbidden("only employees may search without the customer rules (isCustomerInitiated=false, ignoreMinimumTimeBeforeBooking=true)")
    types = enum_list("employeeTypes", employee_types, EMPLOYEE_TYPES)
    if types is not None and not types:
        raise Invalid("employeeTypes: at least one value is needed when given", [{"field": "employeeTypes", "message": "empty"}])
    rooms = split_list(specific_rooms)
    return service.SearchRequest(
        require_employee_participation=require_employee_participation,
        explicit_employee_ids=tuple(dict.fromkeys(split_list(explicit_employee_ids) or [])),
        employee_types=types,
        start_date=instant("startDate", start_date),
        look_forward_seconds=timespan("lookForwardTime", look_forward_time),
        topic_id=topic or None,
        customer_type_id=customer_type_id or customer_category_id or None,
        meeting_types=enum_list("meetingTypes", meeting_types, MEETING_TYPES) or None,
        customer_location=customer_location or None,
        meeting_location=meeting_location or None,
        require_room=require_room,
        specific_room_ids=tuple(rooms) if rooms else None,
        meeting_duration_seconds=timespan("meetingDuration", meeting_duration),
        customer_initiated=is_customer_initiated if is_customer_initiated is not None else True,
        ignore_minimum_notice=bool(ignore_minimum_time_before_booking),
        best_slots=get_best_time_slots,
        ignore_meeting_ids=tuple(split_list(ignore_meeting_ids) or ()),
    )


@router.get(
    "/bookme/time-slots/available",
    summary="Search free time slots",
    description=(
        "Slots on the bank's local :00/:30 grid in which the whole meeting fits. Arrays are repeated keys "
        "(`meetingTypes=physical&meetingTypes=online`) or one comma-separated value; durations are "
        "`[d.]hh:mm:ss` (`7.00:00:00` is seven days)."
    ),
    response_model=list[AvailableTimeslot],
    dependencies=[Depends(only_declared_parameters)],
    responses={
        **error_responses(400, 403, 404),
        200: {
            "content": {
                "application/json": {
                    "example": [
                        {
                            "startDate": "2025-10-10T08:00:00.000Z",
                            "endDate": "2025-10-10T09:00:00.000Z",
                            "meetingType": "Physical",
                            "employeeId": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                            "roomId": None,
                            "meetingTopicId": None,
                        }
                    ]
                }
            }
        },
    },
)
# On the replica when one is configured (core.replica): reserving checks the slot again on the primary.
async def available(now: Now, request: Request, session: SearchSession, query: Annotated[service.SearchRequest, Depends(search_request)]):
    found = await service.load_search(session, request.app.state.snapshots, query, now)
    # Encoded from the engine's columns (no dict per slot: a month of all advisors is 150,000),
    # in parts of 350 kB made as they are sent.
    return JSONParts(*service.answer_json_parts(found.columns()))


UNAVAILABILITY_EXAMPLE = {
    "days": [
        {"date": "2026-06-04", "available": True, "reasons": []},
        {"date": "2026-06-05", "available": False, "reasons": [{"code": "ClosingDay", "name": "Grundlovsdag", "count": 3}]},
        {"date": "2026-06-06", "available": False,
         "reasons": [{"code": "NotWorking", "count": 2}, {"code": "DailyCapReached", "count": 1}]},
    ],
    "alternatives": [],
}
EMPTY_WEEK_EXAMPLE = {
    "days": [
        {"date": "2026-06-05", "available": False, "reasons": [{"code": "FullyBooked", "count": 1}],
         "advisors": [{"employeeId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "code": "FullyBooked"}]},
    ],
    "alternatives": [
        {"kind": "LaterTime", "startDate": "2026-06-08T07:00:00.000Z", "endDate": "2026-06-08T08:00:00.000Z",
         "meetingType": "Physical", "employeeId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "roomId": None,
         "meetingTopicId": None, "location": None},
        {"kind": "OtherBranch", "startDate": "2026-06-05T07:00:00.000Z", "endDate": "2026-06-05T08:00:00.000Z",
         "meetingType": "Physical", "employeeId": "72625b6d-bf11-5331-b88d-a2bf247ca437", "roomId": None,
         "meetingTopicId": None, "location": "Aarhus"},
    ],
}


@router.get(
    "/bookme/time-slots/unavailability",
    summary="Why a search finds no time on a day, and what to offer instead",
    description=(
        "The search's own parameters (as `/bookme/time-slots/available`). Per local day of the window (the bank's time "
        "zone): `available` when some slot is offered, else the reasons nothing is, as stable codes with the advisor-days "
        "each accounts for, in the order the rules apply (a ClosingDay carries the day's name). Employees also get each "
        "advisor's reason. When no day is available, `alternatives` are slots to take instead, each bookable with "
        "`POST /bookme/time-slots/reserve`: the first free time after the window, the topic online or by telephone, a "
        "nearby branch (its `location`), another advisor qualified for the topic. `lang` names the closing days in that "
        "language (else the bank's Danish names). See docs/unavailability.md."
    ),
    response_model=Unavailability,
    dependencies=[Depends(only_declared_parameters)],
    responses={
        **error_responses(400, 403, 404),
        200: {"content": {"application/json": {"examples": {
            "some days closed": {"summary": "A customer's week with a holiday", "value": UNAVAILABILITY_EXAMPLE},
            "empty week": {"summary": "An employee's empty search, with alternatives", "value": EMPTY_WEEK_EXAMPLE},
        }}}},
    },
)
async def unavailable(
    now: Now, request: Request, session: SearchSession, who: SignedIn,  # like the search: on the replica when configured
    query: Annotated[service.SearchRequest, Depends(search_request)],
    lang: LangParam = None,
):
    found = await unavailability.explain_unavailability(
        session, request.app.state.snapshots, query, now, who.is_employee, read_lang(lang) or BASE_LANGUAGE
    )
    return json(found)


@router.get(
    "/bookme/time-slots/{id}",
    summary="Get a time slot (a hold, a booked meeting's slot, or calendar time)",
    response_model=TimeSlot,
    responses=error_responses(403, 404),
)
async def get_time_slot(now: Now, session: ReadSession, who: SignedIn, id: IdParam):
    return json(dump(await time_slots.get_time_slot(session, id, who, now)))


@router.delete(
    "/bookme/time-slots/{id}",
    summary="Release a hold early (the customer went back), or remove calendar time (employees)",
    status_code=204,
    responses=error_responses(403, 404),
)
async def release(
    session: Session,
    who: SignedIn,
    id: IdParam,
    reservation_token: Annotated[str | None, Query(alias="reservationToken")] = None,
):
    await time_slots.release(session, id, reservation_token, who)
    return Response(status_code=204)


@router.patch(
    "/bookme/time-slots/{id}",
    summary="Change a live hold's room or service group (JSON Patch; only the token's owner)",
    response_model=TimeSlot,
    responses=error_responses(400, 403, 404, 409),
)
async def patch_hold(
    now: Now,
    request: Request,
    session: Session,
    who: SignedIn,
    id: IdParam,
    body: Annotated[
        list[PatchOperation] | PatchOperation,
        Body(examples=[[{"op": "replace", "path": "/roomId", "value": "72625b6d-bf11-5331-b88d-a2bf247ca437"}]]),
    ],
    reservation_token: Annotated[str | None, Query(alias="reservationToken")] = None,
):
    state = request.app.state
    raw = [op.model_dump(by_alias=True, exclude_unset=True) for op in (body if isinstance(body, list) else [body])]
    return json(dump(await time_slots.patch_hold(session, state.snapshots, id, reservation_token, raw, who, now)))


@router.post(
    "/bookme/time-slots",
    summary="Record external calendar time (Busy, ExtraOpen, WorkingFromElsewhere) for an advisor or room",
    status_code=201,
    response_model=TimeSlot,
    responses=error_responses(400, 403, 404, 409),
)
async def add_calendar_time(now: Now, request: Request, session: Session, who: Employee, body: CreateTimeSlot, _key: IdempotencyKey = None):
    async def create():
        entry = await calendar.add_entry(session, body, now)
        return json(dump(entry), status_code=201, headers={"Location": f"/bookme/time-slots/{entry.id}"})

    return await idempotency.once(request, session, who.subject, create)


@router.get(
    "/bookme/time-slots",
    summary="List external calendar time by employee, room and range",
    response_model=list[TimeSlot],
    responses=error_responses(400, 403),
)
async def list_calendar_time(
    now: Now,
    session: ReadSession,
    _who: Employee,
    employee_id: Annotated[IdParam | None, Query(alias="employeeId")] = None,
    room_id: Annotated[IdParam | None, Query(alias="roomId")] = None,
    start_date: Annotated[InstantParam | None, Query(alias="startDate")] = None,
    end_date: Annotated[InstantParam | None, Query(alias="endDate")] = None,
    include_holds: Annotated[
        bool, Query(alias="includeHolds", description="Also the live holds (status Reserved), as the staff agenda shows them")
    ] = False,
):
    span = instant_range("startDate", start_date, "endDate", end_date)
    entries = await calendar.list_entries(session, employee_id, room_id, *span)
    if include_holds:
        holds = await calendar.live_holds(session, employee_id, room_id, *span, now)
        entries = sorted([*entries, *holds], key=lambda e: (e.start_date, e.id))
    return json([dump(e) for e in entries])


@router.get(
    "/bookme/room-vacancies",
    summary="Rooms at a location that are free for a held or booked time slot",
    response_model=list[c.Room],
    responses=error_responses(400, 403, 404),
)
async def room_vacancies(
    now: Now,
    request: Request,
    session: ReadSession,
    who: SignedIn,
    location: Annotated[str, Query()],
    time_slot_id: Annotated[IdParam, Query(alias="timeSlotId")],
):
    free = await rooms.room_vacancies(session, request.app.state.snapshots, location, time_slot_id, who, now)
    return json([dump(r) for r in free])
