"""What blocks or opens time: claims and buffers, calendar entries, closing days, opening hours,
minimum notice and daily caps.

Anna works Monday to Friday 08:00-16:00 at Copenhagen unless a row says otherwise; Monday
2026-03-02 is the day under test.
"""

from __future__ import annotations

import pytest

from meetbook.availability import (
    BUSY,
    EXTRA_OPEN,
    ONLINE,
    PHYSICAL,
    TELEPHONE,
    WORKING_FROM_ELSEWHERE,
    CalendarEntry,
    Claim,
    CompetenceGroup,
    Occupancy,
    ServiceGroup,
    Topic,
)

HOUR = 3600
MIN = 60
ONLINE_ONLY = frozenset({ONLINE})
MONDAY = ("2026-03-02 00:00", "2026-03-03 00:00")


def every_half_hour(first: str, last: str) -> list[str]:
    """'08:00', '08:30', ... up to and including `last`."""
    to_min = lambda hm: int(hm[:2]) * 60 + int(hm[3:])  # noqa: E731
    return [f"{m // 60:02d}:{m % 60:02d}" for m in range(to_min(first), to_min(last) + 1, 30)]


# -- claims (meetings and holds) and the buffer between meetings -------------------------------


@pytest.mark.parametrize(
    "buffer_min, taken, expected",
    [
        (0, [], ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00"]),
        (0, [("10:00", "11:00")], ["08:00", "08:30", "09:00", "11:00"]),
        # 15 min buffer: 09:00-10:00 would leave no buffer before 10:00; 11:00 sits in the
        # buffer after the meeting
        (15, [("10:00", "11:00")], ["08:00", "08:30"]),
        (15, [("08:00", "08:30")], ["09:00", "09:30", "10:00", "10:30", "11:00"]),
        # a 30-minute gap between two meetings fits no 60-minute meeting
        (0, [("08:00", "09:00"), ("09:30", "10:30")], ["10:30", "11:00"]),
        (0, [("08:00", "09:00"), ("10:00", "11:00")], ["09:00", "11:00"]),
        (10, [("08:00", "09:00"), ("10:00", "11:00")], []),  # 09:00-10:00 is squeezed
        # a claim of only a few minutes still blocks every meeting that touches it
        (0, [("09:40", "09:45")], ["08:00", "08:30", "10:00", "10:30", "11:00"]),
        # an empty claim without a buffer takes no time (the reference, which never sees one,
        # would count its instant as taken by a meeting that spans it)
        (0, [("09:30", "09:30")], every_half_hour("08:00", "11:00")),
    ],
)
def test_claims_block_with_the_buffer_after_every_meeting(kit, buffer_min, taken, expected):
    buffer = buffer_min * MIN
    bank = kit.bank(kit.advisor(start="08:00", end="12:00"), buffer_seconds=buffer)
    claims = [kit.claim(f"2026-03-02 {a}", f"2026-03-02 {b}", buffer) for a, b in taken]
    occupancy = Occupancy(advisor_claims={"anna": claims})
    search = kit.search(*MONDAY, meeting_types=ONLINE_ONLY)
    assert kit.starts(kit.slots(search, bank, occupancy)) == expected


def test_a_claim_blocks_only_its_own_advisor(kit):
    bank = kit.bank(kit.advisor("anna", end="10:00"), kit.advisor("bo", end="10:00"))
    occupancy = Occupancy(
        advisor_claims={"bo": [kit.claim("2026-03-02 08:00", "2026-03-02 09:30")]}
    )
    search = kit.search(*MONDAY, meeting_types=ONLINE_ONLY)
    slots = kit.slots(search, bank, occupancy)
    assert kit.starts(slots, who="anna") == ["08:00", "08:30", "09:00"]
    assert kit.starts(slots, who="bo") == []


def test_claims_far_outside_the_window_change_nothing(kit):
    bank = kit.bank(kit.advisor(end="10:00"))
    far = [Claim(0, 3600, 3600), kit.claim("2030-01-01 08:00", "2030-01-01 09:00")]
    search = kit.search(*MONDAY, meeting_types=ONLINE_ONLY, customer_initiated=True)
    assert kit.starts(kit.slots(search, bank, Occupancy(advisor_claims={"anna": far}))) == [
        "08:00",
        "08:30",
        "09:00",
    ]


# -- external calendar: Busy, WorkingFromElsewhere, ExtraOpen -----------------------------------


@pytest.mark.parametrize(
    "entries, expected",
    [
        (
            [(BUSY, "2026-03-02 09:00", "2026-03-02 10:00")],
            {
                PHYSICAL: ["08:00", "10:00", "10:30", "11:00"],
                ONLINE: ["08:00", "10:00", "10:30", "11:00"],
            },
        ),
        (
            [(WORKING_FROM_ELSEWHERE, "2026-03-02 09:00", "2026-03-02 10:00")],
            {
                PHYSICAL: ["08:00", "10:00", "10:30", "11:00"],
                ONLINE: every_half_hour("08:00", "11:00"),
            },
        ),
        (  # ExtraOpen in the evening opens Online and Telephone, never Physical
            [(EXTRA_OPEN, "2026-03-02 18:00", "2026-03-02 20:00")],
            {
                PHYSICAL: every_half_hour("08:00", "11:00"),
                ONLINE: every_half_hour("08:00", "11:00") + ["18:00", "18:30", "19:00"],
                TELEPHONE: every_half_hour("08:00", "11:00") + ["18:00", "18:30", "19:00"],
            },
        ),
        (  # ExtraOpen right after the schedule extends it for remote meetings
            [(EXTRA_OPEN, "2026-03-02 12:00", "2026-03-02 13:00")],
            {
                PHYSICAL: every_half_hour("08:00", "11:00"),
                ONLINE: every_half_hour("08:00", "12:00"),
            },
        ),
        (  # Busy wins over ExtraOpen
            [
                (EXTRA_OPEN, "2026-03-02 18:00", "2026-03-02 20:00"),
                (BUSY, "2026-03-02 18:30", "2026-03-02 19:00"),
            ],
            {ONLINE: every_half_hour("08:00", "11:00") + ["19:00"]},
        ),
        (  # empty and reversed entries block and open nothing
            [
                (WORKING_FROM_ELSEWHERE, "2026-03-02 09:00", "2026-03-02 09:00"),
                (BUSY, "2026-03-02 10:00", "2026-03-02 09:45"),
                (EXTRA_OPEN, "2026-03-02 19:00", "2026-03-02 18:00"),
            ],
            {
                PHYSICAL: every_half_hour("08:00", "11:00"),
                ONLINE: every_half_hour("08:00", "11:00"),
            },
        ),
    ],
)
def test_calendar_entries(kit, entries, expected):
    bank = kit.bank(kit.advisor(start="08:00", end="12:00"))
    calendar = {"anna": [CalendarEntry(kit.t(a), kit.t(b), status) for status, a, b in entries]}
    slots = kit.slots(kit.search(*MONDAY), bank, Occupancy(calendar=calendar))
    for mtype, starts in expected.items():
        assert kit.starts(slots, mtype) == starts, mtype


def test_extra_open_on_a_day_without_schedule_is_still_subject_to_claims(kit):
    bank = kit.bank(kit.advisor(), buffer_seconds=0)
    saturday = ("2026-03-07 00:00", "2026-03-08 00:00")
    saturday_at = lambda hm: kit.t(f"2026-03-07 {hm}")  # noqa: E731
    occupancy = Occupancy(
        calendar={"anna": [CalendarEntry(saturday_at("10:00"), saturday_at("13:00"), EXTRA_OPEN)]},
        advisor_claims={"anna": [kit.claim("2026-03-07 11:00", "2026-03-07 11:30")]},
    )
    slots = kit.slots(kit.search(*saturday), bank, occupancy)
    assert kit.starts(slots, ONLINE) == ["10:00", "11:30", "12:00"]
    assert kit.starts(slots, TELEPHONE) == ["10:00", "11:30", "12:00"]
    assert kit.starts(slots, PHYSICAL) == []


# -- closing days and opening hours ------------------------------------------------------------


def test_a_closing_day_blocks_the_whole_local_day_for_everyone(kit):
    bank = kit.bank(
        kit.advisor("anna", end="09:00"),
        kit.advisor("bo", end="09:00"),
        closing_days=["2026-03-03"],
    )
    extra_open = CalendarEntry(kit.t("2026-03-03 18:00"), kit.t("2026-03-03 20:00"), EXTRA_OPEN)
    search = kit.search("2026-03-02 00:00", "2026-03-05 00:00", meeting_types=ONLINE_ONLY)
    slots = kit.slots(search, bank, Occupancy(calendar={"bo": [extra_open]}))
    assert kit.starts(slots) == ["2026-03-02 08:00", "2026-03-04 08:00"]


@pytest.mark.parametrize(
    "opening, closing, customer, expected",
    [
        ("09:00", "15:00", True, every_half_hour("09:00", "14:00")),
        ("09:00", "15:00", False, every_half_hour("08:00", "15:00")),
        ("12:00", None, True, every_half_hour("12:00", "15:00")),
        (None, "10:00", True, every_half_hour("08:00", "09:00")),
        (None, None, True, every_half_hour("08:00", "15:00")),
    ],
)
def test_opening_hours_bound_customer_searches_only(kit, opening, closing, customer, expected):
    bank = kit.bank(kit.advisor(), opening_minute=opening, closing_minute=closing)
    search = kit.search(*MONDAY, meeting_types=ONLINE_ONLY, customer_initiated=customer)
    assert kit.starts(kit.slots(search, bank)) == expected


def test_opening_hours_also_bound_extra_open_time_for_customers(kit):
    bank = kit.bank(kit.advisor(), opening_minute="08:00", closing_minute="19:00")
    entry = CalendarEntry(kit.t("2026-03-02 17:00"), kit.t("2026-03-02 21:00"), EXTRA_OPEN)
    occupancy = Occupancy(calendar={"anna": [entry]})
    for_customer = kit.search(*MONDAY, meeting_types=ONLINE_ONLY, customer_initiated=True)
    customer = kit.slots(for_customer, bank, occupancy)
    employee = kit.slots(kit.search(*MONDAY, meeting_types=ONLINE_ONLY), bank, occupancy)
    assert kit.starts(customer)[-3:] == ["17:00", "17:30", "18:00"]
    assert kit.starts(employee)[-3:] == ["19:00", "19:30", "20:00"]


# -- minimum notice, counted in the advisor's working hours ------------------------------------


@pytest.mark.parametrize(
    "now, notice_h, closing_days, expected_first",
    [
        ("2026-03-02 15:00", 2, [], "2026-03-03 09:00"),  # 1 h today + 1 h tomorrow morning
        ("2026-03-06 15:00", 2, [], "2026-03-09 09:00"),  # Friday afternoon: over the weekend
        ("2026-03-07 10:00", 2, [], "2026-03-09 10:00"),  # asked on Saturday
        ("2026-03-02 06:00", 2, [], "2026-03-02 10:00"),  # before work: counting starts at 08:00
        ("2026-03-02 12:10", 2, [], "2026-03-02 14:30"),  # 14:10, next grid point
        ("2026-03-02 15:00", 2, ["2026-03-03"], "2026-03-04 09:00"),  # closing days do not count
        ("2026-03-02 15:00", 9, [], "2026-03-04 08:00"),  # 1 h + 8 h: all of Tuesday
        ("2026-03-02 15:00", 0, [], "2026-03-02 15:00"),
    ],
)
def test_minimum_notice_counts_working_hours(kit, now, notice_h, closing_days, expected_first):
    bank = kit.bank(
        kit.advisor(), minimum_notice_seconds=notice_h * HOUR, closing_days=closing_days
    )
    search = kit.search(
        "2026-03-01 00:00", "2026-03-14 00:00", meeting_types=ONLINE_ONLY, customer_initiated=True
    )
    slots = kit.slots(search, bank, now=now)
    assert kit.show(slots[0].start) == expected_first


@pytest.mark.parametrize(
    "customer, ignore, expected_first",
    [
        (True, False, "2026-03-03 09:00"),
        (True, True, "2026-03-02 15:00"),  # ignoreMinimumTimeBeforeBooking
        (False, False, "2026-03-02 15:00"),  # employees book internally without notice
    ],
)
def test_minimum_notice_applies_to_customer_searches_only(kit, customer, ignore, expected_first):
    bank = kit.bank(kit.advisor(), minimum_notice_seconds=2 * HOUR)
    search = kit.search(
        "2026-03-02 00:00",
        "2026-03-06 00:00",
        meeting_types=ONLINE_ONLY,
        customer_initiated=customer,
        ignore_minimum_notice=ignore,
    )
    slots = kit.slots(search, bank, now="2026-03-02 15:00")
    assert kit.show(slots[0].start) == expected_first


def test_minimum_notice_is_per_advisor_schedule(kit):
    bank = kit.bank(
        kit.advisor("anna"),  # 08:00-16:00
        kit.advisor("bo", start="12:00", end="20:00"),
        minimum_notice_seconds=2 * HOUR,
    )
    search = kit.search(
        "2026-03-02 00:00",
        "2026-03-06 00:00",
        meeting_types=ONLINE_ONLY,
        customer_initiated=True,
        best_slots=False,
    )
    slots = kit.slots(search, bank, now="2026-03-02 15:00")
    assert kit.show(next(s.start for s in slots if s.employee_id == "anna")) == "2026-03-03 09:00"
    assert kit.show(next(s.start for s in slots if s.employee_id == "bo")) == "2026-03-02 17:00"


def test_notice_that_cannot_be_worked_off_leaves_no_slots(kit):
    bank = kit.bank(kit.advisor(days="......."), minimum_notice_seconds=HOUR)
    extra = CalendarEntry(kit.t("2026-03-02 08:00"), kit.t("2026-03-02 12:00"), EXTRA_OPEN)
    search = kit.search(*MONDAY, meeting_types=ONLINE_ONLY, customer_initiated=True)
    assert kit.slots(search, bank, Occupancy(calendar={"anna": [extra]})) == []


# -- daily caps ------------------------------------------------------------------------------


def _capped_bank(kit, advisor_cap, group_caps, bank_cap, via_competence_group=False):
    advisor = kit.advisor(max_seconds_per_day=advisor_cap)
    groups = {}
    competence = {}
    for i, cap in enumerate(group_caps):
        if via_competence_group:
            competence = {
                "team": CompetenceGroup("team", None),
                "sub": CompetenceGroup("sub", "team", employee_ids=frozenset({"anna"})),
            }
            members = {"competence_group_ids": frozenset({"team"})}
        else:
            members = {"employee_ids": frozenset({"anna"})}
        # the cap counts whether or not the group is triggered by this search
        groups[f"sg{i}"] = ServiceGroup(
            f"sg{i}", max_seconds_per_day=cap, trigger_topic_ids=frozenset({"elsewhere"}), **members
        )
    return kit.bank(
        advisor,
        max_seconds_per_day=bank_cap,
        service_groups=groups,
        competence_groups=competence,
        topics={"loans": Topic("loans")},
    )


@pytest.mark.parametrize(
    "advisor_cap_h, group_caps_h, bank_cap_h, offered_monday",
    [
        (None, [], None, True),  # no cap anywhere
        (4, [], None, True),  # 3 h booked + 1 h = 4 h: exactly the cap
        (3, [], None, False),
        (4, [2], 2, True),  # the advisor's own cap comes first
        (2, [5], 5, False),
        (None, [2, 5], 2, True),  # the most permissive service group
        (None, [2, 3], 5, False),  # service groups before the bank
        (None, [None], 4, True),  # a group without a cap does not count
        (None, [], 3, False),  # the bank's cap
        (None, [], 4, True),
    ],
)
def test_daily_cap_precedence(kit, advisor_cap_h, group_caps_h, bank_cap_h, offered_monday):
    hours = lambda x: None if x is None else x * HOUR  # noqa: E731
    group_caps = [hours(c) for c in group_caps_h]
    bank = _capped_bank(kit, hours(advisor_cap_h), group_caps, hours(bank_cap_h))
    booked = kit.claim("2026-03-02 08:00", "2026-03-02 11:00", buffer=15 * MIN)  # 3 h counted
    occupancy = Occupancy(advisor_claims={"anna": [booked]})
    search = kit.search(
        "2026-03-02 00:00",
        "2026-03-04 00:00",
        meeting_types=ONLINE_ONLY,
        customer_initiated=True,
        topic_id="loans",
    )
    days = {kit.show(s.start)[:10] for s in kit.slots(search, bank, occupancy)}
    assert ("2026-03-02" in days) is offered_monday
    assert "2026-03-03" in days  # an empty day is always under the cap


def test_daily_cap_through_competence_sub_group(kit):
    bank = _capped_bank(kit, None, [2 * HOUR], None, via_competence_group=True)
    booked = kit.claim("2026-03-02 08:00", "2026-03-02 09:30")
    occupancy = Occupancy(advisor_claims={"anna": [booked]})
    search = kit.search(
        *MONDAY, meeting_types=ONLINE_ONLY, customer_initiated=True, topic_id="loans"
    )
    assert kit.slots(search, bank, occupancy) == []  # 1.5 h + 1 h > 2 h


@pytest.mark.parametrize("customer, expected_count", [(True, 0), (False, 12)])
def test_daily_cap_is_not_applied_to_employee_searches(kit, customer, expected_count):
    bank = kit.bank(kit.advisor(max_seconds_per_day=2 * HOUR))
    booked = kit.claim("2026-03-02 08:00", "2026-03-02 09:30")
    occupancy = Occupancy(advisor_claims={"anna": [booked]})
    search = kit.search(*MONDAY, meeting_types=ONLINE_ONLY, customer_initiated=customer)
    assert len(kit.slots(search, bank, occupancy)) == expected_count


def test_a_meeting_longer_than_the_cap_is_never_offered(kit):
    bank = kit.bank(kit.advisor(max_seconds_per_day=30 * MIN))
    search = kit.search(
        "2026-03-02 00:00", "2026-03-07 00:00", meeting_types=ONLINE_ONLY, customer_initiated=True
    )
    assert kit.slots(search, bank) == []
    shorter = kit.search(
        *MONDAY, meeting_types=ONLINE_ONLY, customer_initiated=True, duration_seconds=30 * MIN
    )
    assert len(kit.slots(shorter, bank)) == 16
