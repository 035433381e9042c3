"""POST /bookme/time-slots/reserve: hold a time slot for five minutes. Everything else under
/bookme/time-slots lives in slots.routes."""

from __future__ import annotations

from fastapi import APIRouter, Request

from meetbook.auth.deps import SignedIn
from meetbook.core import idempotency, metrics
from meetbook.core.errors import Conflict
from meetbook.core.http import IdempotencyKey, Now, Session, dump, error_responses, json
from meetbook.reservations import service
from meetbook.reservations.schemas import Reservation
from meetbook.slots.schemas import TimeSlot

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
async def reserve(now: Now, request: Request, session: Session, who: SignedIn, body: Reservation, _key: IdempotencyKey = None):
    state = request.app.state

    async def create():
        try:
            hold = await service.reserve(session, state.snapshots, body, who, now, state.settings.hold_seconds)
        except Conflict:  # taken, or too many holds: the 409s an operator watches for contention
            metrics.HOLDS_REFUSED.inc()
            raise
        return json(dump(hold))

    return await idempotency.once(request, session, who.subject, create)


