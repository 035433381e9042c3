"""Who takes the meeting: meeting types, qualification, advisor pools, joint meetings,
best-slot selection and rooms. Monday 2026-03-02, Europe/Copenhagen."""

from __future__ import annotations

import pytest

from meetbook.availability import (
    EXPLICIT,
    LOCAL,
    OFFSITE,
    ONLINE,
    PHYSICAL,
    SERVICE_GROUP,
    TELEPHONE,
    Claim,
    CompetenceGroup,
    Location,
    Occupancy,
    PriorityRule,
    Room,
    ServiceGroup,
    Topic,
    tie_break_hash,
)

HOUR = 3600
MIN = 60
MONDAY = ("2026-03-02 00:00", "2026-03-03 00:00")
ALL4 = frozenset({PHYSICAL, ONLINE, TELEPHONE, OFFSITE})


def offered(slots) -> dict[str, set[str]]:
    """employee id -> meeting types offered."""
    out: dict[str, set[str]] = {}
    for s in slots:
        out.setdefault(s.employee_id, set()).add(s.meeting_type)
    return out


# -- meeting types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "requested, topic_types, workday_types, expected",
    [
        (None, set(), ALL4, ALL4),
        ({ONLINE, PHYSICAL}, set(), ALL4, {ONLINE, PHYSICAL}),
        (None, {ONLINE, TELEPHONE}, {PHYSICAL, ONLINE}, {ONLINE}),
        ({TELEPHONE}, {ONLINE}, ALL4, set()),
        (set(), set(), {PHYSICAL}, {PHYSICAL}),  # an empty request means any type
        (None, set(), set(), set()),  # a workday offering no type offers nothing
    ],
)
def test_meeting_types_are_requested_and_topic_and_workday(
    kit, requested, topic_types, workday_types, expected
):
    bank = kit.bank(
        kit.advisor(types=frozenset(workday_types)),
        topics={"loans": Topic("loans", meeting_types=frozenset(topic_types))},
    )
    search = kit.search(
        *MONDAY,
        topic_id="loans",
        meeting_types=None if requested is None else frozenset(requested),
    )
    assert offered(kit.slots(search, bank)).get("anna", set()) == expected


def test_meeting_types_follow_the_weekday(kit):
    workdays = (
        kit.day(types=frozenset({PHYSICAL})),
        kit.day(types=frozenset({ONLINE, TELEPHONE})),
        None, None, None, None, None,
    )
    bank = kit.bank(kit.advisor(workdays=workdays))
    slots = kit.slots(kit.search("2026-03-02 00:00", "2026-03-04 00:00"), bank)
    by_day: dict[str, set[str]] = {}
    for s in slots:
        by_day.setdefault(kit.show(s.start)[:10], set()).add(s.meeting_type)
    assert by_day == {"2026-03-02": {PHYSICAL}, "2026-03-03": {ONLINE, TELEPHONE}}


@pytest.mark.parametrize(
    "customer_type, expect_slots",
    [("private", True), (None, True), ("business", False)],
)
def test_topic_limited_to_customer_types(kit, customer_type, expect_slots):
    bank = kit.bank(
        kit.advisor(),
        topics={"loans": Topic("loans", customer_type_ids=frozenset({"private"}))},
    )
    search = kit.search(*MONDAY, topic_id="loans", customer_type_id=customer_type)
    assert bool(kit.slots(search, bank)) is expect_slots


# -- qualification ------------------------------------------------------------------------------


def _qualification_bank(kit):
    topics = {
        "loans": Topic("loans"),
        "mortgage": Topic("mortgage", parent_id="loans"),
        "pension": Topic("pension"),
    }
    groups = {
        "cg-root": CompetenceGroup("cg-root", None, topic_ids=frozenset({"pension"})),
        # an empty list inherits the parent's: this group is about pension too
        "cg-sub": CompetenceGroup("cg-sub", "cg-root", employee_ids=frozenset({"grp"})),
    }
    # a chain of loans groups under the pension root: depth 5 still counts for pension
    parent = "cg-root"
    for depth in range(1, 7):
        gid = f"cg-d{depth}"
        members = {5: frozenset({"deep5"}), 6: frozenset({"deep6"})}.get(depth, frozenset())
        groups[gid] = CompetenceGroup(
            gid, parent, employee_ids=members, topic_ids=frozenset({"loans"})
        )
        parent = gid
    advisors = [
        kit.advisor("gen"),  # no skills, no groups: a generalist
        kit.advisor("loans", skill_topic_ids=frozenset({"loans"})),
        kit.advisor("biz", skill_customer_type_ids=frozenset({"business"})),
        kit.advisor("grp"),  # no skills, in a group: qualified through the group only
        kit.advisor("deep5"),
        kit.advisor("deep6"),
    ]
    return kit.bank(*advisors, topics=topics, competence_groups=groups)


