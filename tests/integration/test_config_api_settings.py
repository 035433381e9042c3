"""The bank's settings, closing days, priority rules and allowed options over HTTP."""

from __future__ import annotations

import uuid

from tests import bankdata as b
from tests.integration.helpers import search
from tests.integration.test_config_api import expect

SETTINGS = "/bookme/config/organization-settings"
RULES = "/bookme/config/priority-rules"
OPTIONS = "/bookme/config/allowed-options"


def anna_days(client, token) -> set[str]:
    slots = search(client, token("employee"), explicitEmployeeIds=b.ANNA, meetingTypes="online")
    return {s["startDate"][:10] for s in slots}


def test_replace_and_patch_settings(client, token, load_bank):
    load_bank(b.bank())
    h = token("admin")
    new = {"timeZone": "Europe/Copenhagen", "openingTime": "10:00", "closingTime": "17:00", "defaultMeetingDuration": "00:30:00",
           "bufferBetweenMeetings": "00:15:00", "maxTimeFromBookingToMeeting": "60.00:00:00", "closingDays": ["2026-12-24"],
           "iCalMeetingTitle": "Møde med {{employee}}"}
    body = expect(client.put(SETTINGS, json=new, headers=h), 200)
    assert body["openingTime"] == "10:00:00" and body["maxTimeFromBookingToMeeting"] == "60.00:00:00"
    assert body["workingTimeBuffer"] == "00:00:00" and body["maxMeetingTimePerDay"] is None  # left out: the default
    assert expect(client.get(SETTINGS, headers=token()), 200) == body

    # Customer searches stay inside the opening hours: Anna's 09:00 start goes at once.
    slots = search(client, token(), explicitEmployeeIds=b.ANNA, meetingTypes="online", meetingDuration="01:00:00")
    assert slots[0]["startDate"] == "2026-06-01T08:00:00.000Z"

    patched = expect(client.patch(SETTINGS, json=[{"op": "replace", "path": "/openingTime", "value": "08:00:00"},
                                                  {"op": "add", "path": "/closingDays/-", "value": "2026-12-31"}], headers=h), 200)
    assert patched["openingTime"] == "08:00:00" and patched["closingDays"] == ["2026-12-24", "2026-12-31"]
    assert patched["iCalMeetingTitle"] == "Møde med {{employee}}"

    for bad in ({"timeZone": "Mars/Olympus"}, {"openingTime": "17:00", "closingTime": "09:00"}, {"defaultMeetingDuration": "00:00:00"},
                {"bufferBetweenMeetings": "-00:15:00"}, {"closingDays": ["someday"]}):
        expect(client.put(SETTINGS, json=bad, headers=h), 400, "BAD_REQUEST")
    expect(client.patch(SETTINGS, json=[{"op": "replace", "path": "/timeZone", "value": "Nowhere"}], headers=h), 400, "BAD_REQUEST", "not valid")
    expect(client.patch(SETTINGS, json={"timeZone": "UTC"}, headers=h), 400, "BAD_REQUEST", "JSON Patch")
    assert expect(client.get(SETTINGS, headers=h), 200) == patched


def test_closing_days(client, token, load_bank):
    load_bank(b.bank())
    h = token("admin")
    assert "2026-06-02" in anna_days(client, token)
    added = client.post(f"{SETTINGS}/closing-days", json={"date": "2026-06-02"}, headers=h)
    assert expect(added, 201)["closingDays"] == ["2026-06-02"]
    assert added.headers["location"] == f"{SETTINGS}/closing-days/2026-06-02"
    assert "2026-06-02" not in anna_days(client, token)
    expect(client.post(f"{SETTINGS}/closing-days", json={"date": "2026-06-02"}, headers=h), 409, "CONFLICT", "already")
    expect(client.post(f"{SETTINGS}/closing-days", json={"date": "tomorrow"}, headers=h), 400, "BAD_REQUEST")
    expect(client.post(f"{SETTINGS}/closing-days", json={}, headers=h), 400, "BAD_REQUEST")

    assert client.delete(f"{SETTINGS}/closing-days/2026-06-02", headers=h).status_code == 204
    assert "2026-06-02" in anna_days(client, token)
    expect(client.delete(f"{SETTINGS}/closing-days/2026-06-02", headers=h), 404, "NOT_FOUND", "2026-06-02 is not a closing day")
    expect(client.delete(f"{SETTINGS}/closing-days/soon", headers=h), 400, "BAD_REQUEST")


