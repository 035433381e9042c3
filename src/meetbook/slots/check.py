"""Is this exact slot one the search would offer right now? Shared by reserving and booking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.availability import SlotPlan
from meetbook.availability.model import EXPLICIT, Bank, Slot, SlotSearch
from meetbook.core.clock import epoch
from meetbook.tables.occupancy import TokenHold, load_occupancy


async def offered_slot(
    session: AsyncSession,
    bank: Bank,
    *,
    employee_id: str,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    room_id: str | None = None,
    customer_initiated: bool = True,
    topic_id: str | None = None,
    customer_type_id: str | None = None,
    meeting_type: str | None = None,
    ignore_hold_ids: Collection[str] = (),
    ignore_meeting_ids: Collection[str] = (),
    expired_holds: set[str] | None = None,
    token: tuple[str, str] | None = None,
    token_holds: list[TokenHold] | None = None,
) -> Slot | None:
    """The matching slot (carrying the room it would use), or None when it is not offered.

    `expired_holds`, when given, collects the expired holds found on the way; with `token`
    (subject, reservation token), that session's hold does not count, and the customer's holds are
    added to `token_holds` (see load_occupancy)."""
    start_s, end_s, now_s = epoch(start), epoch(end), epoch(now)
    if end_s <= start_s:
        return None
    search = SlotSearch(
        window_start=start_s,
        window_end=start_s + 1,
        require_employee_participation=False,
        explicit_employee_ids=(employee_id,),
        employee_types=frozenset({EXPLICIT}),
        duration_seconds=end_s - start_s,
        topic_id=topic_id,
        customer_type_id=customer_type_id,
        meeting_types=frozenset({meeting_type}) if meeting_type else None,
        require_room=True if room_id else None,
        specific_room_ids=frozenset({room_id}) if room_id else None,
        customer_initiated=customer_initiated,
        best_slots=False,
    )
    plan = SlotPlan(search, bank, now_s)
    # Not even the advisor is in play: still read the advisor's time when the token's hold is
    # asked for, so the caller learns of it either way.
    advisor_ids = plan.advisor_ids or ((employee_id,) if token is not None else ())
    if not advisor_ids:
        return None
    occupancy = await load_occupancy(
        session, start_s, end_s, now_s, ignore_meeting_ids=ignore_meeting_ids, ignore_hold_ids=ignore_hold_ids,
        advisor_ids=advisor_ids, room_ids=plan.room_ids, expired_holds=expired_holds, token=token, token_holds=token_holds,
    )
    if not plan.advisor_ids:
        return None
    matches = [
        s
        for s in plan.slots(occupancy)
        if s.start == start_s and s.end == end_s and s.employee_id == employee_id
    ]
    if not matches:
        return None
    # Without a room asked for, prefer a slot that needs none; else the room the search picked.
    matches.sort(key=lambda s: (s.room_id is not None, s.meeting_type))
    return matches[0]

