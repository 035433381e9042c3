"""Who is taken when, read from the database for one search: one query per kind of data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.availability.model import CalendarEntry, Claim, Occupancy
from meetbook.reservations.models import ClaimRow, employee_resource
from meetbook.slots.models import CalendarEntryRow

# Two days either side: a window edge can fall in a 25-hour autumn day, and caps and the fair
# tie-break count every claim of each local day the window touches.
WIDEN = 2 * 86400


async def load_occupancy(
    session: AsyncSession,
    window_start: int,
    window_end: int,
    now: int,
    *,
    ignore_meeting_ids: Collection[str] = (),
    ignore_hold_ids: Collection[str] = (),
    advisor_ids: Collection[str] | None = None,
) -> Occupancy:
    """Active claims and calendar time around the window.

    The window is widened on each side (see WIDEN): daily caps and the fair tie-break count the
    whole local day of every slot. Expired holds are left out: they never block anyone. With
    `advisor_ids`, only those advisors' time is read (rooms always are): a search for one
    advisor reads a handful of rows, not the whole bank's.
    """
    lo, hi = window_start - WIDEN, window_end + WIDEN
    query = select(ClaimRow.resource, ClaimRow.start_s, ClaimRow.end_s, ClaimRow.meeting_seconds).where(
        ClaimRow.end_s > lo,
        ClaimRow.start_s < hi,
        or_(ClaimRow.expires_s.is_(None), ClaimRow.expires_s > now),
    )
    if ignore_meeting_ids:
        query = query.where(or_(ClaimRow.meeting_id.is_(None), ClaimRow.meeting_id.not_in(list(ignore_meeting_ids))))
    if ignore_hold_ids:
        query = query.where(or_(ClaimRow.hold_id.is_(None), ClaimRow.hold_id.not_in(list(ignore_hold_ids))))
    if advisor_ids is not None:
        wanted = [employee_resource(a) for a in advisor_ids]
        query = query.where(or_(ClaimRow.resource.in_(wanted), ClaimRow.resource.like("room:%")))
    advisors: dict[str, list[Claim]] = defaultdict(list)
    rooms: dict[str, list[Claim]] = defaultdict(list)
    for resource, start, end, seconds in (await session.execute(query)).all():
        kind, _, ident = resource.partition(":")
        (advisors if kind == "employee" else rooms)[ident].append(Claim(start, end, seconds))

    calendar: dict[str, list[CalendarEntry]] = defaultdict(list)
    entries = select(
        CalendarEntryRow.employee_id, CalendarEntryRow.room_id, CalendarEntryRow.start_s,
        CalendarEntryRow.end_s, CalendarEntryRow.status,
    ).where(and_(CalendarEntryRow.end_s > lo, CalendarEntryRow.start_s < hi))
    if advisor_ids is not None:
        entries = entries.where(or_(CalendarEntryRow.employee_id.in_(list(advisor_ids)), CalendarEntryRow.employee_id.is_(None)))
    for employee_id, room_id, start, end, status in (await session.execute(entries)).all():
        if employee_id:
            calendar[employee_id].append(CalendarEntry(start, end, status))
        elif room_id and status == "Busy":
            # A room's own calendar: busy time blocks it like a claim, counting no meeting time.
            rooms[room_id].append(Claim(start, end, 0))
    return Occupancy(advisor_claims=dict(advisors), room_claims=dict(rooms), calendar=dict(calendar))
