"""Booking a held slot as a meeting, and reading meetings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from zoneinfo import ZoneInfo

from sqlalchemy import String, bindparam, cast, delete, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.auth.tokens import Principal
from meetbook.catalog.snapshot import SnapshotCache
from meetbook.catalog.store import organization_settings
from meetbook.core import locks
from meetbook.core.db import UTCDateTime, new_id, refused_as
from meetbook.core.errors import Conflict, Forbidden, HoldExpired, NotFound, SlotTaken
from meetbook.core.http import dump
from meetbook.core.pipeline import defer, pipelined
from meetbook.meetings.ical import build_ical
from meetbook.meetings.schemas import CreateMeeting, Meeting
from meetbook.slots.check import SlotCheck, offered_slot
from meetbook.tables import catalog as m
from meetbook.tables.audit import record_inserted
from meetbook.tables.claiming import claims_for
from meetbook.tables.claims import ClaimRow, HoldRow, employee_resource
from meetbook.tables.meetings import BOOKED, MeetingRow
from meetbook.tables.outbox import MEETING_BOOKED, record_event


def meeting_out(row: MeetingRow) -> Meeting:
    return Meeting(
        id=row.id,
        status=row.status,
        salesforce_id=row.salesforce_id,
        booked_by=row.booked_by,
        customer_type_id=row.customer_type_id,
        customer_category_id=row.customer_type_id,
        time_slot_id=row.time_slot_id,
        date_created=row.date_created,
        date_modified=row.date_modified,
        title=row.title,
        description=row.description,
        video_link=row.video_link,
        additional_employees=row.additional_employees or [],
        room_id=row.room_id,
        location=row.location,
        start_date=row.start,
        end_date=row.end,
        type=row.type,
        topic_id=row.topic_id,
        theme_id=row.topic_id,
        employee_id=row.employee_id,
        customer_id=row.customer_id,
        customer_name=row.customer_name,
        customer_email=row.customer_email,
        customer_phone=row.customer_phone,
        language=row.language,
        outcome=row.outcome,
        cancellation_reason=row.cancellation_reason,
        cancelled_by=row.cancelled_by,
    )


CHANNELS = ("booking-page", "staff-workspace", "api")


def actor(who: Principal, channel: str = "api") -> dict:
    """Who made a change, for the meeting's history: the token's subject, its highest scope, and the
    channel the client says it is (informational: the scope is what was authorised)."""
    role = "admin" if "admin" in who.scopes else "employee" if who.is_employee else "customer"
    return {"subject": who.subject, "role": role, "channel": channel if channel in CHANNELS else "api"}


def record_meeting_event(
    session: AsyncSession, kind: str, row: MeetingRow, now: dt.datetime, who: Principal | None = None, *,
    previous: Meeting | None = None, channel: str = "api",
) -> None:
    """The change as an outbox event in this transaction: the meeting as it reads now (and before,
    for a move or a change), so every consumer works from the state of that moment; and who made it."""
    data = {"meeting": dump(meeting_out(row)), "sequence": row.sequence}
    if previous is not None:
        data["previous"] = dump(previous)
    if who is not None:
        data["actor"] = actor(who, channel)
    record_event(session, kind, row.id, now, **data)


# A booking's first reads, sent together (core.pipeline; after the Idempotency-Key's lock and lookup
# when there is one): its hold's advisor locked (when the hold exists), then the hold read under the lock.
_LOCK_HOLDS_ADVISOR = text(
    "SELECT pg_advisory_xact_lock(hashtextextended('employee:' || employee_id, 0)) FROM holds WHERE id = :id")
_HOLD = select(*HoldRow.__table__.c).where(HoldRow.__table__.c.id == bindparam("id"))
# Written with the commit (core.pipeline.defer): the meeting, the hold's claims become the meeting's,
# then the hold goes.
_INSERT_MEETING = insert(MeetingRow.__table__)
_DETACH = update(ClaimRow.__table__).where(ClaimRow.__table__.c.hold_id == bindparam("hold")).values(
    hold_id=None, meeting_id=bindparam("meeting"), expires_s=None)
_DROP_HOLD = delete(HoldRow.__table__).where(HoldRow.__table__.c.id == bindparam("hold"))


def first_reads(dialect: str, time_slot_id: str) -> list[tuple]:
    """What `book` reads first, as a batch for core.pipeline (idempotency.once sends it with its own)."""
    lock = [(_LOCK_HOLDS_ADVISOR, {"id": time_slot_id})] if dialect == "postgresql" else []
    return [*lock, (_HOLD, {"id": time_slot_id})]


def _hold_from(rows) -> HoldRow | None:
    """The hold of a raw row: its instants in UTC, as the column type gives them through the ORM."""
    if not rows:
        return None
    return HoldRow(**{
        c.key: c.type.process_result_value(value, None) if isinstance(c.type, UTCDateTime) else value
        for c, value in zip(HoldRow.__table__.c, rows[0], strict=True)
    })


async def book(
    session: AsyncSession, cache: SnapshotCache, body: CreateMeeting, who: Principal, now: dt.datetime, channel: str = "api",
    first: list[list[tuple]] | None = None,
) -> Meeting:
    """Book the held slot. `first`: the rows of first_reads, when the caller sent them already.

    On PostgreSQL three round trips: the first reads, the slot's check, and the writes with the commit."""
    if not who.is_employee:
        if body.booked_by == "employee":
            raise Forbidden("only employees can book with bookedBy=employee")
        if body.customer_id and body.customer_id != who.subject:
            raise Forbidden("a customer books for themselves: customerId must be the signed-in customer")
    customer_id = body.customer_id or (None if who.is_employee else who.subject)

    if first is None:
        first = await pipelined(session, *first_reads(session.bind.dialect.name, body.time_slot_id))
    hold = _hold_from(first[-1])  # read under its advisor's lock: what it is now
    if hold is not None and not hold.belongs_to(who):
        hold = None  # another customer's hold does not exist for this one
    if hold is None:
        booked = (await session.execute(select(MeetingRow.customer_id).where(MeetingRow.time_slot_id == body.time_slot_id))).first()
        if booked is not None and (who.is_employee or booked.customer_id == who.subject):
            raise Conflict(f"time slot '{body.time_slot_id}' is already booked as a meeting")
        raise NotFound(f"time slot '{body.time_slot_id}' was not found (holds last five minutes)")
    if hold.expires_at <= now:
        raise HoldExpired("the hold on this time slot ran out after five minutes; reserve it again")
    if hold.existing_meeting_id:
        raise Conflict("this hold moves an existing meeting; update that meeting with the timeSlotId instead")
    # What exists comes from the configuration snapshot: no lookup per booking.
    bank = await cache.get(session)
    if body.topic_id not in bank.topics:
        raise NotFound.of("topic", body.topic_id)
    if body.customer_type_id and body.customer_type_id not in bank.customer_type_ids:
        raise NotFound.of("customer type", body.customer_type_id)
    if body.employee_id and body.employee_id != hold.employee_id:
        if body.employee_id not in bank.advisors:
            raise NotFound.of("employee", body.employee_id)
        raise Conflict("employeeId differs from the employee of the held time slot")
    if body.room_id and body.room_id != hold.room_id:
        if body.room_id not in bank.rooms:
            raise NotFound.of("room", body.room_id)
        raise Conflict("roomId differs from the room of the held time slot")
    for extra in body.additional_employees:
        if extra not in bank.advisors:
            raise NotFound.of("employee", extra)

    check = SlotCheck(
        hold.employee_id, hold.start, hold.end, room_id=hold.room_id, customer_initiated=body.booked_by == "customer",
        topic_id=body.topic_id, customer_type_id=body.customer_type_id, meeting_type=body.type, ignore_hold_ids=(hold.id,),
    )
    slot = await offered_slot(session, bank, check, now)
    if slot is None:
        raise SlotTaken(
            f"the held time is not bookable as a {body.type} meeting on this topic with this advisor; "
            "search again with the topic and meeting type"
        )

    location = None
    if body.type == "Physical":
        room = bank.rooms.get(hold.room_id) if hold.room_id else None
        location = room.location if room else _workday_location(bank, hold.employee_id, hold.start)
    values = {
        "id": new_id(), "status": BOOKED, "booked_by": body.booked_by, "customer_id": customer_id,
        "customer_type_id": body.customer_type_id, "topic_id": body.topic_id, "type": body.type, "employee_id": hold.employee_id,
        "additional_employees": list(body.additional_employees), "room_id": hold.room_id, "location": location,
        "start": hold.start, "end": hold.end, "time_slot_id": hold.id, "title": body.title, "description": body.description,
        "video_link": body.video_link, "salesforce_id": body.salesforce_id, "customer_name": body.customer_name,
        "customer_email": body.customer_email, "customer_phone": body.customer_phone, "language": body.language,
        "sequence": 0, "date_created": now, "date_modified": now,
    }
    # Written as a Core INSERT, not through the session: the commit then sends only Core statements,
    # in one batch without the ORM's flush (the object below is never added; it is what is answered).
    meeting = MeetingRow(**values)
    if body.additional_employees:
        await session.execute(_INSERT_MEETING, values)  # now: their claims refer to the meeting
        await claim_additional_employees(session, bank, meeting, list(body.additional_employees), replacing=(), now=now)
    else:
        defer(session, _INSERT_MEETING, values)
    record_inserted(session, MeetingRow.__tablename__, meeting.id, values)
    # Under the advisor's lock, with the hold read under it: these cannot be refused.
    defer(session, _DETACH, {"hold": hold.id, "meeting": meeting.id})
    defer(session, _DROP_HOLD, {"hold": hold.id})
    record_meeting_event(session, MEETING_BOOKED, meeting, now, who, channel=channel)
    return meeting_out(meeting)


