"""Time slots other than the search: holds (reserve, get, patch, release), external calendar
time, and the rooms free for a slot."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from meetbook import idempotency
from meetbook.auth.deps import Customer, Employee
from meetbook.catalog import schemas as c
from meetbook.catalog.places import place
from meetbook.http import IdempotencyKey, ReadSession, Session, dump, error_responses, json
from meetbook.query import instant_range
from meetbook.reservations import rooms, service
from meetbook.reservations.schemas import Reservation, TimeSlot
from meetbook.schemas_base import PatchOperation
from meetbook.slots import calendar

router = APIRouter(tags=["BookMe"])


@router.post(
    "/bookme/time-slots/reserve",
    summary="Hold a time slot for five minutes",
    description=(
        "Use one `token` per customer session. Reserving again with the same token releases the "
        "previous hold in the same transaction; if the new slot is taken the answer is 409 and the "
        "previous hold is kept. Repeating the same request returns the same hold, not extended. "
        "A hold is the signed-in customer's: the same token from another customer is another session, and "
        "to anyone but its customer (or an employee) the hold does not exist (404). A customer holds at most "
        "the bank's `maxHoldsPerCustomer` time slots at once (default 3; 409 beyond); employees are not limited."
    ),
    response_model=TimeSlot,
    responses=error_responses(400, 403, 404, 409, 413),
)
async def reserve(request: Request, session: Session, who: Customer, body: Reservation, _key: IdempotencyKey = None):
    state = request.app.state

    async def create():
        hold = await service.reserve(session, state.snapshots, body, who, state.clock.now(), state.settings.hold_seconds)
        return json(dump(hold))

    return await idempotency.once(request, session, who.subject, create)


@router.get(
    "/bookme/time-slots/{id}",
    summary="Get a time slot (a hold, a booked meeting's slot, or calendar time)",
    response_model=TimeSlot,
    responses=error_responses(403, 404),
)
async def get_time_slot(request: Request, session: ReadSession, who: Customer, id: str):
    return json(dump(await service.get_time_slot(session, id, who, request.app.state.clock.now())))


@router.delete(
    "/bookme/time-slots/{id}",
    summary="Release a hold early (the customer went back), or remove calendar time (employees)",
    status_code=204,
    responses=error_responses(403, 404),
)
async def release(
    session: Session,
    who: Customer,
    id: str,
    reservation_token: Annotated[str | None, Query(alias="reservationToken")] = None,
):
    await service.release(session, id, reservation_token, who)
    return Response(status_code=204)


@router.patch(
    "/bookme/time-slots/{id}",
    summary="Change a live hold's room or service group (JSON Patch; only the token's owner)",
    response_model=TimeSlot,
    responses=error_responses(400, 403, 404, 409),
)
async def patch_hold(
    request: Request,
    session: Session,
    who: Customer,
    id: str,
    body: Annotated[list[PatchOperation] | PatchOperation, Body()],
    reservation_token: Annotated[str | None, Query(alias="reservationToken")] = None,
):
    state = request.app.state
    raw = [op.model_dump(by_alias=True, exclude_unset=True) for op in (body if isinstance(body, list) else [body])]
    return json(dump(await service.patch_hold(session, state.snapshots, id, reservation_token, raw, who, state.clock.now())))


@router.post(
    "/bookme/time-slots",
    summary="Record external calendar time (Busy, ExtraOpen, WorkingFromElsewhere) for an advisor or room",
    status_code=201,
    response_model=TimeSlot,
    responses=error_responses(400, 403, 404, 409),
)
async def add_calendar_time(request: Request, session: Session, who: Employee, body: calendar.CreateTimeSlot, _key: IdempotencyKey = None):
    async def create():
        entry = await calendar.add_entry(session, body, request.app.state.clock.now())
        return json(dump(entry), status_code=201, headers={"Location": f"/bookme/time-slots/{entry.id}"})

    return await idempotency.once(request, session, who.subject, create)


@router.get(
    "/bookme/time-slots",
    summary="List external calendar time by employee, room and range",
    response_model=list[TimeSlot],
    responses=error_responses(400, 403),
)
async def list_calendar_time(
    session: ReadSession,
    _who: Employee,
    employee_id: Annotated[str | None, Query(alias="employeeId")] = None,
    room_id: Annotated[str | None, Query(alias="roomId")] = None,
    start_date: Annotated[str | None, Query(alias="startDate")] = None,
    end_date: Annotated[str | None, Query(alias="endDate")] = None,
):
    entries = await calendar.list_entries(session, employee_id, room_id, *instant_range("startDate", start_date, "endDate", end_date))
    return json([dump(e) for e in entries])


@router.get(
    "/bookme/room-vacancies",
    summary="Rooms at a location that are free for a held or booked time slot",
    response_model=list[c.Room],
    responses=error_responses(400, 403, 404),
)
async def room_vacancies(
    request: Request,
    session: ReadSession,
    who: Customer,
    location: Annotated[str, Query()],
    time_slot_id: Annotated[str, Query(alias="timeSlotId")],
):
    location = place(await request.app.state.snapshots.get(session), location, "location")
    free = await rooms.room_vacancies(session, location, time_slot_id, who, request.app.state.clock.now())
    return json([dump(r) for r in free])
