"""The demo bank: a small, realistic Danish retail bank to try the service with.

`meetbook demo` imports it, and `meetbook serve --demo` loads it into an empty database, so the API,
its docs and the booking page have something to show straight away: three branches (København,
Aarhus, Odense) with meeting rooms, four customer types, a topic tree with durations and meeting types,
twenty advisors with varied weekly schedules, a competence-group tree, two service groups and the
priority rules.

`demo_bank()` returns one bank definition document (design 3c) as plain dicts and lists, exactly as
the YAML file would parse. Every object carries a fixed id (uuid5 over a namespace and a readable
name), so importing the demo twice upserts the same objects instead of duplicating them.

The bank itself is fictitious; e-mail addresses use the reserved `.example` domain.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

NAMESPACE = uuid.UUID("48f88f57-682c-4aa6-892c-7ec8af3524c1")
DOMAIN = "nordhavnbank.example"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
ALL_TYPES = ("Physical", "Online", "Telephone")
REMOTE = ("Online", "Telephone")
CLOSING_YEARS = (2026, 2027)


def ident(kind: str, key: str) -> str:
    """A stable id for one demo object, e.g. ident("employee", "mette-hansen")."""
    return str(uuid.uuid5(NAMESPACE, f"demo/{kind}/{key}"))


def _ascii(text: str) -> str:
    """Danish letters spelled the way they are in e-mail addresses."""
    for letter, spelled in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("Æ", "Ae"), ("Ø", "Oe"), ("Å", "Aa")):
        text = text.replace(letter, spelled)
    return text


# -- organization settings -------------------------------------------------------------------------


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm, a.k.a. Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (the algorithm's own name)
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def bank_holidays(year: int) -> list[dt.date]:
    """The days Danish banks are closed in one year (besides ordinary weekends)."""
    easter = easter_sunday(year)
    moving = [
        easter - dt.timedelta(days=3),  # Skærtorsdag
        easter - dt.timedelta(days=2),  # Langfredag
        easter - dt.timedelta(days=1),  # Påskelørdag
        easter,  # Påskedag
        easter + dt.timedelta(days=1),  # 2. påskedag
        easter + dt.timedelta(days=39),  # Kristi himmelfartsdag
        easter + dt.timedelta(days=40),  # Banklukkedag, fredag efter Kristi himmelfart
        easter + dt.timedelta(days=50),  # 2. pinsedag
    ]
    fixed = [
        dt.date(year, 1, 1),  # Nytårsdag
        dt.date(year, 6, 5),  # Grundlovsdag
        dt.date(year, 12, 24),  # Juleaftensdag
        dt.date(year, 12, 25),  # Juledag
        dt.date(year, 12, 26),  # 2. juledag
        dt.date(year, 12, 31),  # Nytårsaftensdag
    ]
    return sorted(set(moving + fixed))


def organization_settings() -> dict[str, Any]:
    return {
        "timeZone": "Europe/Copenhagen",
        "openingTime": "08:00:00",
        "closingTime": "17:00:00",
        "defaultMeetingDuration": "01:00:00",
        "bufferBetweenMeetings": "00:15:00",
        "workingTimeBuffer": "02:00:00",
        "maxTimeFromBookingToMeeting": "90.00:00:00",
        "maxMeetingTimePerDay": "06:00:00",
        "closingDays": [d.isoformat() for year in CLOSING_YEARS for d in bank_holidays(year)],
        "iCalMeetingTitle": "Møde med {{employee}}",
        "iCalMeetingDescription": (
            "Dit møde om {{topic}} med {{employee}} fra Nordhavn Bank.\n"
            "Har du brug for at flytte eller aflyse mødet, så kontakt os på 70 10 20 30 eller i netbanken."
        ),
    }


# -- branches and rooms ------------------------------------------------------------------------------

# location, displayName, address, requireAvailableRoom
BRANCHES = [
    ("Copenhagen", "København City", "Kongens Nytorv 8, 1050 København K", True),
    ("Aarhus", "Aarhus C", "Store Torv 4, 8000 Aarhus C", False),
    ("Odense", "Odense C", "Vestergade 30, 5000 Odense C", False),
]

# location, name, capacity, canBeBooked
ROOMS = [
    ("Copenhagen", "Amalienborg", 6, True),
    ("Copenhagen", "Rosenborg", 4, True),
    ("Copenhagen", "Direktionslokalet", 12, False),
    ("Aarhus", "Marselisborg", 4, True),
    ("Aarhus", "Dokk1", 8, True),
    ("Odense", "H.C. Andersen", 4, True),
    ("Odense", "Carl Nielsen", 6, True),
]


def locations() -> list[dict[str, Any]]:
    return [
        {
            "id": ident("location", location),
            "location": location,
            "displayName": display,
            "address": address,
            "requireAvailableRoom": require_room,
            "addRoomsToBookedMeetings": True,
        }
        for location, display, address, require_room in BRANCHES
    ]


def rooms() -> list[dict[str, Any]]:
    out = []
    for location, name, capacity, bookable in ROOMS:
        mailbox = _ascii(name).lower().replace(".", "").replace(" ", "")
        out.append(
            {
                "id": ident("room", f"{location}/{name}"),
                "name": f"Mødelokale {name}",
                "location": location,
                "email": f"lokale.{mailbox}@{DOMAIN}",
                "capacity": capacity,
                "canBeBooked": bookable,
            }
        )
    return out


# -- customer types and topics -------------------------------------------------------------------------

CUSTOMER_TYPES = {"privat": "Privat", "erhverv": "Erhverv", "private-banking": "Private Banking", "ung": "Ung"}


def ct(key: str) -> str:
    assert key in CUSTOMER_TYPES, key
    return ident("customer-type", key)


def customer_types() -> list[dict[str, Any]]:
    return [{"id": ct(key), "name": name} for key, name in CUSTOMER_TYPES.items()]


# key, name, parent key, duration, meeting types, customer type keys, customer visible
TOPICS = [
    ("bolig", "Bolig", None, "01:00:00", ALL_TYPES, (), True),
    ("boligkoeb", "Boligkøb", "bolig", "01:00:00", ("Physical",), (), True),
    ("omlaegning", "Omlægning af lån", "bolig", "00:45:00", ALL_TYPES, (), True),
    ("pension", "Pension", None, "01:00:00", ALL_TYPES, (), True),
    ("pensionstjek", "Pensionstjek", "pension", "01:00:00", ALL_TYPES, (), True),
    ("efterloen", "Efterløn", "pension", "00:30:00", REMOTE, (), True),
    ("investering", "Investering", None, "01:00:00", ALL_TYPES, (), True),
    ("investeringsraadgivning", "Investeringsrådgivning", "investering", "01:00:00", ("Physical", "Online"), (), True),
    ("boerneopsparing", "Børneopsparing", "investering", "00:30:00", ALL_TYPES, (), True),
    ("dagligbank", "Dagligbank", None, "00:30:00", REMOTE, (), True),
    ("studiestart", "Studiestart og første konto", None, "00:30:00", ALL_TYPES, ("ung",), True),
    ("erhvervskredit", "Erhvervskredit", None, "01:30:00", ("Physical",), ("erhverv",), True),
    ("intern-opfoelgning", "Intern opfølgning", None, "00:30:00", ALL_TYPES, (), False),
]


def tp(key: str) -> str:
    assert any(t[0] == key for t in TOPICS), key
    return ident("topic", key)


def topics() -> list[dict[str, Any]]:
    out = []
    for order, (key, name, parent, duration, types, ctypes, visible) in enumerate(TOPICS, start=1):
        out.append(
            {
                "id": tp(key),
                "name": name,
                "uniqueTopicId": key,
                "parentId": tp(parent) if parent else None,
                "order": order,
                "isCustomerVisible": visible,
                "customerTypeIds": [ct(c) for c in ctypes],
                "meetingDuration": duration,
                "meetingTypes": list(types),
            }
        )
    return out


# -- advisors -------------------------------------------------------------------------------------------

# key, first name, last name, initials, home branch, title, skill topics, skill customer types
ADVISORS = [
    # København City
    ("mette-hansen", "Mette", "Hansen", "MEH", "Copenhagen", "Boligrådgiver", (), ()),
    ("lars-nielsen", "Lars", "Nielsen", "LAN", "Copenhagen", "Private Banking-rådgiver",
     ("investering", "pension"), ("private-banking",)),
    ("sofie-jensen", "Sofie", "Jensen", "SOJ", "Copenhagen", "Kunderådgiver", (), ()),
    ("anders-pedersen", "Anders", "Pedersen", "ANP", "Copenhagen", "Erhvervsrådgiver",
     ("erhvervskredit", "dagligbank"), ("erhverv",)),
    ("camilla-andersen", "Camilla", "Andersen", "CAA", "Copenhagen", "Pensionsrådgiver", (), ()),
    ("rasmus-christensen", "Rasmus", "Christensen", "RAC", "Copenhagen", "Investeringsrådgiver",
     ("investering",), ()),
    ("ida-larsen", "Ida", "Larsen", "IDL", "Copenhagen", "Ungerådgiver",
     ("dagligbank", "studiestart", "boerneopsparing", "bolig"), ("ung", "privat")),
    ("henrik-soerensen", "Henrik", "Sørensen", "HES", "Copenhagen", "Filialdirektør", (), ()),
    # Aarhus C
    ("julie-rasmussen", "Julie", "Rasmussen", "JUR", "Aarhus", "Boligrådgiver", (), ()),
    ("mikkel-joergensen", "Mikkel", "Jørgensen", "MIJ", "Aarhus", "Kunderådgiver", (), ()),
    ("emma-petersen", "Emma", "Petersen", "EMP", "Aarhus", "Pensionsrådgiver", (), ()),
    ("frederik-madsen", "Frederik", "Madsen", "FRM", "Aarhus", "Erhvervsrådgiver", (), ()),
    ("line-kristensen", "Line", "Kristensen", "LIK", "Aarhus", "Kunderådgiver (fjernrådgivning)", (), ()),
    ("jonas-olsen", "Jonas", "Olsen", "JOO", "Aarhus", "Kunderådgiver", (), ()),
    # Odense C
    ("anne-thomsen", "Anne", "Thomsen", "ANT", "Odense", "Boligrådgiver", (), ()),
    ("peter-poulsen", "Peter", "Poulsen", "PEP", "Odense", "Kunderådgiver", (), ()),
    ("maria-johansen", "Maria", "Johansen", "MAJ", "Odense", "Pensionsrådgiver", (), ()),
    ("soeren-moeller", "Søren", "Møller", "SOM", "Odense", "Erhvervsrådgiver",
     ("erhvervskredit",), ("erhverv",)),
    ("louise-mortensen", "Louise", "Mortensen", "LOM", "Odense", "Ungerådgiver",
     ("dagligbank", "studiestart"), ("ung",)),
    ("kasper-knudsen", "Kasper", "Knudsen", "KAK", "Odense", "Kunderådgiver", (), ()),
]


def emp(key: str) -> str:
    assert any(a[0] == key for a in ADVISORS), key
    return ident("employee", key)


def employees() -> list[dict[str, Any]]:
    out = []
    for number, (key, first, last, initials, home, title, skill_topics, skill_types) in enumerate(ADVISORS, 1001):
        out.append(
            {
                "id": emp(key),
                "firstName": first,
                "lastName": last,
                "displayName": f"{first} {last}, {title}",
                "email": f"{_ascii(first).lower()}.{_ascii(last).lower()}@{DOMAIN}",
                "initials": initials,
                "location": home,
                "externalId": f"NB{number}",
                "skills": {
                    "topicIds": [tp(t) for t in skill_topics],
                    "customerTypeIds": [ct(c) for c in skill_types],
                },
            }
        )
    return out


# -- weekly schedules -----------------------------------------------------------------------------------


def workday(day: str, start: str, end: str, location: str, types=ALL_TYPES, available: bool = True) -> dict[str, Any]:
    return {
        "dayOfWeek": day,
        "isAvailable": available,
        "from": f"{start}:00",
        "to": f"{end}:00",
        "location": location,
        "availableMeetingTypes": list(types),
    }


def week(
    start: str,
    end: str,
    location: str,
    types=ALL_TYPES,
    *,
    off: tuple[str, ...] = (),
    elsewhere: dict[str, str] | None = None,
    hours: dict[str, tuple[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Monday to Friday at one branch; `off` days unavailable, `elsewhere` maps a day to another
    branch, `hours` overrides a day's from/to."""
    elsewhere = elsewhere or {}
    hours = hours or {}
    days = []
    for day in WEEKDAYS:
        day_start, day_end = hours.get(day, (start, end))
        days.append(
            workday(day, day_start, day_end, elsewhere.get(day, location), types, available=day not in off)
        )
    return days


