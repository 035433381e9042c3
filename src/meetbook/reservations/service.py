"""Holding a time slot for five minutes: reserve, look up, release, sweep."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook import patching
from meetbook.auth.tokens import Principal
from meetbook.catalog import models as m
from meetbook.catalog.snapshot import SnapshotCache
from meetbook.clock import epoch
from meetbook.errors import Conflict, Invalid, NotFound, SlotTaken
from meetbook.meetings.models import MeetingRow
from meetbook.reservations import locks
from meetbook.reservations.models import ClaimRow, HoldRow, employee_resource, room_resource, session_lock
from meetbook.reservations.schemas import Reservation, TimeSlot
from meetbook.slots.check import offered_slot
from meetbook.slots.occupancy import WIDEN, TokenHold
from meetbook.schemas_base import ApiModel
from meetbook.slots.models import CalendarEntryRow

HOLD_SECONDS = 300


def hold_out(hold: HoldRow) -> TimeSlot:
    return TimeSlot(
        id=hold.id,
        start_date=hold.start,
        end_date=hold.end,
        status="Reserved",
        employee_id=hold.employee_id,
        room_id=hold.room_id,
        service_group=hold.service_group,
        date_created=hold.date_created,
        date_modified=hold.date_modified,
        expires_at=hold.expires_at,
    )


def claims_for(resources: list[str], start: dt.datetime, end: dt.datetime, buffer_seconds: int, **owner) -> list[ClaimRow]:
    start_s, end_s = epoch(start), epoch(end)
    return [
        ClaimRow(resource=r, start_s=start_s, end_s=end_s + buffer_seconds, meeting_seconds=end_s - start_s, **owner)
        for r in resources
    ]


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
    await locks.lock(session, resources, first=[session_lock(who.subject, request.token)] + ([f"customer:{who.subject}"] if limited else []))

    # One read: the slot's check, and the hold this token already has (whose claims the check
    # leaves out: moving one's own hold within its time is fine).
    expired: set[str] = set()
    held: list[TokenHold] = []
    offered = await offered_slot(
        session,
        bank,
        employee_id=slot.employee_id,
        start=slot.start_date,
        end=slot.end_date,
        now=now,
        room_id=slot.room_id,
        customer_initiated=not who.is_employee,
        ignore_meeting_ids=[request.existing_meeting_id] if request.existing_meeting_id else (),
        expired_holds=expired,
        token=(who.subject, request.token),
        token_holds=held,
    )
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
        raise SlotTaken("the time slot is not available: it is taken, held by another customer, or outside the advisor's bookable time")
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
    if gone:
        await session.execute(delete(HoldRow).where(HoldRow.id.in_(gone)))

    hold = HoldRow(
        id=m.new_id(),
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
        for start_s, end_s in _subtract((claim.start_s, claim.end_s), own):
            claims.append({
                "id": m.new_id(), "resource": claim.resource, "start_s": start_s, "end_s": end_s,
                "meeting_seconds": claim.meeting_seconds if start_s == claim.start_s else 0,
                "hold_id": hold.id, "meeting_id": None, "expires_s": expires_s,
            })
    try:
        await _insert_hold(session, _columns_of(hold), claims)
    except IntegrityError as exc:
        raise SlotTaken("the time slot was taken by someone else at the same moment; pick another") from exc
    return hold_out(hold)


async def _insert_hold(session: AsyncSession, hold: dict, claims: list[dict]) -> None:
    """The hold and its claims as plain INSERTs, not the unit of work: a reserve is mostly round
    trips and per-statement overhead. On PostgreSQL one statement (the hold's INSERT as a CTE;
    the claims' foreign key is checked when the statement ends, the hold is there by then)."""
    add_hold = insert(HoldRow.__table__).values(**hold)
    if not claims:
        await session.execute(add_hold)
    elif session.bind.dialect.name == "postgresql":
        await session.execute(insert(ClaimRow.__table__).values(claims).add_cte(add_hold.cte("new_hold")))
    else:
        await session.execute(add_hold)
        await session.execute(insert(ClaimRow.__table__), claims)


def _columns_of(row) -> dict:
    """A mapped object's column values by column name, for a Core INSERT."""
    mapper = type(row).__mapper__
    return {column.key: getattr(row, attr.key) for attr in mapper.column_attrs for column in attr.columns}


async def get_time_slot(session: AsyncSession, ident: str, who: Principal, now: dt.datetime) -> TimeSlot:
    hold = await session.get(HoldRow, ident)
    if hold is not None and hold.expires_at > now and hold.belongs_to(who):
        return hold_out(hold)
    meeting = await session.scalar(select(MeetingRow).where(MeetingRow.time_slot_id == ident))
    if meeting is not None and (who.is_employee or meeting.customer_id == who.subject):
        return TimeSlot(
            id=ident,
            start_date=meeting.start,
            end_date=meeting.end,
            status="Booked" if meeting.status == "Booked" else "Cancelled",
            employee_id=meeting.employee_id,
            room_id=meeting.room_id,
            date_created=meeting.date_created,
            date_modified=meeting.date_modified,
        )
    entry = await session.get(CalendarEntryRow, ident)
    if entry is not None and who.is_employee:
        return TimeSlot(
            id=entry.id,
            start_date=dt.datetime.fromtimestamp(entry.start_s, dt.UTC),
            end_date=dt.datetime.fromtimestamp(entry.end_s, dt.UTC),
            status=entry.status,
            employee_id=entry.employee_id,
            room_id=entry.room_id,
            service_group=entry.service_group,
            date_created=entry.date_created,
            date_modified=entry.date_modified,
        )
    raise NotFound("time slot '%s' was not found (holds last five minutes)" % ident)


async def release(session: AsyncSession, ident: str, token: str | None, who: Principal) -> None:
    """A customer going back frees their hold at once; only the token's owner may.
    Employees may also remove external calendar time this way."""
    hold = await session.get(HoldRow, ident)
    if hold is not None and (who.is_employee or (hold.belongs_to(who) and hold.token == token)):
        await session.delete(hold)
        return
    if hold is None and who.is_employee:
        from meetbook.slots.calendar import remove_entry

        if await remove_entry(session, ident):
            return
    raise NotFound("time slot '%s' was not found for this reservation token" % ident)


async def sweep_expired(session: AsyncSession, now: dt.datetime, batch: int = 500) -> int:
    """Delete expired holds. Safe in many processes at once: rows another sweeper holds are skipped."""
    return await _delete_batch(session, HoldRow, HoldRow.expires_at <= now, batch)


async def _delete_batch(session: AsyncSession, row_type, condition, batch: int) -> int:
    """Delete up to `batch` rows matching `condition`; on PostgreSQL rows that another process's
    sweeper has locked are skipped (it deletes them), so sweepers never wait for each other."""
    query = select(row_type.id).where(condition).limit(batch)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list((await session.scalars(query)).all())
    if ids:
        await session.execute(delete(row_type).where(row_type.id.in_(ids)))
    return len(ids)


async def prune_past_claims(session: AsyncSession, now: dt.datetime, batch: int = 5000) -> int:
    """Delete booked meetings' claims that ended long enough ago that no read can reach them.

    Every read starts at most WIDEN before now (a search's window never starts in the past), so
    older claims block nothing; left in place they make every search's read grow with the
    bank's history. The meetings themselves stay. Safe in many processes at once."""
    horizon = epoch(now) - WIDEN - 86400
    return await _delete_batch(session, ClaimRow, and_(ClaimRow.meeting_id.is_not(None), ClaimRow.end_s < horizon), batch)


async def detach_claims(session: AsyncSession, hold: HoldRow, meeting_id: str) -> None:
    """Hand a hold's claims to the meeting it became, before the hold row goes."""
    await session.execute(
        update(ClaimRow).where(ClaimRow.hold_id == hold.id).values(hold_id=None, meeting_id=meeting_id, expires_s=None)
    )


def _subtract(interval: tuple[int, int], taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    start, end = interval
    pieces = []
    for t_start, t_end in taken:
        if t_end <= start or t_start >= end:
            continue
        if t_start > start:
            pieces.append((start, t_start))
        start = max(start, t_end)
    if start < end:
        pieces.append((start, end))
    return pieces


class HoldChanges(ApiModel):
    service_group: str | None = None
    room_id: str | None = None


async def patch_hold(
    session: AsyncSession, cache: SnapshotCache, ident: str, token: str | None, body, who: Principal, now: dt.datetime
) -> TimeSlot:
    """Change a live hold's room or service group (the published PATCH /bookme/time-slots/{id})."""
    hold = await session.get(HoldRow, ident)
    if hold is None or hold.expires_at <= now or not (who.is_employee or (hold.belongs_to(who) and hold.token == token)):
        raise NotFound("time slot '%s' was not found for this reservation token" % ident)
    changes = patching.apply(
        {"serviceGroup": hold.service_group, "roomId": hold.room_id}, body, HoldChanges, {"serviceGroup", "roomId"}
    )
    if changes.room_id != hold.room_id:
        resources = [employee_resource(hold.employee_id)] + [room_resource(r) for r in (hold.room_id, changes.room_id) if r]
        await locks.lock(session, resources)
        if changes.room_id:
            if await session.get(m.RoomRow, changes.room_id) is None:
                raise NotFound.of("room", changes.room_id)
            bank = await cache.get(session)
            offered = await offered_slot(
                session, bank, employee_id=hold.employee_id, start=hold.start, end=hold.end, now=now,
                room_id=changes.room_id, customer_initiated=not who.is_employee, ignore_hold_ids=[hold.id],
            )
            if offered is None:
                raise SlotTaken("that room is not free for the held time")
        await session.execute(delete(ClaimRow).where(ClaimRow.hold_id == hold.id, ClaimRow.resource.like("room:%")))
        if changes.room_id:
            buffer = (await cache.get(session)).settings.buffer_seconds
            for claim in claims_for([room_resource(changes.room_id)], hold.start, hold.end, buffer, hold_id=hold.id, expires_s=epoch(hold.expires_at)):
                session.add(claim)
        hold.room_id = changes.room_id
    hold.service_group = changes.service_group
    hold.date_modified = now
    try:
        await session.flush()
    except IntegrityError as exc:
        raise SlotTaken("that room was taken by someone else at the same moment") from exc
    return hold_out(hold)
