"""Calendar feeds: open one for an advisor or a room (a new secret revokes the old), revoke it, and
read the calendar behind a secret.

The secret is the credential of a feed's URL (calendar apps send no bearer token). Only its
SHA-256 hash is stored; a secret is found by its hash and compared in constant time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import String, cast, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.auth.tokens import Principal
from meetbook.catalog.store import get_or_404, own_employee
from meetbook.core import locks
from meetbook.core.db import refused_as
from meetbook.core.errors import Conflict, NotFound
from meetbook.meetings.ical import advisor_name, meeting_event, new_calendar
from meetbook.tables import catalog as m
from meetbook.tables.feeds import EMPLOYEE, ROOM, CalendarFeedRow
from meetbook.tables.meetings import MeetingRow

# How far back a feed reaches: last month's meetings stay in the calendar app.
HISTORY = dt.timedelta(days=30)
# How far ahead, when the bank sets no maxTimeFromBookingToMeeting.
DEFAULT_HORIZON = dt.timedelta(days=365)
# A hint to calendar apps (Outlook reads X-PUBLISHED-TTL, Apple REFRESH-INTERVAL); Google keeps its own pace.
REFRESH = dt.timedelta(minutes=15)
# Same words for a secret never issued and one revoked: the answer tells nothing about which.
NO_FEED = "there is no calendar feed at this address: it was revoked or replaced by a newer one"


@dataclass(frozen=True)
class Owner:
    kind: str  # EMPLOYEE or ROOM
    id: str


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _column(owner: Owner):
    return CalendarFeedRow.employee_id if owner.kind == EMPLOYEE else CalendarFeedRow.room_id


async def check_owner(session: AsyncSession, owner: Owner, who: Principal) -> None:
    """The owner exists (else 404). An advisor's feed is managed by an admin or by that advisor: an
    employee token speaks for the employee whose id or externalId is its subject. (A room's feed is
    the admins', which its routes already require.)"""
    if owner.kind == ROOM:
        await get_or_404(session, m.RoomRow, owner.id, "room")
        return
    await own_employee(session, owner.id, who, "calendar feed")


async def open_feed(session: AsyncSession, owner: Owner, now: dt.datetime) -> tuple[str, CalendarFeedRow]:
    """A new secret for the owner's feed; the previous one (if any) stops working in the same
    transaction. Returns the secret (shown once, never stored) and the row."""
    await locks.lock(session, [f"calendar-feed:{owner.kind}:{owner.id}"])  # two POSTs at once: one after the other
    await revoke_feed(session, owner)
    secret = new_secret()
    row = CalendarFeedRow(token_hash=secret_hash(secret), created_at=now)
    setattr(row, _column(owner).key, owner.id)
    session.add(row)
    async with refused_as(Conflict("another calendar feed was made for the same owner at the same moment; try again")):
        await session.flush()
    return secret, row


async def revoke_feed(session: AsyncSession, owner: Owner) -> None:
    await session.execute(delete(CalendarFeedRow).where(_column(owner) == owner.id))


async def _feed_of(session: AsyncSession, secret: str) -> CalendarFeedRow:
    wanted = secret_hash(secret)
    row = await session.scalar(select(CalendarFeedRow).where(CalendarFeedRow.token_hash == wanted))
    # Found by hash (a lookup leaks nothing about the secret); compared again in constant time.
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        raise NotFound(NO_FEED)
    return row


async def feed_calendar(session: AsyncSession, secret: str, now: dt.datetime, uid_domain: str) -> bytes:
    """The owner's meetings from HISTORY ago to the booking horizon as an RFC 5545 calendar. The
    body depends only on the data (DTSTAMP is each meeting's last change), so its hash is an ETag."""
    feed = await _feed_of(session, secret)
    settings = await session.get(m.OrganizationSettings, 1) or m.OrganizationSettings()
    ahead = settings.max_time_from_booking_to_meeting
    horizon = dt.timedelta(seconds=ahead) if ahead else DEFAULT_HORIZON
    query = select(MeetingRow).where(MeetingRow.end > now - HISTORY, MeetingRow.start < now + horizon)
    if feed.owner_kind == EMPLOYEE:
        owner_id = feed.employee_id
        # Main or additional advisor; the text match only narrows, the list decides below.
        additional = cast(MeetingRow.additional_employees, String).contains(owner_id)
        query = query.where(or_(MeetingRow.employee_id == owner_id, additional))
    else:
        owner_id = feed.room_id
        query = query.where(MeetingRow.room_id == owner_id)
    meetings = [
        row
        for row in (await session.scalars(query.order_by(MeetingRow.start, MeetingRow.id))).all()
        if feed.owner_kind == ROOM or row.employee_id == owner_id or owner_id in (row.additional_employees or ())
    ]

    advisors = {r.employee_id for r in meetings} | ({owner_id} if feed.owner_kind == EMPLOYEE else set())
    used_rooms = {r.room_id for r in meetings if r.room_id} | ({owner_id} if feed.owner_kind == ROOM else set())
    employees = await _by_id(session, m.EmployeeRow, advisors)
    rooms = await _by_id(session, m.RoomRow, used_rooms)
    topics = await _by_id(session, m.TopicRow, {r.topic_id for r in meetings if r.topic_id})
    branches = {b.location: b for b in (await session.scalars(select(m.LocationRow))).all()}

    calendar = new_calendar()
    if feed.owner_kind == EMPLOYEE:
        name = advisor_name(employees[owner_id])
    else:
        room = rooms[owner_id]
        branch = branches.get(room.location)
        name = f"{room.name}, {(branch.display_name or branch.location) if branch else room.location}"
    calendar.add("x-wr-calname", name)
    calendar.add("x-published-ttl", REFRESH)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})

    for meeting in meetings:
        advisor = employees[meeting.employee_id]
        room = rooms.get(meeting.room_id) if meeting.room_id else None
        topic = topics.get(meeting.topic_id) if meeting.topic_id else None
        what = ": ".join(filter(None, [topic.name if topic else None, meeting.customer_name]))
        if feed.owner_kind == EMPLOYEE:
            # The advisor's own calendar: what and with whom (the bank's title speaks to the customer).
            title, description = meeting.title or what or None, None
        else:
            # The front desk: who is in the room and whom to call, not what the customer came to discuss.
            title = meeting.title or " with ".join(filter(None, [what, advisor_name(advisor)]))
            description = f"Advisor: {advisor_name(advisor)}"
        calendar.add_component(
            meeting_event(
                meeting, employee=advisor, room=room, branch=branches.get(room.location if room else meeting.location),
                topic=topic, settings=settings, title=title, description=description, location=None,
                stamp=meeting.date_modified, uid_domain=uid_domain, invite_customer=False,
            )
        )
    return calendar.to_ical()


async def _by_id(session: AsyncSession, table: type, ids: set[str]) -> dict:
    if not ids:
        return {}
    return {row.id: row for row in (await session.scalars(select(table).where(table.id.in_(ids)))).all()}
