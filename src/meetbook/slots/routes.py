"""GET /bookme/time-slots/available."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from meetbook.auth.deps import Customer
from meetbook.availability import collection_deferred
from meetbook.availability.model import EMPLOYEE_TYPES, MEETING_TYPES
from meetbook.errors import Forbidden, Invalid
from meetbook.http import ReadSession, error_responses, json
from meetbook.query import enum_list, instant, split_list, timespan
from meetbook.slots import service
from meetbook.slots.schemas import AvailableTimeslot

router = APIRouter(tags=["BookMe"])

ListParam = Annotated[list[str] | None, Query()]


@router.get(
    "/bookme/time-slots/available",
    summary="Search free time slots",
    description=(
        "Slots on the bank's local :00/:30 grid in which the whole meeting fits. Arrays are repeated keys "
        "(`meetingTypes=physical&meetingTypes=online`) or one comma-separated value; durations are "
        "`[d.]hh:mm:ss` (`7.00:00:00` is seven days)."
    ),
    response_model=list[AvailableTimeslot],
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
async def available(
    request: Request,
    session: ReadSession,
    who: Customer,
    require_employee_participation: Annotated[bool, Query(alias="requireEmployeeParticipation", description="true with explicitEmployeeIds and no employeeTypes: every listed employee must be free (a joint meeting)")],
    explicit_employee_ids: Annotated[list[str] | None, Query(alias="explicitEmployeeIds")] = None,
    employee_types: Annotated[list[str] | None, Query(alias="employeeTypes", description="Explicit, Local, ServiceGroup")] = None,
    start_date: Annotated[str | None, Query(alias="startDate", examples=["2025-10-09T08:00:00Z"])] = None,
    look_forward_time: Annotated[str | None, Query(alias="lookForwardTime", examples=["7.00:00:00"])] = None,
    topic: Annotated[str | None, Query(description="Meeting topic (theme) id")] = None,
    customer_type_id: Annotated[str | None, Query(alias="customerTypeId")] = None,
    customer_category_id: Annotated[str | None, Query(alias="customerCategoryId", description="Same as customerTypeId")] = None,
    meeting_types: Annotated[list[str] | None, Query(alias="meetingTypes", description="physical, online, telephone, offsite")] = None,
    customer_location: Annotated[str | None, Query(alias="customerLocation")] = None,
    meeting_location: Annotated[str | None, Query(alias="meetingLocation")] = None,
    require_room: Annotated[bool | None, Query(alias="requireRoom")] = None,
    specific_rooms: Annotated[list[str] | None, Query(alias="specificRooms")] = None,
    meeting_duration: Annotated[str | None, Query(alias="meetingDuration", examples=["00:45:00"])] = None,
    is_customer_initiated: Annotated[bool | None, Query(alias="isCustomerInitiated")] = None,
    ignore_minimum_time_before_booking: Annotated[bool | None, Query(alias="ignoreMinimumTimeBeforeBooking")] = None,
    get_best_time_slots: Annotated[bool | None, Query(alias="getBestTimeSlots")] = None,
    ignore_meeting_ids: Annotated[list[str] | None, Query(alias="ignoreMeetingIds")] = None,
):
    if not who.is_employee and (is_customer_initiated is False or ignore_minimum_time_before_booking):
        raise Forbidden("only employees may search without the customer rules (isCustomerInitiated=false, ignoreMinimumTimeBeforeBooking=true)")
    types = enum_list("employeeTypes", employee_types, EMPLOYEE_TYPES)
    if types is not None and not types:
        raise Invalid("employeeTypes: at least one value is needed when given", [{"field": "employeeTypes", "message": "empty"}])
    rooms = split_list(specific_rooms)
    query = service.SlotQuery(
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
    found = await service.read_for_search(session, request.app.state.snapshots, query, request.app.state.clock.now())
    # The slots' rows and dicts hold no cycles and are freed before the collector is back: a month
    # of all advisors (147,000 of each) set off ~190 collections, 13 ms of a 115 ms answer.
    with collection_deferred():
        answer = json(service.slots_json(found.rows()))
    return answer
