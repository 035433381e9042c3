"""The availability engine alone, in process: `python -m bench.engine_bench [options]`
(or `python bench/engine_bench.py`).

Builds the synthetic bank of `bench.bankgen` (same seed, same bank as the HTTP benchmark) straight
into the engine's frozen values (no database), runs each search shape many times and prints the
best and median milliseconds of `compute_slots` and `compute_slot_rows` with the slot counts.

`--old DIR` also times a saved copy of an earlier engine (DIR holds a package
`availability_old/`) and checks that both give identical answers on every shape and on
`--variants` random searches over the same bank. The Python-loop engine before the numpy one:

    git archive f23567c src/meetbook/availability | tar -x -C /tmp
    mkdir -p /tmp/engine_old && mv /tmp/src/meetbook/availability /tmp/engine_old/availability_old
    python -m bench.engine_bench --old /tmp/engine_old

`--fresh` gives every timed run a newly read occupancy (see `timed`); `--profile SHAPE` prints
a cProfile of one shape instead.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import importlib
import pstats
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bankgen import Size, SyntheticBank, generate  # noqa: E402
from meetbook.availability import (  # noqa: E402
    EXPLICIT,
    LOCAL,
    MEETING_TYPES,
    SERVICE_GROUP,
    compute_slot_rows,
    compute_slots,
)
from meetbook.availability import model as a  # noqa: E402

# A fixed Monday morning, so every run builds the same bank (`--now` for another: 2026-03-09
# puts the spring daylight-saving change of Europe/Copenhagen inside 30 days).
NOW = "2026-11-23T08:47:00+00:00"
DAY = 86_400
WIDEN = 2 * DAY  # what slots.occupancy reads around a window


# -- the bank definition as the engine's values -----------------------------------------------


def _minutes(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:5])


def _seconds(text: str | None) -> int | None:
    """TimeSpan text `[d.]hh:mm[:ss]` as seconds."""
    if not text:
        return None
    days, _, rest = text.rpartition(".") if text.count(".") else ("", "", text)
    h, m, *s = (int(x) for x in rest.split(":"))
    return int(days or 0) * DAY + h * 3600 + m * 60 + (s[0] if s else 0)


def engine_bank(doc: dict) -> a.Bank:
    """What catalog.snapshot builds from the database, built from the definition file."""
    org = doc["organizationSettings"]
    settings = a.BankSettings(
        time_zone=org["timeZone"],
        opening_minute=_minutes(org["openingTime"]),
        closing_minute=_minutes(org["closingTime"]),
        closing_days=frozenset(dt.date.fromisoformat(d) for d in org["closingDays"]),
        default_duration_seconds=_seconds(org["defaultMeetingDuration"]) or 3600,
        buffer_seconds=_seconds(org["bufferBetweenMeetings"]) or 0,
        minimum_notice_seconds=_seconds(org["workingTimeBuffer"]) or 0,
        max_ahead_seconds=_seconds(org["maxTimeFromBookingToMeeting"]),
        max_seconds_per_day=_seconds(org["maxMeetingTimePerDay"]),
        priority_rules=tuple(a.PriorityRule(r["type"], r.get("label")) for r in doc["priorityRules"]),
    )
    weekday = {n: i for i, n in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))}
    schedules = {s["employeeId"]: s for s in doc["employeeSchedules"]}
    advisors = {}
    for e in doc["employees"]:
        sch = schedules[e["id"]]
        days: list[a.Workday | None] = [None] * 7
        for w in sch["workdays"]:
            days[weekday[w["dayOfWeek"]]] = a.Workday(
                is_available=w["isAvailable"],
                start_minute=_minutes(w["from"]),
                end_minute=_minutes(w["to"]),
                location=w.get("location") or e["location"],
                meeting_types=frozenset(w["availableMeetingTypes"]),
            )
        advisors[e["id"]] = a.Advisor(
            id=e["id"],
            workdays=tuple(days),
            can_be_booked=sch["canBeBooked"],
            only_explicit=sch["isOnlyExplicitlyAvailable"],
            skill_topic_ids=frozenset(e["skills"]["topicIds"]),
            skill_customer_type_ids=frozenset(e["skills"]["customerTypeIds"]),
            max_seconds_per_day=_seconds(sch["maxMeetingTimePerDay"]),
        )
    topics = {
        t["id"]: a.Topic(
            id=t["id"],
            parent_id=t["parentId"],
            customer_type_ids=frozenset(t["customerTypeIds"]),
            duration_seconds=_seconds(t["meetingDuration"]),
            meeting_types=frozenset(t["meetingTypes"]),
        )
        for t in doc["topics"]
    }
    rooms = {r["id"]: a.Room(r["id"], r["name"], r["location"], r["canBeBooked"]) for r in doc["rooms"]}
    locations = {loc["location"]: a.Location(loc["location"], loc["requireAvailableRoom"]) for loc in doc["locations"]}
    groups = {
        g["id"]: a.CompetenceGroup(
            id=g["id"],
            parent_id=g["parentGroupId"],
            employee_ids=frozenset(g["employeeIds"]),
            topic_ids=frozenset(g["topicIds"]),
            customer_type_ids=frozenset(g["customerTypeIds"]),
        )
        for g in doc["competenceGroups"]
    }
    service_groups = {
        g["id"]: a.ServiceGroup(
            id=g["id"],
            labels=frozenset(g["labels"]),
            employee_ids=frozenset(g["employeeIds"]),
            competence_group_ids=frozenset(g["competenceGroupIds"]),
            max_seconds_per_day=_seconds(g["maxMeetingTimePerDay"]),
            trigger_topic_ids=frozenset(g["serviceTrigger"]["topicIds"]),
            trigger_customer_type_ids=frozenset(g["serviceTrigger"]["customerTypeIds"]),
            trigger_customer_locations=frozenset(g["serviceTrigger"]["customerLocations"]),
            level_meeting_types=frozenset(g["serviceLevel"]["meetingTypes"]),
            level_locations=frozenset(g["serviceLevel"]["locations"]),
        )
        for g in doc["serviceGroups"]
    }
    return a.Bank(settings, advisors, topics, rooms, locations, groups, service_groups)


def _epoch(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


@dataclass
class Activity:
    """Every claim and calendar entry; `occupancy(lo, hi)` reads a window like slots.occupancy."""

    claims: list[tuple[str, int, int, int]]  # resource, start, end (with buffer), meeting seconds
    calendar: list[tuple[str, int, int, str]]  # employee id, start, end, status

    def occupancy(self, lo: int, hi: int) -> a.Occupancy:
        lo, hi = lo - WIDEN, hi + WIDEN
        advisors: dict[str, list[a.Claim]] = defaultdict(list)
        rooms: dict[str, list[a.Claim]] = defaultdict(list)
        for resource, s, e, secs in self.claims:
            if e > lo and s < hi:
                kind, _, ident = resource.partition(":")
                (advisors if kind == "employee" else rooms)[ident].append(a.Claim(s, e, secs))
        calendar: dict[str, list[a.CalendarEntry]] = defaultdict(list)
        for aid, s, e, status in self.calendar:
            if e > lo and s < hi:
                calendar[aid].append(a.CalendarEntry(s, e, status))
        # As columns, the way the service's read hands them to the engine (slots/occupancy.py).
        return a.Occupancy(a.ClaimColumns.of(advisors), a.ClaimColumns.of(rooms), a.CalendarColumns.of(dict(calendar)))


def activity(syn: SyntheticBank) -> Activity:
    claims = [(c["resource"], c["start_s"], c["end_s"], c["meeting_seconds"]) for c in syn.claims]
    calendar = [
        (t["employeeId"], _epoch(t["startDate"]), _epoch(t["endDate"]), t["status"]) for t in syn.document["timeSlots"]
    ]
    return Activity(claims, calendar)


# -- the search shapes --------------------------------------------------------------------------


@dataclass
class Shape:
    key: str
    text: str
    search: a.SlotSearch
    occupancy: a.Occupancy
    activity: Activity

    def fresh(self) -> a.Occupancy:
        return self.activity.occupancy(self.search.window_start, self.search.window_end)


def shapes(syn: SyntheticBank, act: Activity, bank: a.Bank, days: int) -> list[Shape]:
    now = syn.now
    topic = syn.general_topic

    def window(d: int) -> dict:
        return dict(window_start=now, window_end=now + min(d, days) * DAY)

    def shape(key: str, text: str, **kw) -> Shape:
        search = a.SlotSearch(**kw)
        return Shape(key, text, search, act.occupancy(search.window_start, search.window_end), act)

    out = [
        shape("one", "one advisor, 7 d (joint)", **window(7), explicit_employee_ids=(syn.one_advisor,), topic_id=topic),
        shape("pool", f"local pool ({syn.pool_size}), 14 d, best", **window(14), employee_types=frozenset({LOCAL}),
              customer_location=syn.pool_branch, topic_id=topic, best_slots=True),
        shape("bank7", "whole bank, 7 d, best", **window(7), topic_id=topic, best_slots=True),
        shape("bank", f"whole bank, {days} d, best", **window(days), topic_id=topic, best_slots=True),
        shape("all", f"whole bank, {days} d, all advisors", **window(days), topic_id=topic, best_slots=False),
        shape("employee", f"employee, all types, {days} d, all", **window(days), customer_initiated=False),
    ]
    # The reservation check (slots.check): one advisor, one start, the topic's duration.
    first = compute_slots(out[0].search, bank, out[0].occupancy, now)
    if first:
        s = first[len(first) // 2]
        check = a.SlotSearch(window_start=s.start, window_end=s.start + 1, require_employee_participation=False,
                             explicit_employee_ids=(s.employee_id,), employee_types=frozenset({EXPLICIT}),
                             duration_seconds=s.end - s.start, topic_id=topic, meeting_types=frozenset({s.meeting_type}),
                             best_slots=False)
        out.append(Shape("check", "reservation check", check, act.occupancy(s.start, s.end), act))
    return out


def variants(syn: SyntheticBank, bank: a.Bank, act: Activity, days: int, n: int, seed: int) -> list[Shape]:
    """Random searches over the same bank, for the equivalence check only."""
    rng = random.Random(seed)
    topics = [None, *sorted(bank.topics)]
    ctypes = [None, *sorted({c for t in bank.topics.values() for c in t.customer_type_ids}),
              *sorted({c for g in bank.competence_groups.values() for c in g.customer_type_ids})]
    locations = [None, *sorted(bank.locations)]
    rooms = sorted(bank.rooms)
    out = []
    for i in range(n):
        start = syn.now + rng.choice((0, 0, rng.randrange(0, days * DAY, 900)))
        length = rng.choice((1, 2, 7, 14, days)) * DAY + rng.choice((0, 0, 1800, 3600 * 5))
        explicit = tuple(rng.sample(syn.advisor_ids, rng.choice((0, 0, 1, 2, 3))))
        search = a.SlotSearch(
            window_start=start,
            window_end=start + length,
            require_employee_participation=rng.random() < 0.6,
            explicit_employee_ids=explicit,
            employee_types=rng.choice((None, None, frozenset({LOCAL}), frozenset({SERVICE_GROUP}),
                                       frozenset({EXPLICIT, LOCAL}), frozenset({LOCAL, SERVICE_GROUP}))),
            duration_seconds=rng.choice((None, None, 1800, 2700, 3600, 5400, 4 * 3600, 7 * 3600)),
            topic_id=rng.choice(topics),
            customer_type_id=rng.choice(ctypes),
            meeting_types=rng.choice((None, None, frozenset({"Physical"}), frozenset({"Online", "Telephone"}),
                                      frozenset(rng.sample(MEETING_TYPES, 2)))),
            customer_location=rng.choice(locations),
            meeting_location=rng.choice((None, None, *locations)),
            require_room=rng.choice((None, None, True, False)),
            specific_room_ids=rng.choice((None, None, None, frozenset(rng.sample(rooms, 3)))),
            customer_initiated=rng.random() < 0.6,
            ignore_minimum_notice=rng.random() < 0.2,
            best_slots=rng.choice((None, True, False)),
        )
        out.append(Shape(f"v{i}", "variant", search, act.occupancy(search.window_start, search.window_end), act))
    return out


# -- timing -------------------------------------------------------------------------------------


def timed(
    fn: Callable[[a.Occupancy], list], occupancy: Callable[[], a.Occupancy], repeat: int, fresh: bool
) -> tuple[float, float, int]:
    """(best ms, median ms, result length) of fn(occupancy).

    By default every run reuses one occupancy, its claims hot in the caches. With `fresh`, each
    run gets an occupancy made just before it (untimed), as the service reads one per request,
    and a garbage collection, so that no run pays for the objects the read made: closer to a
    request, and slower (cold caches), for the old engine and the new alike."""
    n = len(fn(occupancy()))  # warm-up (zone data, imports)
    reused = occupancy()
    times = []
    for _ in range(repeat):
        occ = reused
        if fresh:
            occ = occupancy()
            gc.collect()
        t0 = time.perf_counter()
        fn(occ)
        times.append((time.perf_counter() - t0) * 1000)
    return min(times), statistics.median(times), n


def as_tuples(slots) -> list[tuple]:
    return [(s.start, s.end, s.meeting_type, s.employee_id, s.room_id, s.topic_id) for s in slots]


def load_old(path: str):
    sys.path.insert(0, path)
    return importlib.import_module("availability_old")


def compare(old, shape: Shape, bank: a.Bank, now: int) -> str | None:
    """None when both engines agree (slots and rows), else what differs."""
    new_slots = compute_slots(shape.search, bank, shape.occupancy, now)
    new_rows = compute_slot_rows(shape.search, bank, shape.occupancy, now)
    old_rows = as_tuples(old.compute_slots(shape.search, bank, shape.occupancy, now))
    if as_tuples(new_slots) != old_rows:
        extra = sorted(set(as_tuples(new_slots)) - set(old_rows))[:3]
        missing = sorted(set(old_rows) - set(as_tuples(new_slots)))[:3]
        return f"{shape.key}: slots differ ({len(new_slots)} vs {len(old_rows)}): +{extra} -{missing}"
    if new_rows != old_rows:
        return f"{shape.key}: rows differ from slots"
    return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.engine_bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--advisors", type=int, default=500)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--now", default=NOW, help="ISO instant the bank's activity is relative to")
    p.add_argument("--repeat", type=int, default=15, help="timed runs per shape")
    p.add_argument("--only", default=None, help="comma-separated shape keys")
    p.add_argument("--old", default=None, help="directory holding a saved engine package availability_old/")
    p.add_argument("--variants", type=int, default=60, help="random searches for the --old equivalence check")
    p.add_argument("--fresh", action="store_true", help="a new occupancy before every run (see timed)")
    p.add_argument("--profile", default=None, metavar="SHAPE", help="cProfile one shape (compute_slot_rows)")
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    syn = generate(Size(args.advisors, args.days), args.seed, now=dt.datetime.fromisoformat(args.now))
    bank, act = engine_bank(syn.document), activity(syn)
    now = syn.now
    all_shapes = shapes(syn, act, bank, args.days)
    if args.only:
        keep = set(args.only.split(","))
        all_shapes = [s for s in all_shapes if s.key in keep]
    counts = syn.counts()
    print(f"bank: {counts['advisors']} advisors, {args.days} d, {counts['claims']} claims, "
          f"{counts['calendarEntries']} calendar entries, {counts['rooms']} rooms "
          f"(built in {time.perf_counter() - t0:.1f} s)")

    if args.profile:
        shape = next(s for s in all_shapes if s.key == args.profile)
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.repeat):
            compute_slot_rows(shape.search, bank, shape.occupancy, now)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return 0

    old = load_old(args.old) if args.old else None
    head = f"{'shape':<40} {'slots':>8} {'slots ms best/med':>18} {'rows ms best/med':>17}"
    print(head + (f" {'old slots':>16} {'old rows':>16}" if old else ""))
    for shape in all_shapes:
        s, o, bank_, fresh = shape.search, now, bank, shape.fresh
        sb, sm, n = timed(lambda q: compute_slots(s, bank_, q, o), fresh, args.repeat, args.fresh)
        rb, rm, _ = timed(lambda q: compute_slot_rows(s, bank_, q, o), fresh, args.repeat, args.fresh)
        line = f"{shape.key + ': ' + shape.text:<40} {n:>8} {sb:>8.2f}/{sm:>8.2f} {rb:>8.2f}/{rm:>8.2f}"
        if old:
            ob, om, _ = timed(lambda q: old.compute_slots(s, bank_, q, o), fresh, max(5, args.repeat // 2), args.fresh)
            orb, orm, _ = timed(lambda q: old.compute_slot_rows(s, bank_, q, o), fresh, max(5, args.repeat // 2), args.fresh)
            line += f" {ob:>7.2f}/{om:>7.2f} {orb:>7.2f}/{orm:>7.2f}"
        print(line, flush=True)

    if old:
        problems = []
        for shape in all_shapes + variants(syn, bank, act, args.days, args.variants, args.seed):
            diff = compare(old, shape, bank, now)
            if diff:
                problems.append(diff)
        checked = len(all_shapes) + args.variants
        print(f"equivalence with {args.old}: {checked - len(problems)}/{checked} searches identical")
        for problem in problems:
            print("  " + problem)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
