"""The engine on larger random banks than the reference can walk: 60 advisors, two to three weeks,
hundreds of claims, rooms, groups and calendar time, windows across daylight-saving changes.

- `compute_slot_rows` is `compute_slots` as tuples, in the same order, for every kind of search;
- a best-slot search picks, for each (start, type), the one slot of the all-slots search of the
  same query that ranks first by the reference's own rules (priority of the advisor's best route,
  then booked time that day, then the tie-break hash, then id);
- the answer is sorted by (start, type, employee) with no duplicates;
- a `SearchPlan` names every advisor and room the search looks at: the answer from only their
  claims, given as columns the way the database read gives them, is the answer from everyone's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import random
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from reference import Reference

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
    CalendarColumns,
    CalendarEntry,
    Claim,
    ClaimColumns,
    CompetenceGroup,
    Location,
    Occupancy,
    PriorityRule,
    Room,
    SearchPlan,
    ServiceGroup,
    SlotSearch,
    Topic,
    Workday,
    compute_slot_rows,
    compute_slots,
)

MIN, HOUR, DAY = 60, 3600, 86400
LOCATIONS = ("Aarhus", "Odense", "Vejle", "Roskilde")
TOPICS = ("loans", "mortgage", "pension", "savings")
CTYPES = ("private", "business")
ZONES = (
    ("Europe/Copenhagen", dt.date(2026, 3, 23)),  # spring change inside the window
    ("Europe/Copenhagen", dt.date(2026, 10, 19)),  # autumn change
    ("Europe/Copenhagen", dt.date(2026, 6, 1)),
    ("Asia/Kathmandu", dt.date(2026, 2, 2)),
)
SEEDS = range(12)


def make_bank(seed: int):
    rnd = random.Random(seed)
    zone, first_day = ZONES[seed % len(ZONES)]
    tz = ZoneInfo(zone)
    base = int(dt.datetime.combine(first_day, dt.time(0), tz).timestamp())
    days = rnd.choice((14, 21))
    lo, hi = base - DAY, base + (days + 1) * DAY

    def types(p_all=0.6):
        return frozenset(MEETING_TYPES) if rnd.random() < p_all else frozenset(rnd.sample(MEETING_TYPES, rnd.randint(1, 3)))

    def aligned(t: int, step: int) -> int:
        return t - t % step

    advisors, claims, calendar = {}, {}, {}
    buffer = rnd.choice((0, 10 * MIN, 15 * MIN))
    for i in range(60):
        aid = f"adv-{rnd.randrange(10**6):06d}-{i:02d}"
        home = rnd.choice(LOCATIONS)
        start = rnd.choice((7 * 60 + 30, 8 * 60, 8 * 60 + 30, 9 * 60, 9 * 60 + 7))
        end = start + rnd.choice((6, 7, 8, 9)) * 60
        week_types = types()
        workdays = []
        for wk in range(7):
            if wk >= 5 and rnd.random() < 0.85 or rnd.random() < 0.08:
                workdays.append(None)
                continue
            full = rnd.random() < 0.03
            workdays.append(
                Workday(
                    is_available=rnd.random() < 0.95,
                    start_minute=0 if full else start,
                    end_minute=24 * 60 if full else end + (120 if wk == 3 and rnd.random() < 0.2 else 0),
                    location=home if rnd.random() < 0.9 else rnd.choice(LOCATIONS),
                    meeting_types=week_types if rnd.random() < 0.9 else types(0.3),
                )
            )
        advisors[aid] = Advisor(
            id=aid,
            workdays=tuple(workdays),
            can_be_booked=rnd.random() < 0.97,
            only_explicit=rnd.random() < 0.04,
            skill_topic_ids=frozenset(rnd.sample(TOPICS, rnd.randint(1, 2))) if rnd.random() < 0.2 else frozenset(),
            skill_customer_type_ids=frozenset(rnd.sample(CTYPES, 1)) if rnd.random() < 0.1 else frozenset(),
            max_seconds_per_day=rnd.choice((None,) * 8 + (3 * HOUR, 5 * HOUR)),
        )
        own = []
        for _ in range(rnd.randint(0, 3 * days // 2)):
            s = aligned(rnd.randrange(lo, hi), rnd.choice((15 * MIN, 30 * MIN, MIN)))
            length = rnd.choice((30 * MIN, 45 * MIN, HOUR, HOUR, 90 * MIN))
            own.append(Claim(s, s + length + buffer, length))
        claims[aid] = own
        entries = []
        for _ in range(rnd.randint(0, 2)):
            s = aligned(rnd.randrange(lo, hi), 15 * MIN)
            status = rnd.choice((BUSY, BUSY, BUSY, EXTRA_OPEN, WORKING_FROM_ELSEWHERE))
            length = rnd.choice((HOUR, 2 * HOUR, 3 * HOUR, 9 * HOUR, 3 * DAY if status == BUSY else HOUR))
            entries.append(CalendarEntry(s, s + length, status))
        calendar[aid] = entries

    ids = sorted(advisors)
    groups = {}
    for k, gid in enumerate(("cg-a", "cg-b", "cg-c", "cg-d", "cg-e")):
        groups[gid] = CompetenceGroup(
            id=gid,
            parent_id=rnd.choice((None, *list(groups)[:k])),
            employee_ids=frozenset(rnd.sample(ids, rnd.randint(3, 15))),
            topic_ids=frozenset(rnd.sample(TOPICS, rnd.randint(0, 2))),
            customer_type_ids=frozenset(rnd.sample(CTYPES, rnd.randint(0, 1))),
        )
    service_groups = {}
    for sid in ("sg-1", "sg-2", "sg-3"):
        service_groups[sid] = ServiceGroup(
            id=sid,
            labels=frozenset({"VIP"}) if rnd.random() < 0.4 else frozenset(),
            employee_ids=frozenset(rnd.sample(ids, rnd.randint(0, 12))),
            competence_group_ids=frozenset(rnd.sample(sorted(groups), rnd.randint(0, 1))),
            max_seconds_per_day=rnd.choice((None, 4 * HOUR, 6 * HOUR)),
            trigger_topic_ids=frozenset(rnd.sample(TOPICS, 1)) if rnd.random() < 0.3 else frozenset(),
            trigger_customer_locations=frozenset(rnd.sample(LOCATIONS, 1)) if rnd.random() < 0.2 else frozenset(),
            level_meeting_types=types(0.4),
            level_locations=frozenset(rnd.sample(LOCATIONS, rnd.randint(0, 3))),
        )
    rooms, room_claims = {}, {}
    for r in range(10):
        rid = f"room-{r}"
        rooms[rid] = Room(rid, rnd.choice(("Blue", "Green", "Red")), rnd.choice(LOCATIONS), rnd.random() < 0.9)
        own = []
        for _ in range(rnd.randint(0, 2 * days)):
            s = aligned(rnd.randrange(lo, hi), 30 * MIN)
            own.append(Claim(s, s + HOUR + buffer, HOUR))
        room_claims[rid] = own

    dates = [first_day + dt.timedelta(days=k) for k in range(days + 2)]
    settings = BankSettings(
        time_zone=zone,
        opening_minute=rnd.choice((None, 8 * 60, 7 * 60 + 45)),
        closing_minute=rnd.choice((None, 17 * 60, 18 * 60 + 30)),
        closing_days=frozenset(rnd.sample(dates, rnd.randint(0, 2))),
        default_duration_seconds=rnd.choice((30 * MIN, HOUR)),
        buffer_seconds=buffer,
        minimum_notice_seconds=rnd.choice((0, 2 * HOUR, 5 * HOUR)),
        max_ahead_seconds=rnd.choice((None, None, 10 * DAY)),
        max_seconds_per_day=rnd.choice((None, 6 * HOUR)),
        priority_rules=rnd.choice(
            (
                (PriorityRule(EXPLICIT), PriorityRule(LOCAL), PriorityRule(SERVICE_GROUP)),
                (PriorityRule(EXPLICIT), PriorityRule(SERVICE_GROUP, "VIP"), PriorityRule(LOCAL), PriorityRule(SERVICE_GROUP)),
                (PriorityRule(LOCAL),),
            )
        ),
    )
    topics = {
        "loans": Topic("loans"),
        "mortgage": Topic("mortgage", parent_id="loans", duration_seconds=90 * MIN),
        "pension": Topic("pension", duration_seconds=45 * MIN, meeting_types=frozenset({"Online", "Telephone"})),
        "savings": Topic("savings", customer_type_ids=frozenset({"private"})),
    }
    bank = Bank(
        settings=settings,
        advisors=advisors,
        topics=topics,
        rooms=rooms,
        locations={loc: Location(loc, require_available_room=rnd.random() < 0.4) for loc in LOCATIONS},
        competence_groups=groups,
        service_groups=service_groups,
    )
    occupancy = Occupancy(advisor_claims=claims, room_claims=room_claims, calendar=calendar)
    now = base + rnd.randrange(0, DAY, 60)
    return rnd, bank, occupancy, now, days


def searches(rnd: random.Random, bank: Bank, now: int, days: int) -> list[SlotSearch]:
    ids = sorted(bank.advisors)
    out = []
    for _ in range(6):
        start = now + rnd.choice((0, 0, rnd.randrange(0, 3 * DAY, 60)))
        explicit = tuple(rnd.sample(ids, rnd.choice((0, 0, 1, 2))))
        out.append(
            SlotSearch(
                window_start=start,
                window_end=start + rnd.choice((2, 7, days)) * DAY,
                require_employee_participation=rnd.random() < 0.5,
                explicit_employee_ids=explicit,
                employee_types=rnd.choice((None, None, frozenset({LOCAL}), frozenset({SERVICE_GROUP, EXPLICIT}))),
                duration_seconds=rnd.choice((None, 30 * MIN, HOUR, 2 * HOUR + 15 * MIN)),
                topic_id=rnd.choice((None, *TOPICS)),
                customer_type_id=rnd.choice((None, *CTYPES)),
                meeting_types=rnd.choice((None, None, frozenset({"Physical"}), frozenset({"Online", "Physical"}))),
                customer_location=rnd.choice((None, *LOCATIONS)),
                meeting_location=rnd.choice((None, None, *LOCATIONS)),
                require_room=rnd.choice((None, None, True, False)),
                specific_room_ids=rnd.choice((None, None, frozenset({"room-1", "room-4", "room-7"}))),
                customer_initiated=rnd.random() < 0.6,
                ignore_minimum_notice=rnd.random() < 0.2,
                best_slots=rnd.choice((None, True, False)),
            )
        )
    return out


def as_row(slot) -> tuple:
    return (slot.start, slot.end, slot.meeting_type, slot.employee_id, slot.room_id, slot.topic_id)


@pytest.mark.parametrize("seed", SEEDS)
def test_rows_are_the_slots_as_tuples(seed):
    rnd, bank, occupancy, now, days = make_bank(seed)
    offered = 0
    for search in searches(rnd, bank, now, days):
        slots = compute_slots(search, bank, occupancy, now)
        rows = compute_slot_rows(search, bank, occupancy, now)
        assert rows == [as_row(s) for s in slots]
        assert all(type(v) is int for row in rows[:50] for v in row[:2])  # plain ints, not numpy's
        keys = [(s.start, s.meeting_type, s.employee_id) for s in slots]
        assert keys == sorted(set(keys))
        offered += len(slots)
    assert offered  # the banks are busy but not full


def only(claims: dict, wanted: tuple[str, ...]) -> ClaimColumns:
    """The wanted owners' claims as columns, with someone else's left in under None."""
    kept = {o: found for o, found in claims.items() if o in wanted}
    columns = ClaimColumns.of(kept)
    stranger = ClaimColumns.of({"someone else": [Claim(0, 1 << 40, 3600)]})
    return ClaimColumns(
        owners=[*columns.owners, None],
        owner=np.concatenate([columns.owner, stranger.owner + len(columns.owners)]),
        start=np.concatenate([columns.start, stranger.start]),
        end=np.concatenate([columns.end, stranger.end]),
        meeting_seconds=np.concatenate([columns.meeting_seconds, stranger.meeting_seconds]),
    )


def only_calendar(calendar: dict, wanted: tuple[str, ...]) -> CalendarColumns:
    """The wanted advisors' calendar entries as columns, with a stranger's Busy day mixed in."""
    columns = CalendarColumns.of({a: e for a, e in calendar.items() if a in wanted})
    stranger = CalendarColumns.of({"someone else": [CalendarEntry(0, 1 << 40, BUSY)]})
    return CalendarColumns(
        owners=[*columns.owners, *stranger.owners],
        owner=np.concatenate([columns.owner, stranger.owner + len(columns.owners)]),
        start=np.concatenate([columns.start, stranger.start]),
        end=np.concatenate([columns.end, stranger.end]),
        status=np.concatenate([columns.status, stranger.status]),
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_a_plan_names_everyone_the_search_reads(seed):
    rnd, bank, occupancy, now, days = make_bank(seed)
    narrowed = 0
    for search in searches(rnd, bank, now, days):
        plan = SearchPlan(search, bank, now)
        read = Occupancy(
            advisor_claims=only(occupancy.advisor_claims, plan.advisor_ids),
            room_claims=only(occupancy.room_claims, plan.room_ids),
            calendar=only_calendar(occupancy.calendar, plan.advisor_ids),
        )
        assert plan.rows(read) == compute_slot_rows(search, bank, occupancy, now)
        narrowed += len(plan.advisor_ids) < len(bank.advisors)
    assert narrowed  # some searches do read fewer advisors


def route_rank(ref: Reference, search: SlotSearch, adv: Advisor, mtype: str, date: dt.date):
    explicit = list(dict.fromkeys(search.explicit_employee_ids))
    if search.employee_types is not None:
        pools = set(search.employee_types)
    else:
        pools = {EXPLICIT} if explicit else {LOCAL, SERVICE_GROUP}
    return ref.route_priority(adv, pools, set(explicit), mtype, date)


@pytest.mark.parametrize("seed", SEEDS)
def test_best_slots_are_the_first_ranked_of_all_slots(seed):
    rnd, bank, occupancy, now, days = make_bank(seed)
    checked = 0
    for search in searches(rnd, bank, now, days):
        explicit = list(dict.fromkeys(search.explicit_employee_ids))
        if search.require_employee_participation and explicit and search.employee_types is None:
            continue  # a joint meeting: no selection
        best = compute_slots(dataclasses.replace(search, best_slots=True), bank, occupancy, now)
        every = compute_slots(dataclasses.replace(search, best_slots=False), bank, occupancy, now)
        ref = Reference(search, bank, occupancy, now)
        cells: dict[tuple, list] = {}
        for slot in every:
            cells.setdefault((slot.start, slot.meeting_type), []).append(slot)

        ranks: dict[tuple, tuple] = {}

        def rank(slot):
            date = ref.day_of(slot.start)
            key = (slot.employee_id, date, slot.meeting_type)
            if key not in ranks:
                adv = bank.advisors[slot.employee_id]
                fair = hashlib.blake2b(f"{date.isoformat()}|{adv.id}".encode(), digest_size=8).digest()
                prio = route_rank(ref, search, adv, slot.meeting_type, date)
                ranks[key] = (prio, ref.booked_on(adv, date), fair, adv.id)
            return ranks[key]

        expected = [min(cell, key=rank) for _, cell in sorted(cells.items())]
        assert best == expected
        checked += len(best)
    assert checked