@pytest.mark.parametrize(
    "topic, customer_type, expected",
    [
        # No customer type: the customer could be any, so "biz" (business customers only) is out.
        (None, None, {"gen", "loans", "grp", "deep5", "deep6"}),
        ("loans", None, {"gen", "loans", "deep5", "deep6"}),
        ("mortgage", "private", {"gen", "loans", "deep5", "deep6"}),  # a sub-topic of loans
        ("pension", None, {"gen", "grp", "deep5"}),  # deep6 is six levels down
        ("pension", "business", {"gen", "biz", "grp", "deep5"}),
    ],
)
def test_qualification_by_skills_groups_and_sub_groups(kit, topic, customer_type, expected):
    bank = _qualification_bank(kit)
    search = kit.search(
        *MONDAY, topic_id=topic, customer_type_id=customer_type, meeting_types=frozenset({ONLINE})
    )
    assert set(offered(kit.slots(search, bank))) == expected


# -- pools --------------------------------------------------------------------------------------


def _pool_bank(kit, **group):
    group.setdefault("employee_ids", frozenset({"sg-aar"}))
    group.setdefault("level_meeting_types", frozenset({ONLINE, PHYSICAL}))
    group.setdefault("level_locations", frozenset({"Aarhus"}))
    return kit.bank(
        kit.advisor("cph", location="Copenhagen"),
        kit.advisor("aar", location="Aarhus"),
        kit.advisor("sg-aar", location="Aarhus"),
        kit.advisor("only", location="Copenhagen", only_explicit=True),
        kit.advisor("off", location="Copenhagen", can_be_booked=False),
        service_groups={"sg": ServiceGroup("sg", **group)},
        topics={"loans": Topic("loans"), "pension": Topic("pension")},
        competence_groups={
            # sg-aar is in a loans group: qualified for loans only
            "cg": CompetenceGroup(
                "cg", None, employee_ids=frozenset({"sg-aar"}), topic_ids=frozenset({"loans"})
            )
        },
    )


P, O, T = PHYSICAL, ONLINE, TELEPHONE
CPH = "Copenhagen"
SG_ONLY = frozenset({SERVICE_GROUP})


@pytest.mark.parametrize(
    "group, search, expected",
    [
        # Local at the meeting location, plus the triggered service group within its level
        ({}, dict(meeting_location=CPH), {"cph": {P, O, T}, "sg-aar": {P, O}}),
        # the meeting location defaults to the customer's location
        ({}, dict(customer_location=CPH), {"cph": {P, O, T}, "sg-aar": {P, O}}),
        ({}, dict(meeting_location=CPH, employee_types=frozenset({LOCAL})), {"cph": {P, O, T}}),
        ({}, dict(employee_types=SG_ONLY), {"sg-aar": {P, O}}),
        # Physical only where the group says and the advisor works that day
        ({"level_locations": frozenset({CPH})}, dict(employee_types=SG_ONLY), {"sg-aar": {O}}),
        ({"level_locations": frozenset()}, dict(employee_types=SG_ONLY), {"sg-aar": {O}}),
        # a service level without meeting types offers nothing
        ({"level_meeting_types": frozenset()}, dict(employee_types=SG_ONLY), {}),
        # triggers: an unmatched criterion keeps the group out; a missing search value matches
        (
            {"trigger_topic_ids": frozenset({"pension"})},
            dict(topic_id="loans", employee_types=SG_ONLY),
            {},
        ),
        (
            {"trigger_topic_ids": frozenset({"pension"})},
            dict(topic_id="pension", employee_types=SG_ONLY),
            {"sg-aar": {P, O}},
        ),
        (
            {"trigger_customer_locations": frozenset({"Aarhus"})},
            dict(customer_location=CPH, employee_types=SG_ONLY),
            {},
        ),
        (
            {"trigger_customer_locations": frozenset({"Aarhus"})},
            dict(employee_types=SG_ONLY),
            {"sg-aar": {P, O}},
        ),
        # a group for business customers reaches business customers, not a customer of unknown type
        (
            {"trigger_customer_type_ids": frozenset({"business"})},
            dict(customer_type_id="business", employee_types=SG_ONLY),
            {"sg-aar": {P, O}},
        ),
        ({"trigger_customer_type_ids": frozenset({"business"})}, dict(employee_types=SG_ONLY), {}),
        # service-group members through a competence group
        (
            {"employee_ids": frozenset(), "competence_group_ids": frozenset({"cg"})},
            dict(employee_types=SG_ONLY),
            {"sg-aar": {P, O}},
        ),
        # a route adds to another: Local gives sg-aar everything at Aarhus
        ({}, dict(meeting_location="Aarhus"), {"aar": {P, O, T}, "sg-aar": {P, O, T}}),
        # no location at all: every bookable, qualified advisor is local
        ({}, dict(topic_id="pension"), {"cph": {P, O, T}, "aar": {P, O, T}, "sg-aar": {P, O}}),
        ({}, dict(), {"cph": {P, O, T}, "aar": {P, O, T}, "sg-aar": {P, O, T}}),
        # explicit ids: only those, even if only explicitly available; never unbookable ones
        (
            {},
            dict(explicit_employee_ids=("only", "off"), require_employee_participation=False),
            {"only": {P, O, T}},
        ),
        (
            {},
            dict(
                explicit_employee_ids=("aar",),
                employee_types=frozenset({EXPLICIT, LOCAL}),
                meeting_location=CPH,
            ),
            {"aar": {P, O, T}, "cph": {P, O, T}},
        ),
        # only-explicit advisors never enter the Local pool, named or not
        (
            {},
            dict(
                explicit_employee_ids=("only",),
                employee_types=frozenset({LOCAL}),
                meeting_location=CPH,
            ),
            {"cph": {P, O, T}},
        ),
    ],
)
def test_pools(kit, group, search, expected):
    bank = _pool_bank(kit, **group)
    slots = kit.slots(kit.search(*MONDAY, **search), bank)
    assert offered(slots) == expected