def _workday_location(bank, employee_id: str, start: dt.datetime) -> str | None:

    advisor = bank.advisors.get(employee_id)
    if advisor is None:
        return None
    local = start.astimezone(ZoneInfo(bank.settings.time_zone))
    day = advisor.workdays[local.weekday()]
    return day.location if day else None


async def get_meeting_row(session: AsyncSession, meeting_id: str, who: Principal) -> MeetingRow:
    row = await session.get(MeetingRow, meeting_id)
    # Someone else's meeting looks exactly like a missing one to a customer.
    if row is None or (not who.is_employee and row.customer_id != who.subject):
        raise NotFound.of("meeting", meeting_id)
    return row


async def get_meeting(session: AsyncSession, meeting_id: str, who: Principal) -> Meeting:
    return meeting_out(await get_meeting_row(session, meeting_id, who))


async def list_meetings(
    session: AsyncSession,
    who: Principal,
    *,
    time_slot_id: str | None = None,
    employee_id: str | None = None,
    advisor_id: str | None = None,
    customer_id: str | None = None,
    modified_from: dt.datetime | None = None,
    modified_to: dt.datetime | None = None,
    start_from: dt.datetime | None = None,
    start_to: dt.datetime | None = None,
    status: str | None = None,
    outcome: str | None = None,
    limit: int = 1000,
) -> list[Meeting]:
    query = select(MeetingRow)
    if not who.is_employee:
        query = query.where(MeetingRow.customer_id == who.subject)
    elif customer_id:
        query = query.where(MeetingRow.customer_id == customer_id)
    if time_slot_id:
        query = query.where(MeetingRow.time_slot_id == time_slot_id)
    if employee_id:
        query = query.where(MeetingRow.employee_id == employee_id)
    if advisor_id:
        if not who.is_employee:
            raise Forbidden("advisorId is for employees")
        # additional_employees is a JSON list: its text holds the id quoted, on SQLite and PostgreSQL alike.
        # The LIKE only narrows the candidates; the exact test is below.
        query = query.where(or_(
            MeetingRow.employee_id == advisor_id,
            cast(MeetingRow.additional_employees, String).contains(f'"{advisor_id}"', autoescape=True),
        ))
    if modified_from:
        query = query.where(MeetingRow.date_modified >= modified_from)
    if modified_to:
        query = query.where(MeetingRow.date_modified <= modified_to)
    if start_from:
        query = query.where(MeetingRow.start >= start_from)
    if start_to:
        query = query.where(MeetingRow.start < start_to)
    if status:
        query = query.where(MeetingRow.status == status)
    if outcome == "None":
        query = query.where(MeetingRow.outcome.is_(None))
    elif outcome:
        query = query.where(MeetingRow.outcome == outcome)
    rows = (await session.scalars(query.order_by(MeetingRow.start, MeetingRow.id).limit(limit))).all()
    if advisor_id:
        rows = [r for r in rows if r.employee_id == advisor_id or advisor_id in (r.additional_employees or ())]
    return [meeting_out(r) for r in rows]


