"""Why no time, against the search itself: on random banks (the scenarios of the engine's
reference test), a day of the window has slots exactly when it has no reasons, and the reasons
count every advisor the day's answer names."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from test_engine_reference import PROFILE, scenarios

from meetbook.availability import REASON_CODES, SearchPlan, compute_slots
from meetbook.availability.localtime import LocalTime


def check(case) -> None:
    search, bank, occupancy, now = case
    slots = compute_slots(search, bank, occupancy, now)
    days = SearchPlan(search, bank, now, reasons=True).reasons(occupancy)
    zone = LocalTime(bank.settings.time_zone)
    with_slots = {zone.local_day(s.start) for s in slots}
    from meetbook.availability.localtime import day_number

    asked = {day_number(d.date) for d in days}
    assert with_slots <= asked, "a slot on a day the reasons do not list"
    for day in days:
        has_slots = day_number(day.date) in with_slots
        assert day.available == has_slots, (day, has_slots)
        assert (not day.counts) == has_slots
        assert not day.advisors or not has_slots
        assert all(code in REASON_CODES for code, _ in day.counts)
        named = Counter(code for _, code in day.advisors)
        assert all(named[code] == count for code, count in day.counts if count), day
    assert [d.date for d in days] == sorted({d.date for d in days})


@PROFILE
@given(scenarios())
def test_a_day_has_slots_exactly_when_it_has_no_reasons(case):
    check(case)


@PROFILE
@given(scenarios(focus="customer"))
def test_reasons_under_the_customer_limits(case):
    """Opening hours, minimum notice, daily caps, the booking horizon."""
    check(case)


@PROFILE
@given(scenarios(focus="pools"))
def test_reasons_for_pools_groups_and_rooms(case):
    check(case)


@PROFILE
@given(scenarios(focus="joint"))
def test_reasons_for_joint_meetings(case):
    check(case)


@PROFILE
@given(scenarios(focus="dst"))
def test_reasons_across_dst_and_odd_zones(case):
    check(case)
