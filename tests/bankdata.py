"""A small bank of known shape for integration tests, built as a bank definition document."""

from __future__ import annotations

import copy
import uuid

NS = uuid.UUID("5b0d3c7e-8f7a-4d54-9d0b-7a1f6c2e9a10")


def ident(name: str) -> str:
    return str(uuid.uuid5(NS, name))


CT_PRIVATE = ident("ct-private")
CT_BUSINESS = ident("ct-business")
T_HOUSING = ident("topic-housing")
T_PURCHASE = ident("topic-purchase")
T_INTERNAL = ident("topic-internal")
T_BUSINESS = ident("topic-business")
ANNA = ident("anna")  # Copenhagen, Mon-Fri 09:00-12:00, Physical + Online
BO = ident("bo")  # Aarhus, Mon-Fri 09:00-12:00, Online only
CARL = ident("carl")  # Copenhagen, only when named explicitly
ROOM_1 = ident("room-1")
ROOM_2 = ident("room-2")

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def week(start: str, end: str, location: str, types: list[str]) -> list[dict]:
    return [
        {"dayOfWeek": d, "isAvailable": True, "from": start, "to": end, "location": location, "availableMeetingTypes": types}
        for d in WEEKDAYS
    ]


BASE: dict = {
    "organizationSettings": {"timeZone": "Europe/Copenhagen", "defaultMeetingDuration": "01:00:00",
                             "iCalMeetingTitle": "Meeting with {{employee}}"},
    "locations": [
        {"id": ident("loc-cph"), "location": "Copenhagen", "displayName": "Copenhagen City", "address": "Holmens Kanal 2"},
        {"id": ident("loc-aar"), "location": "Aarhus", "displayName": "Aarhus C"},
    ],
    "rooms": [
        {"id": ROOM_1, "name": "Room 1", "location": "Copenhagen", "email": "room1@bank.test", "canBeBooked": True},
        {"id": ROOM_2, "name": "Room 2", "location": "Copenhagen", "email": "room2@bank.test", "canBeBooked": True},
    ],
    "customerTypes": [{"id": CT_PRIVATE, "name": "Private"}, {"id": CT_BUSINESS, "name": "Business"}],
    "topics": [
        {"id": T_HOUSING, "name": "Housing", "uniqueTopicId": "housing", "order": 1, "meetingDuration": "01:00:00",
         "meetingTypes": ["Physical", "Online"]},
        {"id": T_PURCHASE, "name": "Buying a home", "uniqueTopicId": "housing-purchase", "parentId": T_HOUSING,
         "order": 2, "meetingDuration": "00:30:00"},
        {"id": T_INTERNAL, "name": "Internal review", "uniqueTopicId": "internal", "isCustomerVisible": False},
        {"id": T_BUSINESS, "name": "Business credit", "uniqueTopicId": "business-credit", "customerTypeIds": [CT_BUSINESS]},
    ],
    "employees": [
        {"id": ANNA, "firstName": "Anna", "lastName": "Andersen", "email": "anna@bank.test", "initials": "AA", "location": "Copenhagen"},
        {"id": BO, "firstName": "Bo", "lastName": "Berg", "email": "bo@bank.test", "initials": "BB", "location": "Aarhus"},
        {"id": CARL, "firstName": "Carl", "lastName": "Clausen", "email": "carl@bank.test", "initials": "CC", "location": "Copenhagen"},
    ],
    "employeeSchedules": [
        {"employeeId": ANNA, "workdays": week("09:00:00", "12:00:00", "Copenhagen", ["Physical", "Online"])},
        {"employeeId": BO, "workdays": week("09:00:00", "12:00:00", "Aarhus", ["Online"])},
        {"employeeId": CARL, "isOnlyExplicitlyAvailable": True, "workdays": week("09:00:00", "12:00:00", "Copenhagen", ["Physical"])},
    ],
}


def bank(**changes) -> dict:
    """The base bank with top-level keys replaced (or added)."""
    document = copy.deepcopy(BASE)
    document.update(copy.deepcopy(changes))
    return document
