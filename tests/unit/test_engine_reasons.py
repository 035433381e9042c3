"""Why a day has no slot, one reason code at a time (availability/reasons.py).

Anna works Monday to Friday 08:00-16:00 at Copenhagen (Physical, Online, Telephone) unless a row
says otherwise; the day under test is Monday 2026-03-02, searched from `now` for one day.
"""

from __future__ import annotations

import pytest

from meetbook.availability import (
    BUSY,
    ONLINE,
    PHYSICAL,
    CalendarEntry,
    Location,
    Occupancy,
    Room,
    SearchPlan,
    Topic,
)
from meetbook.availability.reasons import (
    BEYOND_HORIZON,
    CLOSING_DAY,
    DAILY_CAP,
    EXTERNAL_BUSY,
    FULLY_BOOKED,
    MINIMUM_NOTICE,
    NO_ROOM,
    NOT_QUALIFIED,
    NOT_WORKING,
    OUTSIDE_OPENING_HOURS,
    TYPE_NOT_OFFERED,
)

HOUR = 3600
MONDAY = ("2026-03-02 00:00", "2026-03-03 00:00")
EARLY = "2026-03-01 12:00"  # Sunday noon: nothing of Monday has passed


def _case(kit, name):
    """(bank, search keywords, occupancy, now) of one row."""
    anna = kit.advisor("anna")
    occupancy = Occupancy()
    search: dict = {"meeting_types": frozenset({ONLINE})}
    now = EARLY
    bank_kw: dict = {}
    advisors = [anna]
    if name == CLOSING_DAY:
        bank_kw["closing_days"] = ["2026-03-02"]
    elif name == BEYOND_HORIZON:
        bank_kw["max_ahead_seconds"] = 6 * HOUR  # Sunday 18:00
    elif name == NOT_QUALIFIED:
        advisors = [kit.advisor("anna", skill_topic_ids=frozenset({"pension"}))]
        bank_kw["topics"] = {"loans": Topic("loans"), "pension": Topic("pension")}
        search["topic_id"] = "loans"
    elif name == TYPE_NOT_OFFERED:
        advisors = [kit.advisor("anna", types=frozenset({PHYSICAL}))]
    elif name == NOT_WORKING:
        advisors = [kit.advisor("anna", days=".TWTF..")]
    elif name == OUTSIDE_OPENING_HOURS:
        advisors = [kit.advisor("anna", start="06:00", end="09:00")]
        bank_kw.update(opening_minute="09:00", closing_minute="17:00")
        search["customer_initiated"] = True
    elif name == MINIMUM_NOTICE:
        bank_kw["minimum_notice_seconds"] = 8 * HOUR  # Monday's eight working hours
        search["customer_initiated"] = True
    elif name == EXTERNAL_BUSY:
        occupancy = Occupancy(calendar={"anna": [CalendarEntry(kit.t("2026-03-02 07:00"), kit.t("2026-03-02 17:00"), BUSY)]})
    elif name == FULLY_BOOKED:
        occupancy = Occupancy(advisor_claims={"anna": [kit.claim("2026-03-02 08:00", "2026-03-02 16:00")]})
    elif name == DAILY_CAP:
        bank_kw["max_seconds_per_day"] = 2 * HOUR
        occupancy = Occupancy(advisor_claims={"anna": [kit.claim("2026-03-02 08:00", "2026-03-02 10:00")]})
        search["customer_initiated"] = True
    elif name == NO_ROOM:
        bank_kw["rooms"] = {"r1": Room("r1", "Blue", "Copenhagen")}
        bank_kw["locations"] = {"Copenhagen": Location("Copenhagen", require_available_room=True)}
        occupancy = Occupancy(room_claims={"r1": [kit.claim("2026-03-02 07:00", "2026-03-02 17:00")]})
        search["meeting_types"] = frozenset({PHYSICAL})
    return kit.bank(*advisors, **bank_kw), search, occupancy, now


