"""One-slot checks (slots.check: a one-second window at the slot's start, the one advisor named)
agree with the minute-by-minute reference, on the same random banks as test_engine_reference.

Each example checks several slots of one bank one after another, some offered, some moved off
the grid or to another advisor, type or room, at two instants: so the bank's memo (its kept zone,
cohorts and open time) serves later checks from what earlier ones and the whole search left.
"""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given
from reference import reference_slots
from test_engine_reference import PROFILE, scenarios

from meetbook.availability import EXPLICIT, MEETING_TYPES, SlotSearch, compute_slots
from meetbook.slots.check import SlotCheck


def _at(t: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, dt.UTC)


def _search(check: SlotCheck) -> SlotSearch:
    """The search SlotCheck.plan asks, for the reference."""
    start, end = int(check.start.timestamp()), int(check.end.timestamp())
    return SlotSearch(
        window_start=start,
        window_end=start + 1,
        require_employee_participation=False,
        explicit_employee_ids=(check.employee_id,),
        employee_types=frozenset({EXPLICIT}),
        duration_seconds=end - start,
        topic_id=check.topic_id,
        customer_type_id=check.customer_type_id,
        meeting_types=frozenset({check.meeting_type}) if check.meeting_type else None,
        require_room=True if check.room_id else None,
        specific_room_ids=frozenset({check.room_id}) if check.room_id else None,
        customer_initiated=check.customer_initiated,
        best_slots=False,
    )


def _checks(case, rng: random.Random) -> list[SlotCheck]:
    search, bank, occupancy, now = case
    found = compute_slots(search, bank, occupancy, now)  # fills the memo as a search before a reserve would
    advisors = sorted(bank.advisors) or ["nobody"]
    rooms = [None, *sorted(bank.rooms)]
    out = []
    for s in rng.sample(found, min(4, len(found))):
        base = dict(employee_id=s.employee_id, start=_at(s.start), end=_at(s.end), room_id=s.room_id,
                    customer_initiated=search.customer_initiated, topic_id=search.topic_id,
                    customer_type_id=search.customer_type_id, meeting_type=s.meeting_type)
        out.append(SlotCheck(**base))
        moved = rng.choice((900, -1800, 1800, 60, 3 * 3600))
        out.append(SlotCheck(**{**base, "start": _at(s.start + moved), "end": _at(s.end + moved)}))
        out.append(SlotCheck(**{**base, "employee_id": rng.choice(advisors), "meeting_type": rng.choice((None, *MEETING_TYPES)),
                                "room_id": rng.choice(rooms)}))
    # and a few anywhere in the window
    for _ in range(3):
        start = search.window_start + rng.randrange(0, 3 * 86_400, 1800)
        end = start + rng.choice((1800, 3600, 5400))
        out.append(SlotCheck(employee_id=rng.choice(advisors), start=_at(start), end=_at(end), room_id=rng.choice(rooms),
                             customer_initiated=rng.random() < 0.7, meeting_type=rng.choice((None, *MEETING_TYPES))))
    return out


def _agree(case) -> None:
    _, bank, occupancy, now = case
    rng = random.Random(now)
    for check in _checks(case, rng):
        for at in (now, now + 7 * 60):
            search = _search(check)
            expected = reference_slots(search, bank, occupancy, at)
            assert compute_slots(search, bank, occupancy, at) == expected
            plan = check.plan(bank, at)
            got = check.match(plan, occupancy) if plan is not None and plan.advisor_ids else None
            start, end = int(check.start.timestamp()), int(check.end.timestamp())
            same = [s for s in expected if (s.start, s.end, s.employee_id) == (start, end, check.employee_id)]
            same.sort(key=lambda s: (s.room_id is not None, s.meeting_type))
            assert got == (same[0] if same else None)


@PROFILE
@given(scenarios())
def test_one_slot_checks_match_reference(case):
    _agree(case)


@PROFILE
@given(scenarios(focus="dst"))
def test_one_slot_checks_match_reference_across_dst(case):
    _agree(case)


@PROFILE
@given(scenarios(focus="customer"))
def test_one_slot_checks_match_reference_for_customer_limits(case):
    _agree(case)
