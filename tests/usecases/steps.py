"""Small steps of the booking flow as direct use-case calls, each in its own unit of work (one
request's worth), shared by the use-case tests. Slots are the search's rows:
(start, end, meeting type, employee id, room id, topic id), times in epoch seconds."""

from __future__ import annotations

import datetime as dt
import uuid

from meetbook.core.timefmt import format_instant
from meetbook.meetings import lifecycle
from meetbook.meetings.schemas import CreateMeeting
from meetbook.meetings.service import book as book_meeting
from meetbook.reservations.schemas import Reservation
from meetbook.reservations.service import reserve as reserve_slot
from meetbook.slots.service import SearchRequest, load_search
from tests import bankdata as b


def at(epoch_seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch_seconds, dt.UTC)


async def search(uc, who, **query) -> list[tuple]:
    """The free slots for `query` (SearchRequest's fields; default: Anna, explicitly, housing, physical)."""
    query.setdefault("require_employee_participation", True)
    query.setdefault("explicit_employee_ids", (b.ANNA,))
    query.setdefault("topic_id", b.T_HOUSING)
    query.setdefault("meeting_types", frozenset({"Physical"}))
    query.setdefault("customer_initiated", not who.is_employee)
    async with uc.uow() as session:
        found = await load_search(session, uc.cache, SearchRequest(**query), uc.now)
        return found.rows()


def reservation(slot: tuple, token: str | None = None, **extra) -> Reservation:
    """The reserve request for a slot row, parsed as the wire body is."""
    start, end, _type, employee, room, _topic = slot
    body = {
        "timeSlot": {
            "startDate": format_instant(start), "endDate": format_instant(end), "status": "Reserved",
            "employeeId": employee, **({"roomId": room} if room else {}),
        },
        "token": token or str(uuid.uuid4()),
        **extra,
    }
    return Reservation.model_validate(body)


async def reserve(uc, who, slot: tuple, token: str | None = None, **extra):
    async with uc.uow() as session:
        return await reserve_slot(session, uc.cache, reservation(slot, token, **extra), who, uc.now)


def meeting_body(hold, topic_id: str = b.T_HOUSING, meeting_type: str = "physical", **extra) -> CreateMeeting:
    body = {
        "bookedBy": "customer", "timeSlotId": hold.id, "type": meeting_type, "themeId": topic_id,
        "employeeId": hold.employee_id, "description": "Meeting description", **extra,
    }
    return CreateMeeting.model_validate(body)


async def book(uc, who, hold, topic_id: str = b.T_HOUSING, meeting_type: str = "physical", **extra):
    async with uc.uow() as session:
        return await book_meeting(session, uc.cache, meeting_body(hold, topic_id, meeting_type, **extra), who, uc.now)


async def update(uc, who, meeting_id: str, changes: dict):
    async with uc.uow() as session:
        return await lifecycle.update_meeting(session, uc.cache, meeting_id, changes, who, uc.now)


async def cancel(uc, who, meeting_id: str) -> None:
    async with uc.uow() as session:
        await lifecycle.cancel_meeting(session, meeting_id, who, uc.now)


def starts(slots: list[tuple]) -> set[int]:
    return {s[0] for s in slots}


class exactly:
    """`with exactly(Conflict, "already booked"):` the block raises that domain error class itself,
    not a subclass (pytest.raises(Conflict) would also pass for SlotTaken or HoldExpired), with
    `words` in its message."""

    def __init__(self, kind: type[Exception], words: str = ""):
        self.kind, self.words = kind, words
        self.error: Exception | None = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        assert exc is not None, f"expected {self.kind.__name__}, nothing was raised"
        assert exc_type is self.kind, f"expected {self.kind.__name__}, got {exc_type.__name__}: {exc}"
        assert self.words in str(exc), f"expected {self.words!r} in {str(exc)!r}"
        self.error = exc
        return True