async def meeting_ical(
    session: AsyncSession, meeting_id: str, who: Principal, title: str | None, description: str | None,
    location: str | None, now: dt.datetime, uid_domain: str, language: str | None = None,
) -> bytes:
    """The meeting's .ics in `language`, else the meeting's own, else the bank's default."""
    meeting = await get_meeting_row(session, meeting_id, who)
    settings = await organization_settings(session)
    room = await session.get(m.RoomRow, meeting.room_id) if meeting.room_id else None
    branch_name = room.location if room else meeting.location
    branch = await session.scalar(select(m.LocationRow).where(m.LocationRow.location == branch_name)) if branch_name else None
    return build_ical(
        meeting,
        employee=await session.get(m.EmployeeRow, meeting.employee_id),
        room=room,
        branch=branch,
        topic=await session.get(m.TopicRow, meeting.topic_id) if meeting.topic_id else None,
        settings=settings,
        title=title,
        description=description,
        location=location,
        now=now,
        uid_domain=uid_domain,
        language=language or meeting.language or settings.default_language or "da-DK",
    )


async def claim_additional_employees(
    session: AsyncSession, bank, meeting: MeetingRow, employee_ids: list[str], *, replacing: Collection[str], now: dt.datetime
) -> None:
    """Advisors joining a meeting are blocked for it too: each must be free then (their own
    schedule and meetings), and gets a claim the database keeps from overlapping. The claims of
    the advisors it `replacing` (those the meeting had) go first."""
    wanted = [e for e in dict.fromkeys(employee_ids) if e != meeting.employee_id]
    current = {employee_resource(e) for e in replacing} - {employee_resource(meeting.employee_id)}
    if current:
        await session.execute(delete(ClaimRow).where(ClaimRow.meeting_id == meeting.id, ClaimRow.resource.in_(current)))
    if not wanted:
        return
    await locks.lock(session, [employee_resource(e) for e in wanted])
    for employee_id in wanted:
        check = SlotCheck(employee_id, meeting.start, meeting.end, customer_initiated=False, ignore_meeting_ids=(meeting.id,))
        free = await offered_slot(session, bank, check, now)
        if free is None:
            raise SlotTaken(f"employee '{employee_id}' is not free for the whole meeting")
    for claim in claims_for([employee_resource(e) for e in wanted], meeting.start, meeting.end, bank.settings.buffer_seconds, meeting_id=meeting.id):
        session.add(claim)
    async with refused_as(SlotTaken("an additional employee was booked by someone else at the same moment")):
        await session.flush()