# -- joint meetings -------------------------------------------------------------------------------


def test_joint_meeting_needs_every_listed_employee(kit):
    bank = kit.bank(
        kit.advisor("anna", start="08:00", end="12:00", types=frozenset({PHYSICAL, ONLINE})),
        kit.advisor("bo", start="10:00", end="14:00", types=frozenset({ONLINE, TELEPHONE})),
        kit.advisor("carl", only_explicit=True, skill_topic_ids=frozenset({"other"})),
        topics={"loans": Topic("loans")},
    )
    search = kit.search(*MONDAY, explicit_employee_ids=("bo", "anna", "ghost"), topic_id="loans")
    slots = kit.slots(search, bank)
    assert [(kit.hm(s.start), s.meeting_type, s.employee_id) for s in slots] == [
        ("10:00", ONLINE, "bo"),
        ("10:30", ONLINE, "bo"),
        ("11:00", ONLINE, "bo"),
    ]
    claims = Occupancy(advisor_claims={"anna": [kit.claim("2026-03-02 10:30", "2026-03-02 11:00")]})
    assert kit.starts(kit.slots(search, bank, claims)) == ["11:00"]
    # explicit advisors are not checked for qualification or only-explicit availability
    with_carl = kit.search(*MONDAY, explicit_employee_ids=("carl", "anna"), topic_id="loans")
    assert offered(kit.slots(with_carl, bank)) == {"carl": {PHYSICAL, ONLINE}}


def test_joint_meeting_respects_each_advisors_cap_and_notice(kit):
    bank = kit.bank(
        kit.advisor("anna", max_seconds_per_day=2 * HOUR),
        kit.advisor("bo", start="12:00", end="20:00"),
        minimum_notice_seconds=2 * HOUR,
    )
    booked = kit.claim("2026-03-03 08:00", "2026-03-03 09:30")
    occupancy = Occupancy(advisor_claims={"anna": [booked]})
    search = kit.search(
        "2026-03-02 00:00", "2026-03-05 00:00", explicit_employee_ids=("anna", "bo"),
        meeting_types=frozenset({ONLINE}), customer_initiated=True,
    )
    slots = kit.slots(search, bank, occupancy, now="2026-03-02 13:00")
    # anna's notice ends Monday 15:00; Tuesday she is capped; Wednesday both are free 12-16
    assert kit.starts(slots) == [
        "2026-03-02 15:00", "2026-03-04 12:00", "2026-03-04 12:30", "2026-03-04 13:00",
        "2026-03-04 13:30", "2026-03-04 14:00", "2026-03-04 14:30", "2026-03-04 15:00",
    ]