def test_priority_rules(client, token, load_bank):
    load_bank(b.bank())
    h, e = token("admin"), token("employee")
    assert expect(client.get(RULES, headers=e), 200) == [{"type": "Explicit", "label": None}, {"type": "Local", "label": None},
                                                          {"type": "ServiceGroup", "label": None}]
    rules = [{"type": "ServiceGroup", "label": "VIP"}, {"type": "explicit"}, {"type": "Local"}, {"type": "ServiceGroup"}]
    stored = expect(client.put(RULES, json=rules, headers=h), 200)
    assert [(r["type"], r["label"]) for r in stored] == [("ServiceGroup", "VIP"), ("Explicit", None), ("Local", None), ("ServiceGroup", None)]
    assert expect(client.get(RULES, headers=e), 200) == stored
    for bad, word in (([], "at least one"), ([{"type": "Local"}, {"type": "Local"}], "once"),
                      ([{"type": "Local", "label": "VIP"}], "label"), ([{"type": "Nobody"}], "")):
        expect(client.put(RULES, json=bad, headers=h), 400, "BAD_REQUEST", word)
    expect(client.put(RULES, json={"type": "Local"}, headers=h), 400, "BAD_REQUEST")
    assert expect(client.get(RULES, headers=e), 200) == stored


def test_allowed_options(client, token, load_bank):
    load_bank(b.bank())
    h = token()

    def options(**params):
        return expect(client.get(OPTIONS, params=params, headers=h), 200)

    assert options(topicId=b.T_HOUSING, location="Copenhagen") == {"meetingTypes": ["Physical", "Online"], "employeeTypes": ["Explicit", "Local"]}
    assert options(topicId=b.T_HOUSING, location="Aarhus") == {"meetingTypes": ["Online"], "employeeTypes": ["Explicit", "Local"]}
    # a place the bank does not know is refused, not answered with nothing on offer
    expect(client.get(OPTIONS, params={"topicId": b.T_HOUSING, "location": "Odense"}, headers=h), 400, "BAD_REQUEST", "Aarhus, Copenhagen")
    assert options() == {"meetingTypes": ["Physical", "Online"], "employeeTypes": ["Explicit", "Local"]}
    assert options(topicId=b.T_BUSINESS, customerTypeId=b.CT_PRIVATE)["meetingTypes"] == []

    # A triggered service group with a telephone level adds its pool and its meeting type.
    admin = token("admin")
    expect(client.post("/bookme/config/service-groups", json={
        "name": "Phone desk", "employeeIds": [b.BO], "serviceTrigger": {"customerLocations": ["Odense"]},
        "serviceLevel": {"meetingTypes": ["Telephone", "Online"]}}, headers=admin), 201)
    expect(client.patch(f"/bookme/config/employee-schedules/{b.BO}", json=[
        {"op": "replace", "path": "/workdays/0/availableMeetingTypes", "value": ["Online", "Telephone"]}], headers=admin), 200)
    assert options(topicId=b.T_HOUSING, location="Odense") == {"meetingTypes": ["Online"], "employeeTypes": ["Explicit", "ServiceGroup"]}
    assert options(topicId=b.T_INTERNAL, location="Odense") == {"meetingTypes": ["Online", "Telephone"], "employeeTypes": ["Explicit", "ServiceGroup"]}

    expect(client.get(OPTIONS, params={"topicId": str(uuid.uuid4())}, headers=h), 404, "NOT_FOUND", "topic")
    expect(client.get(OPTIONS, params={"customerTypeId": str(uuid.uuid4())}, headers=h), 404, "NOT_FOUND", "customer type")
