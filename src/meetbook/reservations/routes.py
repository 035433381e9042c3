"""Holds: POST /bookme/time-slots/reserve, GET and DELETE /bookme/time-slots/{id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from meetbook.auth.deps import Customer
from meetbook.http import Session, dump, error_responses, json
from meetbook.reservations import service
from meetbook.reservations.schemas import Reservation, TimeSlot

router = APIRouter(tags=["BookMe"])


@router.post(
    "/bookme/time-slots/reserve",
    summary="Hold a time slot for five minutes",
    description=(
        "Use one `token` per customer session. Reserving again with the same token releases the "
        "previous hold in the same transaction; if the new slot is taken the answer is 409 and the "
        "previous hold is kept. Repeating the same request returns the same hold, not extended."
    ),
    response_model=TimeSlot,
    responses=error_responses(400, 403, 404, 409, 413),
)
async def reserve(request: Request, session: Session, who: Customer, body: Reservation):
    state = request.app.state
    hold = await service.reserve(session, state.snapshots, body, who, state.clock.now(), state.settings.hold_seconds)
    return json(dump(hold))


@router.get(
    "/bookme/time-slots/{id}",
    summary="Get a time slot (a hold, a booked meeting's slot, or calendar time)",
    response_model=TimeSlot,
    responses=error_responses(403, 404),
)
async def get_time_slot(request: Request, session: Session, who: Customer, id: str):
    return json(dump(await service.get_time_slot(session, id, who, request.app.state.clock.now())))


@router.delete(
    "/bookme/time-slots/{id}",
    summary="Release a hold early (the customer went back)",
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