def schedule(key: str, workdays: list[dict[str, Any]], **flags: Any) -> dict[str, Any]:
    return {
        "employeeId": emp(key),
        "canBeBooked": flags.get("can_be_booked", True),
        "isOnlyExplicitlyAvailable": flags.get("only_explicit", False),
        "maxMeetingTimePerDay": flags.get("max_per_day"),
        "workdays": workdays,
    }


def employee_schedules() -> list[dict[str, Any]]:
    cph, aar, ode = "Copenhagen", "Aarhus", "Odense"
    return [
        schedule("mette-hansen", week("08:00", "16:00", cph)),
        schedule("lars-nielsen", week("09:00", "17:00", cph, ("Physical", "Online")), max_per_day="04:00:00"),
        schedule("sofie-jensen", week("08:30", "15:30", cph)),
        # Fridays at the Aarhus branch, where the business customers of Jutland are.
        schedule("anders-pedersen", week("08:00", "16:00", cph, elsewhere={"Friday": aar})),
        # Part time: four days a week.
        schedule("camilla-andersen", week("09:00", "15:00", cph, off=("Friday",))),
        schedule("rasmus-christensen", week("09:00", "17:00", cph)),
        schedule("ida-larsen", week("08:00", "16:00", cph, hours={"Thursday": ("10:00", "17:00")})),
        # The branch manager takes meetings only when a customer asks for him by name.
        schedule("henrik-soerensen", week("09:00", "15:00", cph, ("Physical",)), only_explicit=True),
        schedule("julie-rasmussen", week("08:00", "16:00", aar)),
        # Tuesdays at the Odense branch.
        schedule("mikkel-joergensen", week("08:30", "15:30", aar, elsewhere={"Tuesday": ode})),
        # Part time: Monday, Wednesday and Thursday.
        schedule("emma-petersen", week("08:00", "16:00", aar, off=("Tuesday", "Friday"))),
        schedule("frederik-madsen", week("08:00", "16:00", aar), max_per_day="05:00:00"),
        # Works from home: online and telephone meetings only.
        schedule("line-kristensen", week("08:00", "16:00", aar, REMOTE)),
        # On parental leave: keeps his schedule, but cannot be booked.
        schedule("jonas-olsen", week("08:00", "16:00", aar), can_be_booked=False),
        schedule("anne-thomsen", week("09:00", "17:00", ode)),
        schedule("peter-poulsen", week("08:00", "16:00", ode, hours={"Friday": ("08:00", "14:00")})),
        schedule("maria-johansen", week("08:30", "15:30", ode), max_per_day="03:00:00"),
        # Fridays at the Copenhagen head office.
        schedule("soeren-moeller", week("08:00", "16:00", ode, elsewhere={"Friday": cph})),
        # Part time: Tuesday to Friday, short days.
        schedule("louise-mortensen", week("09:00", "14:00", ode, off=("Monday",))),
        schedule("kasper-knudsen", week("08:00", "16:00", ode, hours={"Wednesday": ("09:00", "17:00")})),
    ]