@pytest.mark.parametrize(
    "code",
    [
        CLOSING_DAY, BEYOND_HORIZON, NOT_QUALIFIED, TYPE_NOT_OFFERED, NOT_WORKING, OUTSIDE_OPENING_HOURS,
        MINIMUM_NOTICE, EXTERNAL_BUSY, FULLY_BOOKED, DAILY_CAP, NO_ROOM,
    ],
)
def test_each_rule_is_named_when_it_leaves_the_day_empty(kit, code):
    bank, search_kw, occupancy, now = _case(kit, code)
    search = kit.search(*MONDAY, **search_kw)
    assert kit.slots(search, bank, occupancy, now) == []
    (day,) = SearchPlan(search, bank, kit.t(now), reasons=True).reasons(occupancy)
    assert str(day.date) == "2026-03-02" and not day.available
    assert day.counts == ((code, 1),)
    assert day.advisors == (("anna", code),)


def test_a_day_with_slots_has_no_reasons(kit):
    bank = kit.bank(kit.advisor("anna"), kit.advisor("bo", days=".TWTF.."))
    search = kit.search(*MONDAY, meeting_types=frozenset({ONLINE}))
    (day,) = SearchPlan(search, bank, kit.t(EARLY), reasons=True).reasons(Occupancy())
    assert day.available and day.counts == () and day.advisors == ()


def test_the_last_stage_to_empty_the_day_names_it(kit):
    """Busy in the morning, booked in the afternoon: the booking removed the last times."""
    bank = kit.bank(kit.advisor("anna"))
    occupancy = Occupancy(
        advisor_claims={"anna": [kit.claim("2026-03-02 11:00", "2026-03-02 16:00")]},
        calendar={"anna": [CalendarEntry(kit.t("2026-03-02 08:00"), kit.t("2026-03-02 11:00"), BUSY)]},
    )
    search = kit.search(*MONDAY, meeting_types=frozenset({ONLINE}))
    (day,) = SearchPlan(search, bank, kit.t(EARLY), reasons=True).reasons(occupancy)
    assert day.counts == ((FULLY_BOOKED, 1),)


def test_reasons_count_advisor_days_and_name_each_advisor(kit):
    bank = kit.bank(
        kit.advisor("anna"), kit.advisor("bo", days=".TWTF.."), kit.advisor("carl", types=frozenset({PHYSICAL})),
    )
    occupancy = Occupancy(advisor_claims={"anna": [kit.claim("2026-03-02 08:00", "2026-03-02 16:00")]})
    search = kit.search("2026-03-02 00:00", "2026-03-04 00:00", meeting_types=frozenset({ONLINE}))
    monday, tuesday = SearchPlan(search, bank, kit.t(EARLY), reasons=True).reasons(occupancy)
    assert monday.counts == ((TYPE_NOT_OFFERED, 1), (NOT_WORKING, 1), (FULLY_BOOKED, 1))
    assert monday.advisors == (("anna", FULLY_BOOKED), ("bo", NOT_WORKING), ("carl", TYPE_NOT_OFFERED))
    assert tuesday.available


def test_a_joint_meeting_whose_members_are_never_free_at_once(kit):
    bank = kit.bank(kit.advisor("anna"), kit.advisor("bo"))
    occupancy = Occupancy(
        advisor_claims={
            "anna": [kit.claim("2026-03-02 08:00", "2026-03-02 12:00")],
            "bo": [kit.claim("2026-03-02 12:00", "2026-03-02 16:00")],
        }
    )
    search = kit.search(*MONDAY, explicit_employee_ids=("anna", "bo"), meeting_types=frozenset({ONLINE}))
    assert kit.slots(search, bank, occupancy, EARLY) == []
    (day,) = SearchPlan(search, bank, kit.t(EARLY), reasons=True).reasons(occupancy)
    assert day.counts == ((FULLY_BOOKED, 2),)


def test_a_plan_without_the_flag_refuses_reasons(kit):
    plan = SearchPlan(kit.search(*MONDAY), kit.bank(kit.advisor()), kit.t(EARLY))
    with pytest.raises(ValueError):
        plan.reasons(Occupancy())