def test_employee_types_turn_explicit_ids_into_a_pool_this_advisor_else_a_colleague(kit):
    bank = kit.bank(kit.advisor("anna"), kit.advisor("bo"))
    busy = Occupancy(advisor_claims={"anna": [kit.claim("2026-03-02 08:00", "2026-03-02 12:00")]})
    search = kit.search(
        *MONDAY,
        explicit_employee_ids=("anna",),
        employee_types=frozenset({EXPLICIT, LOCAL}),
        meeting_types=frozenset({ONLINE}),
        customer_initiated=True,
    )
    slots = kit.slots(search, bank, busy)
    who = {kit.hm(s.start): s.employee_id for s in slots}
    assert who["08:00"] == "bo" and who["11:00"] == "bo"  # anna is busy: a colleague
    assert who["12:00"] == "anna" and who["15:00"] == "anna"  # Explicit beats Local


# -- best-slot selection ------------------------------------------------------------------------


def test_best_slots_pick_one_advisor_per_start_and_type_least_booked_first(kit):
    bank = kit.bank(kit.advisor("anna"), kit.advisor("bo"), kit.advisor("carl"))
    occupancy = Occupancy(
        advisor_claims={
            "anna": [kit.claim("2026-03-02 08:00", "2026-03-02 09:00")],  # 1 h booked
            "bo": [kit.claim("2026-03-02 15:00", "2026-03-02 15:30")],  # 0.5 h booked
            "carl": [kit.claim("2026-03-02 09:00", "2026-03-02 11:00")],  # 2 h booked
        }
    )
    search = kit.search(*MONDAY, meeting_types=frozenset({ONLINE}), customer_initiated=True)
    slots = kit.slots(search, bank, occupancy)
    who = [(kit.hm(s.start), s.employee_id) for s in slots]
    assert len({s.start for s in slots}) == len(slots)  # one slot per start and type
    assert who[:3] == [("08:00", "bo"), ("08:30", "bo"), ("09:00", "bo")]
    assert ("14:30", "anna") in who and ("15:00", "anna") in who  # bo is busy from 15:00
    assert all(w != "carl" for _, w in who)


@pytest.mark.parametrize("order", [("anna", "bo", "carl"), ("carl", "bo", "anna")])
def test_best_slot_ties_are_broken_by_a_stable_hash_of_date_and_employee(kit, order):
    bank = kit.bank(*(kit.advisor(a) for a in order))
    search = kit.search(
        "2026-03-02 00:00",
        "2026-03-04 00:00",
        meeting_types=frozenset({ONLINE}),
        customer_initiated=True,
    )
    slots = kit.slots(search, bank)
    for day in ("2026-03-02", "2026-03-03"):
        expected = min(("anna", "bo", "carl"), key=lambda e: tie_break_hash(day, e))
        assert {s.employee_id for s in slots if kit.show(s.start)[:10] == day} == {expected}


@pytest.mark.parametrize(
    "rules, expected",
    [
        (None, "local"),  # default: Explicit > Local > ServiceGroup
        ((PriorityRule(SERVICE_GROUP, "VIP"), PriorityRule(LOCAL)), "vip"),
        ((PriorityRule(SERVICE_GROUP, "Gold"), PriorityRule(LOCAL)), "local"),
        ((PriorityRule(SERVICE_GROUP), PriorityRule(LOCAL)), "vip"),  # unlabelled: any group
    ],
)
def test_priority_rules_decide_between_pools(kit, rules, expected):
    extra = {} if rules is None else {"priority_rules": rules}
    bank = kit.bank(
        kit.advisor("local", location="Copenhagen"),
        kit.advisor("vip", location="Aarhus"),
        service_groups={
            "sg": ServiceGroup("sg", labels=frozenset({"VIP"}), employee_ids=frozenset({"vip"}),
                               level_meeting_types=frozenset({ONLINE}))
        },
        **extra,
    )
    search = kit.search(
        *MONDAY, meeting_location=CPH, meeting_types=frozenset({ONLINE}), customer_initiated=True
    )
    assert {s.employee_id for s in kit.slots(search, bank)} == {expected}


@pytest.mark.parametrize(
    "customer, best, expected_per_start",
    [(True, None, 1), (True, False, 2), (False, None, 2), (False, True, 1)],
)
def test_best_slot_selection_defaults(kit, customer, best, expected_per_start):
    bank = kit.bank(kit.advisor("anna"), kit.advisor("bo"))
    search = kit.search(
        *MONDAY, meeting_types=frozenset({ONLINE}), customer_initiated=customer, best_slots=best
    )
    slots = kit.slots(search, bank)
    assert len(slots) == 15 * expected_per_start