# -- competence groups, service groups, priorities -------------------------------------------------------

# key, name, parent key, members, topics, customer types, labels. An empty topic or customer type list
# inherits the parent's (and matches anything at the top).
COMPETENCE_GROUPS = [
    ("raadgivning", "Rådgivning", None, (), ("dagligbank",), ("privat", "private-banking", "ung"), ()),
    ("bolig", "Bolig", "raadgivning", (), ("bolig",), (), ()),
    ("bolig-oest", "Bolig Øst", "bolig", ("mette-hansen", "henrik-soerensen"), (), (), ()),
    ("bolig-vest", "Bolig Vest", "bolig", ("julie-rasmussen", "anne-thomsen"), (), (), ()),
    ("pension-investering", "Pension & Investering", "raadgivning",
     ("camilla-andersen", "emma-petersen", "maria-johansen", "rasmus-christensen"), ("pension", "investering"), (), ()),
    ("erhverv", "Erhvervsrådgivning", None, ("anders-pedersen", "frederik-madsen", "soeren-moeller"),
     ("erhvervskredit", "dagligbank"), ("erhverv",), ()),
    ("private-banking", "Private Banking", None, ("lars-nielsen", "rasmus-christensen"),
     (), ("private-banking",), ("VIP",)),
]


def cg(key: str) -> str:
    assert any(g[0] == key for g in COMPETENCE_GROUPS), key
    return ident("competence-group", key)


