"""The engine agrees with the minute-by-minute reference on random small banks.

Every instant in the generated data is a whole minute (the reference walks minutes). Windows are
one to three days so the reference stays fast; some start right at the daylight-saving changes
of Europe/Copenhagen (2026-03-29, 2026-10-25), some in +05:30 and +05:45 zones, a few in zones
whose clocks change at midnight (Sao Paulo 2018), by half an hour (Lord Howe) or skip a whole
day (Samoa, 2011-12-30).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import reference_slots

from meetbook.availability import (
    BUSY,
    EXPLICIT,
    EXTRA_OPEN,
    LOCAL,
    MEETING_TYPES,
    SERVICE_GROUP,
    WORKING_FROM_ELSEWHERE,
    Advisor,
    Bank,
    BankSettings,
    CalendarEntry,
    Claim,
    CompetenceGroup,
    Location,
    Occupancy,
    PriorityRule,
    Room,
    ServiceGroup,
    SlotSearch,
    Topic,
    Workday,
    compute_slots,
)

MIN = 60
HOUR = 3600
LOCATIONS = ("Aarhus", "Odense")
TOPICS = ("loans", "mortgage", "pension")
CTYPES = ("private", "business")
ADVISOR_IDS = ("adv-b", "adv-a", "adv-d", "adv-c")

# (zone, local start dates worth testing)
ZONES = {
    "Europe/Copenhagen": (
        dt.date(2026, 3, 28),
        dt.date(2026, 3, 29),
        dt.date(2026, 10, 24),
        dt.date(2026, 10, 25),
        dt.date(2026, 6, 12),
        dt.date(2026, 1, 9),
    ),
    "Asia/Kolkata": (dt.date(2026, 3, 28), dt.date(2026, 7, 3)),
    "Asia/Kathmandu": (dt.date(2026, 2, 6),),
    # clocks that change at midnight, by half an hour, or skip a whole day
    "America/Sao_Paulo": (dt.date(2018, 2, 17), dt.date(2018, 11, 4)),
    "Australia/Lord_Howe": (dt.date(2026, 4, 5), dt.date(2026, 10, 4)),
    "Pacific/Apia": (dt.date(2011, 12, 29),),
}

PROFILE = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Dice:
    """Weighted choices from a Random that Hypothesis seeds (so every example replays).

    Plain Hypothesis draws lean hard towards their minimal values (no schedule, no claims),
    which would leave most examples with no slots at all; honest weights keep about three
    examples in four non-empty while still reaching every rule.
    """

    def __init__(self, rnd) -> None:
        self.rnd = rnd

    def chance(self, p: float) -> bool:
        return self.rnd.random() < p

    def pick(self, *options):
        return self.rnd.choice(options)

    def int(self, lo: int, hi: int) -> int:
        return self.rnd.randint(lo, hi)

    def subset(self, items, lo: int = 0, hi: int | None = None) -> frozenset:
        items = tuple(items)
        k = self.int(min(lo, len(items)), len(items) if hi is None else min(hi, len(items)))
        return frozenset(self.rnd.sample(items, k))

    def types(self, p_all: float = 0.7) -> frozenset:
        return frozenset(MEETING_TYPES) if self.chance(p_all) else self.subset(MEETING_TYPES, 1)

    def intervals(self, lo: int, hi: int, n_max: int, length_max_min: int):
        out = []
        for _ in range(self.int(0, n_max)):
            start = lo + self.int(0, (hi - lo) // MIN) * MIN
            out.append((start, start + self.int(1, length_max_min // 5) * 5 * MIN))
        return out


def make_workdays(dice: Dice, full_days: bool) -> tuple:
    days = []
    for _ in range(7):
        if dice.chance(0.12):
            days.append(None)
            continue
        if full_days and dice.chance(0.6):
            start, end = 0, 1440
        elif dice.chance(0.15):
            start = dice.int(0, 1439)  # an odd minute, like 09:07
            end = min(1440, start + dice.int(1, 900))
        else:
            start = dice.int(0, 72) * 15
            end = min(1440, start + dice.int(4, 64) * 15)
        days.append(
            Workday(
                is_available=dice.chance(0.9),
                start_minute=start,
                end_minute=end,
                location=dice.pick(LOCATIONS[0], LOCATIONS[0], LOCATIONS[1], None),
                meeting_types=dice.types(),
            )
        )
    return tuple(days)


@st.composite
def scenarios(draw, *, focus: str = "any"):
    zone = draw(st.sampled_from(sorted(ZONES)))
    if focus == "dst":
        zone = draw(st.sampled_from(("Europe/Copenhagen", "Europe/Copenhagen", "Asia/Kolkata")))
    base_date = draw(st.sampled_from(ZONES[zone]))
    dice = Dice(draw(st.randoms(use_true_random=True)))
    tz = ZoneInfo(zone)
    base = int(dt.datetime.combine(base_date, dt.time(0), tz).timestamp())
    now = base + dice.int(-6 * 60, 30 * 60) * MIN
    window_start = now + dice.pick(0, 0, dice.int(-3 * 60, 20 * 60)) * MIN
    long_window = dice.chance(0.85)
    half_hours = dice.int(24, 3 * 48) if long_window else dice.int(1, 12)
    window_end = window_start + half_hours * 30 * MIN
    lo, hi = window_start - 30 * HOUR, window_end + 30 * HOUR

    topics = {
        "loans": Topic("loans"),
        "mortgage": Topic(
            "mortgage",
            parent_id="loans",
            customer_type_ids=dice.subset(CTYPES, 0, 1) if dice.chance(0.3) else frozenset(),
            duration_seconds=dice.pick(None, 45 * MIN, 90 * MIN),
            meeting_types=frozenset() if dice.chance(0.7) else dice.subset(MEETING_TYPES),
        ),
        "pension": Topic("pension", duration_seconds=dice.pick(None, 30 * MIN)),
    }

    advisor_ids = ADVISOR_IDS[: dice.int(1, 4)]
    advisors = {}
    claims: dict[str, list[Claim]] = {}
    calendar: dict[str, list[CalendarEntry]] = {}
    buffer = dice.pick(0, 0, 10 * MIN, 15 * MIN)
    for aid in advisor_ids:
        advisors[aid] = Advisor(
            id=aid,
            workdays=make_workdays(dice, full_days=focus == "dst"),
            can_be_booked=dice.chance(0.9),
            only_explicit=dice.chance(0.12),
            skill_topic_ids=dice.subset(TOPICS, 1, 2) if dice.chance(0.3) else frozenset(),
            skill_customer_type_ids=dice.subset(CTYPES, 1, 1) if dice.chance(0.2) else frozenset(),
            max_seconds_per_day=dice.pick(None, None, None, HOUR, 3 * HOUR),
        )
        claims[aid] = [Claim(a, b + buffer, b - a) for a, b in dice.intervals(lo, hi, 5, 120)]
        calendar[aid] = [
            CalendarEntry(a, b, dice.pick(BUSY, EXTRA_OPEN, WORKING_FROM_ELSEWHERE))
            for a, b in dice.intervals(lo, hi, 3, 600)
        ]

    group_ids = ("cg1", "cg2", "cg3", "cg4")
    competence_groups = {}
    for i, gid in enumerate(group_ids[: dice.int(2 if focus == "pools" else 0, 4)]):
        competence_groups[gid] = CompetenceGroup(
            id=gid,
            parent_id=dice.pick(None, *group_ids[:i]),
            employee_ids=dice.subset(advisor_ids, 0, 2),
            topic_ids=dice.subset(TOPICS, 0, 2) if dice.chance(0.6) else frozenset(),
            customer_type_ids=dice.subset(CTYPES, 0, 1) if dice.chance(0.4) else frozenset(),
        )
    service_groups = {}
    for sid in ("sg1", "sg2")[: dice.int(1 if focus == "pools" else 0, 2)]:
        service_groups[sid] = ServiceGroup(
            id=sid,
            labels=dice.subset(("VIP",)),
            employee_ids=dice.subset(advisor_ids, 0, 2),
            competence_group_ids=dice.subset(competence_groups, 0, 1),
            max_seconds_per_day=dice.pick(None, 2 * HOUR, 5 * HOUR),
            trigger_topic_ids=dice.subset(TOPICS, 1, 1) if dice.chance(0.3) else frozenset(),
            trigger_customer_type_ids=(
                dice.subset(CTYPES, 1, 1) if dice.chance(0.2) else frozenset()
            ),
            trigger_customer_locations=(
                dice.subset(LOCATIONS, 1, 1) if dice.chance(0.2) else frozenset()
            ),
            level_meeting_types=dice.types(0.5) if dice.chance(0.9) else frozenset(),
            level_locations=dice.subset(LOCATIONS),
        )
    rooms = {}
    room_claims = {}
    for rid in ("r1", "r2", "r3")[: dice.int(0, 3)]:
        rooms[rid] = Room(
            id=rid,
            name=dice.pick("Blue", "Green"),
            location=dice.pick(*LOCATIONS),
            can_be_booked=dice.chance(0.8),
        )
        room_claims[rid] = [Claim(a, b + buffer, b - a) for a, b in dice.intervals(lo, hi, 3, 120)]

    window_days = [
        (dt.datetime.fromtimestamp(window_start, tz) + dt.timedelta(days=k)).date()
        for k in range(-1, 4)
    ]
    rules = dice.pick(
        None,
        None,
        (PriorityRule(SERVICE_GROUP, "VIP"), PriorityRule(LOCAL), PriorityRule(EXPLICIT)),
        (PriorityRule(LOCAL), PriorityRule(SERVICE_GROUP)),
        (),
    )
    bank_settings = BankSettings(
        time_zone=zone,
        opening_minute=dice.pick(None, None, 8 * 60, 9 * 60 + 30, 7 * 60 + 15),
        closing_minute=dice.pick(None, None, 16 * 60, 17 * 60 + 30, 22 * 60),
        closing_days=dice.subset(window_days, 0, 1) if dice.chance(0.3) else frozenset(),
        default_duration_seconds=dice.pick(30 * MIN, HOUR),
        buffer_seconds=buffer,
        minimum_notice_seconds=(
            dice.pick(HOUR, 2 * HOUR, 150 * MIN, 6 * HOUR, 14 * HOUR)
            if focus == "customer"
            else dice.pick(0, 0, 0, HOUR, 2 * HOUR, 6 * HOUR)
        ),
        max_ahead_seconds=dice.pick(None, None, None, 20 * HOUR, 40 * HOUR),
        max_seconds_per_day=dice.pick(None, 2 * HOUR, 4 * HOUR),
        **({} if rules is None else {"priority_rules": rules}),
    )
    bank = Bank(
        settings=bank_settings,
        advisors=advisors,
        topics=topics,
        rooms=rooms,
        locations={
            "Aarhus": Location("Aarhus", require_available_room=dice.chance(0.3)),
            "Odense": Location("Odense"),
        },
        competence_groups=competence_groups,
        service_groups=service_groups,
    )
    occupancy = Occupancy(advisor_claims=claims, room_claims=room_claims, calendar=calendar)

    explicit: tuple[str, ...] = ()
    if focus == "joint" or (focus != "pools" and dice.chance(0.3)) or dice.chance(0.1):
        pool = (*advisor_ids, "nobody") if dice.chance(0.2) else advisor_ids
        explicit = tuple(dice.rnd.choice(pool) for _ in range(dice.int(1, 3)))
    if focus == "joint":
        employee_types = None
    else:
        employee_types = (
            None
            if dice.chance(0.7)
            else dice.subset((EXPLICIT, LOCAL, SERVICE_GROUP), 0 if dice.chance(0.1) else 1)
        )
    search = SlotSearch(
        window_start=window_start,
        window_end=window_end,
        require_employee_participation=focus == "joint"
        or (focus != "pools" and dice.chance(0.5)),
        explicit_employee_ids=explicit,
        employee_types=employee_types,
        duration_seconds=dice.pick(None, *(k * 15 * MIN for k in range(1, 9))),
        topic_id=dice.pick(None, None, *TOPICS, "unknown-topic"),
        customer_type_id=dice.pick(None, None, *CTYPES),
        meeting_types=dice.pick(None, None, frozenset(), frozenset({"Physical"}), dice.types(0)),
        customer_location=dice.pick(None, None, *LOCATIONS),
        meeting_location=dice.pick(None, None, None, *LOCATIONS),
        require_room=dice.pick(None, None, True, False),
        specific_room_ids=dice.pick(None, None, frozenset({"r1"}), frozenset({"r2", "r3"})),
        customer_initiated=focus == "customer" or dice.chance(0.5),
        ignore_minimum_notice=dice.chance(0.1 if focus == "customer" else 0.2),
        best_slots=dice.pick(None, True, focus == "pools"),  # pools: mostly on
    )
    return search, bank, occupancy, now


def check(case) -> None:
    search, bank, occupancy, now = case
    expected = reference_slots(search, bank, occupancy, now)
    actual = compute_slots(search, bank, occupancy, now)
    assert actual == expected


@PROFILE
@given(scenarios())
def test_engine_matches_reference(case):
    check(case)


@PROFILE
@given(scenarios(focus="dst"))
def test_engine_matches_reference_across_dst_and_half_hour_zones(case):
    check(case)


@PROFILE
@given(scenarios(focus="joint"))
def test_engine_matches_reference_for_joint_meetings(case):
    check(case)


@PROFILE
@given(scenarios(focus="customer"))
def test_engine_matches_reference_for_customer_limits(case):
    """Opening hours, minimum notice across evenings and weekends, daily caps."""
    check(case)


@PROFILE
@given(scenarios(focus="pools"))
def test_engine_matches_reference_for_pools_and_best_slots(case):
    """Competence and service groups, priority rules, best-slot selection, rooms."""
    check(case)
