"""A synthetic bank of a stated size, deterministic from a seed.

`generate(size, seed, now)` returns a `SyntheticBank`:

- `document`: a bank definition (design 3c, the format `meetbook import` reads): organisation
  settings, branches (locations) with rooms, customer types, a topic tree, advisors with varied
  weekly schedules (hours, part time, a day at another branch, meeting types, caps, leave), a
  competence-group tree, four service groups, priority rules, and external calendar time
  (`timeSlots`: mostly Busy, a few WorkingFromElsewhere and ExtraOpen);
- `meetings`, `holds`, `claims`: booked meetings and live holds, which the bank definition format
  does not carry. `bench.load` inserts them straight into the database after the import. They
  sit on the bank's :00/:30 grid inside each advisor's working hours (and the bank's opening
  hours), in the future, never overlapping per advisor or per room (claims are
  `[start, end + buffer)`, as the service writes them), and within the daily cap.

Sizes scale together: the defaults (500 advisors, 30 days) give 20 branches, 60 rooms, about
20,000 meetings, 2,000 calendar entries and 300 live holds; meetings and calendar entries keep
the same density per advisor-day at other sizes, so cost grows with advisors x days.

The same seed, size and local start day give the same document and rows, byte for byte.

    python -m bench.bankgen --advisors 500 --days 30 --seed 1 --out bank.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

NAMESPACE = uuid.UUID("0c1d7a55-5b8e-4f0e-9d0a-6be4c1b0a001")
TIME_ZONE = "Europe/Copenhagen"
OPEN_MIN, CLOSE_MIN = 8 * 60, 17 * 60
BUFFER_S = 15 * 60
BANK_CAP_S = 6 * 3600
GRID_S = 1800
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ALL3 = ("Physical", "Online", "Telephone")
REMOTE = ("Online", "Telephone")

# Twenty branches; the first is the head office with a tenth of the advisors (the "local pool").
BRANCHES = (
    "Copenhagen", "Aarhus", "Odense", "Aalborg", "Esbjerg", "Randers", "Kolding", "Horsens", "Vejle",
    "Roskilde", "Herning", "Hoersholm", "Silkeborg", "Naestved", "Fredericia", "Viborg", "Koege",
    "Holstebro", "Taastrup", "Slagelse",
)
FIRST = (
    "Mette", "Lars", "Sofie", "Anders", "Camilla", "Rasmus", "Ida", "Henrik", "Julie", "Mikkel", "Emma",
    "Frederik", "Line", "Jonas", "Anne", "Peter", "Maria", "Soeren", "Louise", "Kasper", "Freja", "Magnus",
    "Clara", "Oliver", "Karen", "Niels", "Signe", "Emil", "Laura", "Jakob",
)
LAST = (
    "Hansen", "Nielsen", "Jensen", "Pedersen", "Andersen", "Christensen", "Larsen", "Soerensen",
    "Rasmussen", "Joergensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen",
    "Johansen", "Moeller", "Mortensen", "Knudsen",
)
CUSTOMER_TYPES = (("privat", "Privat"), ("erhverv", "Erhverv"), ("private-banking", "Private Banking"), ("ung", "Ung"))
# key, name, parent, duration, meeting types, customer types
TOPICS = (
    ("raadgivning", "Rådgivningsmøde", None, "01:00:00", ALL3, ()),
    ("bolig", "Bolig", None, "01:00:00", ALL3, ()),
    ("boligkoeb", "Boligkøb", "bolig", "01:00:00", ("Physical",), ()),
    ("omlaegning", "Omlægning af lån", "bolig", "00:45:00", ALL3, ()),
    ("pension", "Pension", None, "01:00:00", ALL3, ()),
    ("pensionstjek", "Pensionstjek", "pension", "01:00:00", ALL3, ()),
    ("efterloen", "Efterløn", "pension", "00:30:00", REMOTE, ()),
    ("investering", "Investering", None, "01:00:00", ALL3, ()),
    ("investeringsraadgivning", "Investeringsrådgivning", "investering", "01:00:00", ("Physical", "Online"), ()),
    ("boerneopsparing", "Børneopsparing", "investering", "00:30:00", ALL3, ()),
    ("dagligbank", "Dagligbank", None, "00:30:00", REMOTE, ()),
    ("studiestart", "Studiestart", None, "00:30:00", ALL3, ("ung",)),
    ("erhvervskredit", "Erhvervskredit", None, "01:30:00", ("Physical", "Online"), ("erhverv",)),
)
TOPIC_SECONDS = {key: int(d[:2]) * 3600 + int(d[3:5]) * 60 for key, _n, _p, d, _t, _c in TOPICS}
TOPIC_TYPES = {key: types for key, _n, _p, _d, types, _c in TOPICS}
# key, name, parent, topics, customer types, labels (an empty list inherits the parent's)
GROUPS = (
    ("raadgivning", "Rådgivning", None, ("raadgivning", "dagligbank"), (), ()),
    ("privat", "Privatrådgivning", "raadgivning", ("raadgivning", "bolig", "pension", "investering", "dagligbank"),
     ("privat", "ung", "private-banking"), ()),
    ("bolig", "Bolig", "privat", ("bolig",), (), ()),
    ("bolig-oest", "Bolig Øst", "bolig", (), (), ()),
    ("bolig-vest", "Bolig Vest", "bolig", (), (), ()),
    ("pension-investering", "Pension & Investering", "privat", ("pension", "investering"), (), ()),
    ("investering", "Investering", "pension-investering", ("investering",), (), ()),
    ("ung", "Ung", "raadgivning", ("studiestart", "dagligbank", "boerneopsparing", "raadgivning"), ("ung", "privat"), ()),
    ("erhverv", "Erhvervsrådgivning", "raadgivning", ("erhvervskredit", "dagligbank", "raadgivning"), ("erhverv",), ()),
    ("private-banking", "Private Banking", "raadgivning", (), ("private-banking",), ("VIP",)),
)
# The leaf groups advisors join, with weights.
MEMBER_GROUPS = (("bolig-oest", 14), ("bolig-vest", 14), ("pension-investering", 12), ("investering", 8),
                 ("ung", 8), ("erhverv", 12), ("private-banking", 4), ("privat", 10))
HOURS = (("08:00", "16:00"), ("08:30", "16:30"), ("09:00", "17:00"), ("08:00", "15:30"), ("09:00", "16:00"), ("07:30", "15:30"))
TYPE_SETS = ((ALL3, 60), (("Physical", "Online"), 20), (REMOTE, 15), (("Physical",), 5))


def ident(seed: int, kind: str, key: object) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{seed}/{kind}/{key}"))


@dataclass(frozen=True)
class Size:
    advisors: int = 500
    days: int = 30
    branches: int | None = None  # default: 20 (fewer for very small banks)
    rooms: int | None = None  # default: 3 per branch
    meetings: int | None = None  # default: 20,000 per 500 advisors x 30 days
    calendar_entries: int | None = None  # default: 2,000 per 500 advisors x 30 days
    holds: int | None = None  # default: 300 per 500 advisors
    hold_ttl_seconds: int = 2 * 3600  # the generated holds stay live for the whole run

    def resolved(self) -> Size:
        branches = self.branches or max(1, min(len(BRANCHES), self.advisors // 5))
        scale = self.advisors * self.days / (500 * 30)
        return Size(
            advisors=self.advisors,
            days=self.days,
            branches=min(branches, len(BRANCHES)),
            rooms=self.rooms if self.rooms is not None else 3 * branches,
            meetings=self.meetings if self.meetings is not None else round(20_000 * scale),
            calendar_entries=self.calendar_entries if self.calendar_entries is not None else round(2_000 * scale),
            holds=self.holds if self.holds is not None else max(3, round(300 * self.advisors / 500)),
            hold_ttl_seconds=self.hold_ttl_seconds,
        )


@dataclass
class Advisor:
    id: str
    home: str
    workdays: list[dict | None]  # index 0 Monday; None: not working that weekday
    can_be_booked: bool
    only_explicit: bool
    cap_s: int | None


@dataclass
class SyntheticBank:
    size: Size
    seed: int
    now: int  # epoch seconds the activity is relative to
    document: dict[str, Any]
    meetings: list[dict] = field(default_factory=list)
    holds: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    # What the scenarios need to know about the bank.
    branches: list[str] = field(default_factory=list)
    pool_branch: str = ""
    pool_size: int = 0
    general_topic: str = ""
    one_advisor: str = ""
    advisor_ids: list[str] = field(default_factory=list)
    room_locations: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        d = self.document
        return {
            "advisors": len(d["employees"]),
            "branches": len(d["locations"]),
            "rooms": len(d["rooms"]),
            "topics": len(d["topics"]),
            "competenceGroups": len(d["competenceGroups"]),
            "serviceGroups": len(d["serviceGroups"]),
            "calendarEntries": len(d["timeSlots"]),
            "meetings": len(self.meetings),
            "holds": len(self.holds),
            "claims": len(self.claims),
        }


def _hm(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:5])


def _iso(epoch_s: int) -> str:
    return dt.datetime.fromtimestamp(epoch_s, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _weighted(rng: random.Random, table) -> Any:
    return rng.choices([x for x, _ in table], weights=[w for _, w in table])[0]


def bank_holidays(years) -> list[str]:
    from meetbook.demo import bank_holidays as holidays

    return sorted(d.isoformat() for y in years for d in holidays(y))


def generate(size: Size = Size(), seed: int = 1, now: dt.datetime | None = None, progress=None) -> SyntheticBank:
    """The bank. `progress(n)` is called as advisors, calendar entries and meetings are made."""
    size = size.resolved()
    tick = progress or (lambda _n: None)
    rng = random.Random(seed)
    tz = ZoneInfo(TIME_ZONE)
    now_dt = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    now_s = int(now_dt.timestamp())
    today = now_dt.astimezone(tz).date()
    horizon_end = now_s + size.days * 86400
    dates = [today + dt.timedelta(days=i) for i in range(size.days + 1)]
    closing = set(bank_holidays(sorted({today.year, (today + dt.timedelta(days=size.days + 1)).year})))

    def ID(kind: str, key: object) -> str:
        return ident(seed, kind, key)

    branches = list(BRANCHES[: size.branches])
    # Rooms are required at the head office and every fourth branch.
    room_branches = [b for i, b in enumerate(branches) if i % 4 == 0]
    locations = [
        {"id": ID("location", b), "location": b, "displayName": f"Bench Bank {b}", "address": f"Hovedgaden {i + 1}",
         "requireAvailableRoom": b in room_branches, "addRoomsToBookedMeetings": True}
        for i, b in enumerate(branches)
    ]
    # Rooms: the head office gets twice its share; the rest round-robin.
    room_home: list[str] = []
    weights = [2 if i == 0 else 1 for i in range(len(branches))]
    order = [b for b, w in zip(branches, weights) for _ in range(w)]
    for i in range(size.rooms or 0):
        room_home.append(order[i % len(order)])
    rooms = []
    for i, b in enumerate(room_home):
        rooms.append({"id": ID("room", i), "name": f"Mødelokale {b} {i + 1:02d}", "location": b,
                      "email": f"room{i + 1}@bench-bank.example", "capacity": rng.choice((4, 6, 8, 12)),
                      "canBeBooked": rng.random() > 0.05 or i == 0})
    rooms_at: dict[str, list[str]] = {}
    for r in rooms:
        if r["canBeBooked"] and r["location"] in room_branches:
            rooms_at.setdefault(r["location"], []).append(r["id"])

    ct = {key: ID("customer-type", key) for key, _ in CUSTOMER_TYPES}
    tp = {t[0]: ID("topic", t[0]) for t in TOPICS}
    topics = [
        {"id": tp[key], "name": name, "uniqueTopicId": key, "parentId": tp[parent] if parent else None, "order": i + 1,
         "isCustomerVisible": True, "customerTypeIds": [ct[c] for c in ctypes], "meetingDuration": duration,
         "meetingTypes": list(types)}
        for i, (key, name, parent, duration, types, ctypes) in enumerate(TOPICS)
    ]

    # -- advisors and schedules ---------------------------------------------------------------
    n_adv = size.advisors
    head = max(1, round(n_adv * 0.10)) if len(branches) > 1 else n_adv
    homes = [branches[0]] * head + [branches[1 + i % (len(branches) - 1)] for i in range(n_adv - head)] if len(branches) > 1 else [branches[0]] * n_adv
    employees, schedules, advisors = [], [], []
    membership: dict[str, list[str]] = {g[0]: [] for g in GROUPS}
    online_members: list[str] = []
    for i in range(n_adv):
        aid = ID("employee", i)
        home = homes[i]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        skills = {"topicIds": [], "customerTypeIds": []}
        roll = rng.random()
        if roll < 0.80:
            membership[_weighted(rng, MEMBER_GROUPS)].append(aid)
        elif roll < 0.90:
            skills = {"topicIds": [tp["raadgivning"], tp[rng.choice(("bolig", "pension", "investering", "dagligbank"))]],
                      "customerTypeIds": [ct["privat"]]}
        # else: a generalist (no skills, no groups): qualified for everything
        employees.append({"id": aid, "firstName": first, "lastName": last, "displayName": f"{first} {last}",
                          "email": f"{first.lower()}.{last.lower()}.{i}@bench-bank.example",
                          "initials": f"{first[0]}{last[0]}{i}", "location": home, "externalId": f"BB{10000 + i}",
                          "skills": skills})
        start, end = rng.choice(HOURS)
        types = _weighted(rng, TYPE_SETS)
        days: list[dict | None] = [None] * 7
        off: set[int] = set()
        if rng.random() < 0.15:
            off = set(rng.sample(range(5), rng.choice((1, 2))))
        elsewhere = rng.randrange(5) if rng.random() < 0.10 and len(branches) > 1 else None
        long_thursday = rng.random() < 0.20
        for wk in range(5):
            s, e = (("10:00", "18:00") if wk == 3 and long_thursday else (start, end))
            loc = home
            if wk == elsewhere:
                loc = branches[(branches.index(home) + 1) % len(branches)]
            days[wk] = {"dayOfWeek": WEEKDAYS[wk], "isAvailable": wk not in off, "from": f"{s}:00", "to": f"{e}:00",
                        "location": loc, "availableMeetingTypes": list(types)}
        if rng.random() < 0.03:
            days[5] = {"dayOfWeek": "Saturday", "isAvailable": True, "from": "10:00:00", "to": "14:00:00",
                       "location": home, "availableMeetingTypes": list(REMOTE)}
        can_be_booked = rng.random() > 0.02 or i < 5
        only_explicit = rng.random() < 0.02 and i >= 5
        cap = rng.choice(("04:00:00", "05:00:00")) if rng.random() < 0.10 else None
        schedules.append({"employeeId": aid, "canBeBooked": can_be_booked, "isOnlyExplicitlyAvailable": only_explicit,
                          "maxMeetingTimePerDay": cap, "workdays": [d for d in days if d is not None]})
        if set(types) == set(REMOTE) or (rng.random() < 0.05 and "Online" in types):
            online_members.append(aid)
        advisors.append(Advisor(aid, home, days, can_be_booked, only_explicit,
                                _hm(cap) * 60 if cap else None))
        tick(1)

    cg = {g[0]: ID("competence-group", g[0]) for g in GROUPS}
    competence_groups = [
        {"id": cg[key], "name": name, "parentGroupId": cg[parent] if parent else None, "employeeIds": membership[key],
         "topicIds": [tp[t] for t in tops], "customerTypeIds": [ct[c] for c in ctypes], "labels": list(labels)}
        for key, name, parent, tops, ctypes, labels in GROUPS
    ]
    jutland = [b for b in branches if b in ("Aarhus", "Aalborg", "Esbjerg", "Randers", "Kolding", "Horsens", "Vejle",
                                              "Herning", "Silkeborg", "Fredericia", "Viborg", "Holstebro")]
    service_groups = [
        {"id": ID("service-group", "online"), "name": "Online Rådgivning", "membershipEmail": "online@bench-bank.example",
         "employeeIds": online_members, "competenceGroupIds": [], "labels": [], "maxMeetingTimePerDay": "05:00:00",
         "serviceTrigger": {"topicIds": [tp[k] for k in tp if k != "erhvervskredit"], "customerTypeIds": [], "customerLocations": []},
         "serviceLevel": {"meetingTypes": list(REMOTE), "locations": []}},
        {"id": ID("service-group", "private-banking"), "name": "Private Banking", "membershipEmail": "pb@bench-bank.example",
         "employeeIds": [], "competenceGroupIds": [cg["private-banking"]], "labels": ["VIP"], "maxMeetingTimePerDay": None,
         "serviceTrigger": {"topicIds": [], "customerTypeIds": [ct["private-banking"]], "customerLocations": []},
         "serviceLevel": {"meetingTypes": ["Physical", "Online"], "locations": branches[:2]}},
        {"id": ID("service-group", "erhverv-jylland"), "name": "Erhverv Jylland", "membershipEmail": None,
         "employeeIds": [], "competenceGroupIds": [cg["erhverv"]], "labels": [], "maxMeetingTimePerDay": None,
         "serviceTrigger": {"topicIds": [tp["erhvervskredit"]], "customerTypeIds": [ct["erhverv"]], "customerLocations": jutland},
         "serviceLevel": {"meetingTypes": ["Physical", "Online"], "locations": jutland}},
        {"id": ID("service-group", "bolig-telefon"), "name": "Boliglinjen", "membershipEmail": None,
         "employeeIds": membership["bolig-oest"][:10], "competenceGroupIds": [], "labels": [], "maxMeetingTimePerDay": "06:00:00",
         "serviceTrigger": {"topicIds": [tp["bolig"]], "customerTypeIds": [], "customerLocations": []},
         "serviceLevel": {"meetingTypes": ["Telephone"], "locations": []}},
    ]

    # -- activity: calendar entries, meetings, holds -------------------------------------------
    def at(date: dt.date, minute: int) -> int:
        return int(dt.datetime(date.year, date.month, date.day, minute // 60, minute % 60, tzinfo=tz).timestamp())

    # Every (advisor, date) the advisor works, with its open minutes (inside opening hours).
    workdays: list[tuple[int, int, dict, int, int]] = []  # (advisor index, date index, workday, lo min, hi min)
    for ai, adv in enumerate(advisors):
        if not adv.can_be_booked:
            continue
        for di, date in enumerate(dates):
            wd = adv.workdays[date.weekday()]
            if wd is None or not wd["isAvailable"] or date.isoformat() in closing:
                continue
            lo, hi = max(_hm(wd["from"]), OPEN_MIN), min(_hm(wd["to"]), CLOSE_MIN)
            if hi - lo >= 60:
                workdays.append((ai, di, wd, lo, hi))
    taken: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (advisor, date) -> [start, end + buffer)
    room_taken: dict[tuple[str, int], list[tuple[int, int]]] = {}
    used: dict[tuple[int, int], int] = {}

    def free(spans: list[tuple[int, int]], s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in spans)

    time_slots = []
    if workdays:
        tries = 0
        while len(time_slots) < (size.calendar_entries or 0) and tries < 10 * (size.calendar_entries or 0):
            tries += 1
            n = len(time_slots)
            ai, di, wd, lo, hi = workdays[rng.randrange(len(workdays))]
            adv, date = advisors[ai], dates[di]
            kind = rng.random()
            if kind < 0.90:
                status = "Busy"
                length = rng.choice((30, 60, 60, 90, 120, 180))
                start_min = rng.randrange(lo - 60, hi) // 15 * 15
            elif kind < 0.95:
                status = "WorkingFromElsewhere"
                start_min, length = lo, hi - lo
            else:
                status = "ExtraOpen"
                start_min, length = max(hi, 16 * 60), 120
            s, e = at(date, start_min), at(date, start_min) + length * 60
            if e <= now_s:
                continue
            time_slots.append({"id": ID("calendar", n), "employeeId": adv.id, "startDate": _iso(s), "endDate": _iso(e),
                               "status": status})
            if status == "Busy":
                taken.setdefault((ai, di), []).append((s, e))
            tick(1)

    topic_keys = [k for k in tp if k not in ("studiestart", "erhvervskredit")]
    meetings, holds, claims = [], [], []

    def place(ai: int, di: int, wd: dict, lo: int, hi: int, *, hold: bool, n: int) -> bool:
        adv, date = advisors[ai], dates[di]
        day_types = wd["availableMeetingTypes"]
        key = rng.choice(topic_keys + ["erhvervskredit"] * (1 if adv.id in membership["erhverv"] else 0))
        types = [t for t in TOPIC_TYPES[key] if t in day_types]
        if not types:
            return False
        length = TOPIC_SECONDS[key]
        cap = adv.cap_s or BANK_CAP_S
        if used.get((ai, di), 0) + length > cap:
            return False
        starts = list(range(lo, hi - length // 60 + 1, 30))
        if not starts:
            return False
        s = at(date, rng.choice(starts))
        e = s + length
        if s < now_s + 2 * 3600 or s >= horizon_end:
            return False
        spans = taken.setdefault((ai, di), [])
        if not free(spans, s, e + BUFFER_S):
            return False
        mtype = rng.choice(types)
        location = wd["location"] if mtype == "Physical" else None
        room = None
        if mtype == "Physical" and location in rooms_at:
            options = [r for r in rooms_at[location] if free(room_taken.get((r, di), []), s, e + BUFFER_S)]
            if not options:
                remote = [t for t in types if t != "Physical"]
                if not remote:
                    return False
                mtype, location = remote[0], None
            else:
                room = rng.choice(options)
        spans.append((s, e + BUFFER_S))
        used[(ai, di)] = used.get((ai, di), 0) + length
        if room:
            room_taken.setdefault((room, di), []).append((s, e + BUFFER_S))
        owner_id = ID("hold" if hold else "meeting", n)
        resources = [f"employee:{adv.id}"] + ([f"room:{room}"] if room else [])
        if hold:
            expires = now_s + size.hold_ttl_seconds
            holds.append({"id": owner_id, "token": ID("hold-token", n), "employee_id": adv.id, "room_id": room,
                          "subject": f"customer-{rng.randrange(10**6):06d}", "start": s, "end": e, "expires_at": expires,
                          "date_created": now_s, "date_modified": now_s})
            for r in resources:
                claims.append({"id": ID("claim", f"h{n}/{r}"), "resource": r, "start_s": s, "end_s": e + BUFFER_S,
                               "meeting_seconds": length, "hold_id": owner_id, "meeting_id": None, "expires_s": expires})
        else:
            meetings.append({"id": owner_id, "status": "Booked", "booked_by": rng.choice(("customer", "customer", "employee")),
                             "customer_id": f"customer-{rng.randrange(10**6):06d}", "customer_type_id": ct[rng.choice(("privat", "privat", "ung", "private-banking"))] if key != "erhvervskredit" else ct["erhverv"],
                             "topic_id": tp[key], "type": mtype, "employee_id": adv.id, "room_id": room,
                             "location": location, "start": s, "end": e, "time_slot_id": ID("slot", n),
                             "title": None, "description": "Synthetic meeting (benchmark)",
                             "date_created": now_s - rng.randrange(30 * 86400), "date_modified": now_s})
            for r in resources:
                claims.append({"id": ID("claim", f"m{n}/{r}"), "resource": r, "start_s": s, "end_s": e + BUFFER_S,
                               "meeting_seconds": length, "hold_id": None, "meeting_id": owner_id, "expires_s": None})
        return True

    if workdays:
        want, tries = size.meetings or 0, 0
        while len(meetings) < want and tries < 20 * want:
            tries += 1
            ai, di, wd, lo, hi = workdays[rng.randrange(len(workdays))]
            if place(ai, di, wd, lo, hi, hold=False, n=len(meetings)):
                tick(1)
        soon = [w for w in workdays if w[1] <= 14]
        want, tries = size.holds or 0, 0
        while soon and len(holds) < want and tries < 50 * want:
            tries += 1
            ai, di, wd, lo, hi = soon[rng.randrange(len(soon))]
            place(ai, di, wd, lo, hi, hold=True, n=len(holds))

    document = {
        "organizationSettings": {
            "timeZone": TIME_ZONE, "openingTime": "08:00:00", "closingTime": "17:00:00",
            "defaultMeetingDuration": "01:00:00", "bufferBetweenMeetings": "00:15:00", "workingTimeBuffer": "02:00:00",
            "maxTimeFromBookingToMeeting": f"{max(120, size.days + 2)}.00:00:00", "maxMeetingTimePerDay": "06:00:00",
            "closingDays": sorted(closing), "iCalMeetingTitle": "Møde med {{employee}}",
            "iCalMeetingDescription": "Dit møde om {{topic}} med {{employee}} fra Bench Bank.",
        },
        "locations": locations,
        "rooms": rooms,
        "customerTypes": [{"id": ct[key], "name": name} for key, name in CUSTOMER_TYPES],
        "topics": topics,
        "employees": employees,
        "employeeSchedules": schedules,
        "competenceGroups": competence_groups,
        "serviceGroups": service_groups,
        "priorityRules": [{"type": "Explicit"}, {"type": "ServiceGroup", "label": "VIP"}, {"type": "Local"}, {"type": "ServiceGroup"}],
        "timeSlots": time_slots,
    }
    # One advisor for the one-advisor search: bookable, all three types, full week, at the head office.
    candidates = [a for a in advisors if a.can_be_booked and not a.only_explicit
                  and all(d and d["isAvailable"] and len(d["availableMeetingTypes"]) == 3 for d in a.workdays[:5])]
    one = (candidates or advisors)[0]
    return SyntheticBank(
        size=size, seed=seed, now=now_s, document=document, meetings=meetings, holds=holds, claims=claims,
        branches=branches, pool_branch=branches[0], pool_size=homes.count(branches[0]),
        general_topic=tp["raadgivning"], one_advisor=one.id, advisor_ids=[a.id for a in advisors],
        room_locations=room_branches,
    )


def write(bank: SyntheticBank, path: Path) -> None:
    """The bank definition file (JSON: the format `meetbook import` reads fastest)."""
    path.write_text(json.dumps(bank.document, ensure_ascii=False, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.bankgen", description=__doc__.split("\n\n")[0])
    p.add_argument("--advisors", type=int, default=500)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=Path("bank.json"))
    args = p.parse_args(argv)
    bank = generate(Size(args.advisors, args.days), args.seed)
    write(bank, args.out)
    print(f"wrote {args.out}: " + ", ".join(f"{k} {v}" for k, v in bank.counts().items()), file=sys.stderr)
    print("meetings, holds and claims are not part of the bank definition format; "
          "`python -m bench.run` inserts them after the import", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