def competence_groups() -> list[dict[str, Any]]:
    return [
        {
            "id": cg(key),
            "name": name,
            "parentGroupId": cg(parent) if parent else None,
            "employeeIds": [emp(e) for e in members],
            "topicIds": [tp(t) for t in topic_keys],
            "customerTypeIds": [ct(c) for c in ctypes],
            "labels": list(labels),
        }
        for key, name, parent, members, topic_keys, ctypes, labels in COMPETENCE_GROUPS
    ]


def service_groups() -> list[dict[str, Any]]:
    online_topics = [tp(key) for key, *_ in TOPICS if key != "erhvervskredit"]
    return [
        {
            "id": ident("service-group", "online-raadgivning"),
            "name": "Online Rådgivning",
            "membershipEmail": f"online.raadgivning@{DOMAIN}",
            "employeeIds": [emp(e) for e in ("line-kristensen", "mikkel-joergensen", "kasper-knudsen", "sofie-jensen")],
            "competenceGroupIds": [cg("bolig-vest")],
            "labels": [],
            "maxMeetingTimePerDay": "05:00:00",
            "serviceTrigger": {"topicIds": online_topics, "customerTypeIds": [], "customerLocations": []},
            "serviceLevel": {"meetingTypes": list(REMOTE), "locations": []},
        },
        {
            "id": ident("service-group", "private-banking"),
            "name": "Private Banking",
            "membershipEmail": f"privatebanking@{DOMAIN}",
            "employeeIds": [emp("lars-nielsen")],
            "competenceGroupIds": [cg("private-banking")],
            "labels": ["VIP"],
            "maxMeetingTimePerDay": None,
            "serviceTrigger": {"topicIds": [], "customerTypeIds": [ct("private-banking")], "customerLocations": []},
            "serviceLevel": {"meetingTypes": ["Physical", "Online"], "locations": ["Copenhagen"]},
        },
    ]


def priority_rules() -> list[dict[str, Any]]:
    return [{"type": "Explicit"}, {"type": "ServiceGroup", "label": "VIP"}, {"type": "Local"}, {"type": "ServiceGroup"}]


# -- the document ----------------------------------------------------------------------------------------


def demo_bank() -> dict[str, Any]:
    """The demo bank as one bank definition document (design 3c), ready for bankfile.service.parse()."""
    return {
        "organizationSettings": organization_settings(),
        "locations": locations(),
        "rooms": rooms(),
        "customerTypes": customer_types(),
        "topics": topics(),
        "employees": employees(),
        "employeeSchedules": employee_schedules(),
        "competenceGroups": competence_groups(),
        "serviceGroups": service_groups(),
        "priorityRules": priority_rules(),
    }
