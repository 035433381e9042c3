"""Holding a time slot for five minutes: the reservation itself (looking a hold up, releasing and
changing it are time-slot operations: see slots.time_slots)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Integer, String, bindparam, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import ARRAY

from meetbook.auth.tokens import Principal
from meetbook.catalog.snapshot import SnapshotCache
from meetbook.core import locks, metrics
from meetbook.core.clock import epoch
from meetbook.core.db import AFTER_COMMIT, new_id, refused_as
from meetbook.core.errors import Conflict, Invalid, NotFound, SlotTaken
from meetbook.core.pipeline import defer
from meetbook.reservations.schemas import Reservation
from meetbook.slots.check import SlotCheck, check_before_claiming
from meetbook.slots.schemas import TimeSlot
from meetbook.slots.time_slots import hold_out
from meetbook.tables.claiming import claims_for, lock_unless_claimed_statement, subtract
from meetbook.tables.claims import ClaimRow, HoldRow, employee_resource, room_resource, session_lock
from meetbook.tables.meetings import MeetingRow

HOLD_SECONDS = 300
TAKEN = "the time slot is not available: it is taken, held by another customer, or outside the advisor's bookable time"


async def reserve(
    session: AsyncSession,
    cache: SnapshotCache,
    request: Reservation,
    who: Principal,
    now: dt.datetime,
    hold_seconds: int = HOLD_SECONDS,
) -> TimeSlot:
    slot = request.time_slot
    # Who and what exist comes from the configuration snapshot: no lookups per reserve.
    bank = await cache.get(session)
    if slot.employee_id not in bank.advisors:
        raise NotFound.of("employee", slot.employee_id)
    if slot.room_id and slot.room_id not in bank.rooms:
        raise NotFound.of("room", slot.room_id)
    if slot.room_id and not bank.rooms[slot.room_id].can_be_booked:
        raise Invalid(
            f"room '{bank.rooms[slot.room_id].name}' cannot be booked (canBeBooked is false); pick another room or none",
            [{"field": "timeSlot.roomId", "message": "this room cannot be booked"}],
        )
    if request.existing_meeting_id:
        meeting = await session.get(MeetingRow, request.existing_meeting_id)
        if meeting is None or (not who.is_employee and meeting.customer_id != who.subject):
            raise NotFound.of("meeting", request.existing_meeting_id)

    # The session first (one hold per session), then the customer (a limit on their holds), then
    # the advisor and room, always in one order.
    resources = [employee_resource(slot.employee_id)] + ([room_resource(slot.room_id)] if slot.room_id else [])
    limited = not who.is_employee
    first = [session_lock(who.subject, request.token)] + ([f"customer:{who.subject}"] if limited else [])
    # A look at the claims, then the locks (unless the slot is plainly taken), then the read
    # under them: one round trip. The read is the slot's check and the customer's holds (their
    # session's own does not count against the slot: moving one's own hold within its time is fine).
    lock = lock_unless_claimed_statement(
        session.bind.dialect.name, resources, first=first, resources=resources, start_s=epoch(slot.start_date),
        end_s=epoch(slot.end_date) + bank.settings.buffer_seconds, now_s=epoch(now),
        customer_session=(who.subject, request.token), ignored_meeting_id=request.existing_meeting_id,
    )
    check = SlotCheck(
        slot.employee_id, slot.start_date, slot.end_date, room_id=slot.room_id, customer_initiated=not who.is_employee,
        ignore_meeting_ids=(request.existing_meeting_id,) if request.existing_meeting_id else (),
    )
    read = await check_before_claiming(session, bank, check, now, (who.subject, request.token), all_holds=limited, lock=lock)
    if read is None:
        raise SlotTaken(TAKEN)
    offered, expired, held = read.slot, set(read.expired_holds), read.customer_holds
    previous = next((h for h in held if h.mine), None)
    if previous is not None and previous.expires <= epoch(now):
        expired.add(previous.id)
        previous = None
    if (
        previous is not None
        and previous.employee_id == slot.employee_id
        and previous.start == epoch(slot.start_date)
        and previous.end == epoch(slot.end_date)
        and (slot.room_id is None or previous.room_id == slot.room_id)
    ):
        return hold_out(await session.get(HoldRow, previous.id))  # a retry: same hold, not extended
    if offered is None:
        raise SlotTaken(TAKEN)
    if limited:
        others = sum(1 for h in held if not h.mine and h.expires > epoch(now))
        if others >= bank.settings.max_holds_per_customer:
            raise Conflict(
                f"you already hold {others} time slots, the most one customer may hold at once; book or release "
                "one of them (or reserve again with the same token to move it)"
            )
    room_id = slot.room_id or offered.room_id
    if room_id and room_id != slot.room_id:
        resources.append(room_resource(room_id))
        await locks.lock(session, [room_resource(room_id)])

    # Expired holds give their space back here, inside the claiming transaction (the sweeper
    # gets to them too, but maybe not yet). Same session, new slot: the old hold goes in this
    # same transaction, so if anything below fails the customer still has it.
    gone = sorted(expired | ({previous.id} if previous is not None else set()))
    if gone and session.bind.dialect.name == "postgresql":
        defer(session, _DROP_HOLDS, {"ids": gone})  # with the commit, before the new hold's insert
    elif gone:
        await session.execute(delete(HoldRow).where(HoldRow.id.in_(gone)))

    hold = HoldRow(
        id=new_id(),
        token=request.token,
        employee_id=slot.employee_id,
        room_id=room_id,
        service_group=slot.service_group,
        existing_meeting_id=request.existing_meeting_id,
        subject=who.subject,
        start=slot.start_date,
        end=slot.end_date,
        expires_at=now + dt.timedelta(seconds=hold_seconds),
        date_created=now,
        date_modified=now,
    )
    moving = []
    if request.existing_meeting_id:
        moving = (await session.scalars(select(ClaimRow).where(ClaimRow.meeting_id == request.existing_meeting_id))).all()
    expires_s = epoch(hold.expires_at)
    claims = []
    for claim in claims_for(resources, slot.start_date, slot.end_date, bank.settings.buffer_seconds):
        # Moving a meeting: where the new time overlaps the meeting's own claim, that claim
        # already keeps everyone else out; the hold claims only the rest.
        own = sorted((c.start_s, c.end_s) for c in moving if c.resource == claim.resource)
        for start_s, end_s in subtract((claim.start_s, claim.end_s), own):
            claims.append({
                "id": new_id(), "resource": claim.resource, "start_s": start_s, "end_s": end_s,
                "meeting_seconds": claim.meeting_seconds if start_s == claim.start_s else 0,
                "hold_id": hold.id, "meeting_id": None, "expires_s": expires_s,
            })
    async with refused_as(SlotTaken("the time slot was taken by someone else at the same moment; pick another")):
        await _insert_hold(session, _columns_of(hold), claims)
    session.info.setdefault(AFTER_COMMIT, []).append(metrics.HOLDS_GRANTED.inc)  # a new hold, once it is stored
    return hold_out(hold)


# The hold and its claims in one statement of one fixed text, whatever the number of claims: the
# hold's INSERT as a CTE, the claims from arrays (the claims' foreign key is checked when the
# statement ends, the hold is there by then). A multi-row VALUES was compiled anew for every reserve.
_HOLD_COLUMNS = [c.name for c in HoldRow.__table__.columns]
_DROP_HOLDS = delete(HoldRow.__table__).where(HoldRow.__table__.c.id == func.any(bindparam("ids", type_=ARRAY(String))))
_INSERT_HOLD_AND_CLAIMS = text(
    "WITH new_hold AS (INSERT INTO holds (" + ", ".join(f'"{c}"' for c in _HOLD_COLUMNS) + ") VALUES ("
    + ", ".join(f":{c}" for c in _HOLD_COLUMNS) + ")) "
    "INSERT INTO claims (id, resource, start_s, end_s, meeting_seconds, hold_id, expires_s) "
    "SELECT c.id, c.resource, c.start_s, c.end_s, c.meeting_seconds, :id, :claims_expire "
    "FROM unnest(:claim_ids, :claim_resources, :claim_starts, :claim_ends, :claim_seconds) "
    "AS c(id, resource, start_s, end_s, meeting_seconds)"
).bindparams(
    *(bindparam(c.name, type_=c.type) for c in HoldRow.__table__.columns),
    bindparam("claims_expire", type_=BigInteger), bindparam("claim_ids", type_=ARRAY(String)),
    bindparam("claim_resources", type_=ARRAY(String)), bindparam("claim_starts", type_=ARRAY(BigInteger)),
    bindparam("claim_ends", type_=ARRAY(BigInteger)), bindparam("claim_seconds", type_=ARRAY(Integer)),
)


async def _insert_hold(session: AsyncSession, hold: dict, claims: list[dict]) -> None:
    """The hold and its claims as plain INSERTs, not the unit of work: a reserve is mostly round
    trips and per-statement overhead."""
    if claims and session.bind.dialect.name == "postgresql":
        # Sent with the commit (core.pipeline.defer): one round trip for the insert and COMMIT. The
        # lock and the check under it make a refusal all but impossible; the exclusion constraint
        # still refuses an overlap then, and the commit's 23P01 is answered 409 like this block's.
        defer(session, _INSERT_HOLD_AND_CLAIMS, {
            **hold, "claims_expire": claims[0]["expires_s"], "claim_ids": [c["id"] for c in claims],
            "claim_resources": [c["resource"] for c in claims], "claim_starts": [c["start_s"] for c in claims],
            "claim_ends": [c["end_s"] for c in claims], "claim_seconds": [c["meeting_seconds"] for c in claims],
        })
        return
    await session.execute(insert(HoldRow.__table__).values(**hold))
    if claims:
        await session.execute(insert(ClaimRow.__table__), claims)


def _columns_of(row) -> dict:
    """A mapped object's column values by column name, for a Core INSERT."""
    mapper = type(row).__mapper__
    return {column.key: getattr(row, attr.key) for attr in mapper.column_attrs for column in attr.columns}