# -- rooms ----------------------------------------------------------------------------------------


def rooms_at(*rooms):
    """Room per Physical start, 09:00 .. 10:30."""
    return dict(zip(("09:00", "09:30", "10:00", "10:30"), rooms))


def _room_bank(kit, require_at_copenhagen=False):
    return kit.bank(
        kit.advisor("anna", location="Copenhagen", start="09:00", end="11:00"),
        rooms={
            "r2": Room("r2", "Blue", "Copenhagen"),
            "r9": Room("r9", "Aqua", "Copenhagen"),
            "r1": Room("r1", "Amber", "Copenhagen", can_be_booked=False),
            "r0": Room("r0", "Alpha", "Aarhus"),
        },
        locations={CPH: Location(CPH, require_available_room=require_at_copenhagen)},
        buffer_seconds=15 * MIN,
    )


@pytest.mark.parametrize(
    "require_room, specific, at_location, taken, expected",
    [
        (None, None, False, {}, rooms_at(None, None, None, None)),
        (True, None, False, {}, rooms_at("r9", "r9", "r9", "r9")),  # Aqua sorts before Blue
        (None, None, True, {}, rooms_at("r9", "r9", "r9", "r9")),  # the location asks for rooms
        (False, None, True, {}, rooms_at(None, None, None, None)),  # the search says no
        (None, {"r2"}, False, {}, rooms_at("r2", "r2", "r2", "r2")),  # specific rooms
        # Aqua taken 09:00-09:30 (+15 min buffer): Blue until Aqua is free again from 09:45
        (True, None, False, {"r9": ("09:00", "09:30")}, rooms_at("r2", "r2", "r9", "r9")),
        # both taken at 09:00: no Physical slot then
        (
            True,
            None,
            False,
            {"r9": ("09:00", "09:30"), "r2": ("08:30", "09:00")},
            {"09:30": "r2", "10:00": "r9", "10:30": "r9"},
        ),
        # the new meeting's own 15 min buffer must not run into the room's next claim either
        (None, {"r2"}, False, {"r2": ("10:00", "10:30")}, {"09:00": "r2"}),
    ],
)
def test_rooms_for_physical_meetings(kit, require_room, specific, at_location, taken, expected):
    bank = _room_bank(kit, at_location)
    occupancy = Occupancy(
        room_claims={
            rid: [kit.claim(f"2026-03-02 {a}", f"2026-03-02 {b}", buffer=15 * MIN)]
            for rid, (a, b) in taken.items()
        }
    )
    search = kit.search(
        *MONDAY,
        duration_seconds=30 * MIN,
        require_room=require_room,
        specific_room_ids=None if specific is None else frozenset(specific),
        meeting_types=frozenset({PHYSICAL, ONLINE}),
    )
    slots = kit.slots(search, bank, occupancy)
    physical = {kit.hm(s.start): s.room_id for s in slots if s.meeting_type == PHYSICAL}
    assert physical == expected
    assert [s.room_id for s in slots if s.meeting_type == ONLINE] == [None] * 4


def test_an_empty_room_claim_blocks_nothing(kit):
    """A zero-length claim (say a room's calendar entry that starts where it ends) takes no
    time, as in `_normalise`. (The minute-by-minute reference never generates one; its overlap
    test would count the instant as taken by a meeting that spans it.)"""
    bank = _room_bank(kit)
    at = kit.t("2026-03-02 09:30")
    occupancy = Occupancy(room_claims={"r9": [Claim(at, at, 0)]})
    search = kit.search(*MONDAY, duration_seconds=30 * MIN, require_room=True, meeting_types=frozenset({PHYSICAL}))
    slots = kit.slots(search, bank, occupancy)
    assert {kit.hm(s.start): s.room_id for s in slots} == rooms_at("r9", "r9", "r9", "r9")


def test_room_must_be_where_the_advisor_works_that_day(kit):
    bank = _room_bank(kit)
    monday = kit.day("09:00", "10:00", location="Aarhus")
    tuesday = kit.day("09:00", "10:00", location="Odense")
    workdays = (monday, tuesday) + (None,) * 5
    bank = kit.bank(kit.advisor("anna", workdays=workdays), rooms=bank.rooms)
    search = kit.search(
        "2026-03-02 00:00",
        "2026-03-04 00:00",
        require_room=True,
        meeting_types=frozenset({PHYSICAL}),
    )
    slots = kit.slots(search, bank)
    assert [(kit.show(s.start), s.room_id) for s in slots] == [("2026-03-02 09:00", "r0")]
