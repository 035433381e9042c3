"""Is this exact slot one the search would offer right now? Shared by reserving, booking, moving
and changing a hold's room."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.availability import SearchPlan
from meetbook.availability.model import EXPLICIT, Bank, Occupancy, Slot, SlotSearch
from meetbook.core.clock import epoch
from meetbook.core.pipeline import pipelined
from meetbook.tables.occupancy import CustomerHold, claiming_read, load_occupancy, read_before_claiming_statement


@dataclass(frozen=True, slots=True)
class SlotCheck:
    """One exact slot, with what the search would be asked for it."""

    employee_id: str
    start: dt.datetime
    end: dt.datetime
    room_id: str | None = None
    customer_initiated: bool = True
    topic_id: str | None = None
    customer_type_id: str | None = None
    meeting_type: str | None = None
    # Time that does not count against it: the hold being changed, the meeting being moved.
    ignore_hold_ids: Collection[str] = ()
    ignore_meeting_ids: Collection[str] = ()

    def plan(self, bank: Bank, now_s: int) -> SearchPlan | None:
        start_s, end_s = epoch(self.start), epoch(self.end)
        if end_s <= start_s:
            return None
        search = SlotSearch(
            window_start=start_s,
            window_end=start_s + 1,
            require_employee_participation=False,
            explicit_employee_ids=(self.employee_id,),
            employee_types=frozenset({EXPLICIT}),
            duration_seconds=end_s - start_s,
            topic_id=self.topic_id,
            customer_type_id=self.customer_type_id,
            meeting_types=frozenset({self.meeting_type}) if self.meeting_type else None,
            require_room=True if self.room_id else None,
            specific_room_ids=frozenset({self.room_id}) if self.room_id else None,
            customer_initiated=self.customer_initiated,
            best_slots=False,
        )
        return SearchPlan(search, bank, now_s)

    def match(self, plan: SearchPlan, occupancy: Occupancy) -> Slot | None:
        """The matching slot (carrying the room it would use), or None when it is not offered."""
        start_s, end_s = epoch(self.start), epoch(self.end)
        matches = [s for s in plan.slots(occupancy) if s.start == start_s and s.end == end_s and s.employee_id == self.employee_id]
        if not matches:
            return None
        # Without a room asked for, prefer a slot that needs none; else the room the search picked.
        matches.sort(key=lambda s: (s.room_id is not None, s.meeting_type))
        return matches[0]


async def offered_slot(session: AsyncSession, bank: Bank, check: SlotCheck, now: dt.datetime) -> Slot | None:
    """The slot as the search would offer it now, or None."""
    now_s = epoch(now)
    plan = check.plan(bank, now_s)
    if plan is None or not plan.advisor_ids:
        return None
    occupancy = await load_occupancy(
        session, epoch(check.start), epoch(check.end), now_s, ignore_meeting_ids=check.ignore_meeting_ids,
        ignore_hold_ids=check.ignore_hold_ids, advisor_ids=plan.advisor_ids, room_ids=plan.room_ids,
    )
    return check.match(plan, occupancy)


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    """A check before claiming: the slot (None when not offered), the expired holds in the way,
    and the customer's live holds (their session's own marked `mine`)."""

    slot: Slot | None
    expired_holds: frozenset[str]
    customer_holds: tuple[CustomerHold, ...]


async def check_before_claiming(
    session: AsyncSession, bank: Bank, check: SlotCheck, now: dt.datetime, customer_session: tuple[str, str],
    all_holds: bool = True, lock: tuple | None = None,
) -> ClaimCheck | None:
    """offered_slot for a reserve, in the same one read: the customer session's (subject, token)
    own hold does not count against the slot, and comes back with the customer's other holds
    (only when `all_holds`: they are counted against a customer's limit).

    `lock` (tables.claiming.lock_unless_claimed_statement) is sent first, in the same round trip:
    None when it found the slot taken (and took no lock)."""
    now_s = epoch(now)
    plan = check.plan(bank, now_s)
    # Even when the advisor is not in play, read their time: the caller learns of the customer's holds either way.
    advisor_ids = (plan.advisor_ids if plan is not None else ()) or (check.employee_id,)
    read = read_before_claiming_statement(
        session.bind.dialect.name, epoch(check.start), epoch(check.end), now_s, advisor_ids=advisor_ids,
        room_ids=plan.room_ids if plan is not None else (), ignore_meeting_ids=check.ignore_meeting_ids,
        ignore_hold_ids=check.ignore_hold_ids, customer_session=customer_session, all_holds=all_holds,
    )
    if lock is None:
        (rows,) = await pipelined(session, read)
    else:
        (locked,), rows = await pipelined(session, lock, read)
        if not locked[0]:
            return None
    found = claiming_read(rows, now_s)
    slot = check.match(plan, found.occupancy) if plan is not None and plan.advisor_ids else None
    return ClaimCheck(slot, found.expired_holds, found.customer_holds)
