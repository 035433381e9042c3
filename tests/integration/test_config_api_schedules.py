"""Employee schedules over HTTP: create or replace, patch, delete, resolve to dates, and the slot
search seeing each change at once (the cached snapshot of the bank reloads after every write)."""

from __future__ import annotations

import uuid

from tests import bankdata as b
from tests.integration.helpers import search
from tests.integration.test_config_api import expect

URL = "/bookme/config/employee-schedules"


def anna_monday(client, token) -> list[str]:
    """Anna's Online starts (local HH:MM, summer time = UTC+2) on Monday 1 June."""
    slots = search(client, token("employee"), explicitEmployeeIds=b.ANNA, meetingTypes="online", lookForwardTime="1.00:00:00")
    return [f"{int(s['startDate'][11:13]) + 2:02d}:{s['startDate'][14:16]}" for s in slots if s["startDate"].startswith("2026-06-01")]


def test_read_schedules(client, token, load_bank):
    load_bank(b.bank())
    e = token("employee")
    listed = expect(client.get(URL, headers=e), 200)
    assert {s["employeeId"] for s in listed} == {b.ANNA, b.BO, b.CARL}
    anna = expect(client.get(f"{URL}/{b.ANNA}", headers=e), 200)
    assert anna["canBeBooked"] is True and len(anna["workdays"]) == 5
    assert anna["workdays"][0] == {"dayOfWeek": "Monday", "isAvailable": True, "from": "09:00:00", "to": "12:00:00",
                                   "location": "Copenhagen", "availableMeetingTypes": ["Physical", "Online"]}
    expect(client.get(f"{URL}/{uuid.uuid4()}", headers=e), 404, "NOT_FOUND", "employee")


def test_put_creates_then_replaces(client, token, load_bank):
    load_bank(b.bank())
    h = token("admin")
    dora = expect(client.post("/config/employees", json={"email": "dora@bank.test", "initials": "DD", "location": "Aarhus"}, headers=h), 201)
    expect(client.get(f"{URL}/{dora['id']}", headers=h), 404, "NOT_FOUND", "no schedule")
    week = {"workdays": [{"dayOfWeek": "tuesday", "from": "10:00", "to": "14:30", "location": "Aarhus", "availableMeetingTypes": ["telephone"]}]}
    created = client.put(f"{URL}/{dora['id']}", json=week, headers=h)
    body = expect(created, 201)
    assert created.headers["location"] == f"{URL}/{dora['id']}"
    assert body["employeeId"] == dora["id"] and body["workdays"][0]["from"] == "10:00:00"
    assert body["workdays"][0]["dayOfWeek"] == "Tuesday" and body["workdays"][0]["availableMeetingTypes"] == ["Telephone"]
    replaced = expect(client.put(f"{URL}/{dora['id']}", json={"employeeId": dora["id"], "canBeBooked": False, "workdays": []}, headers=h), 200)
    assert replaced["canBeBooked"] is False and replaced["workdays"] == []

    bad_days = [
        ({"employeeId": b.ANNA}, 400, "employeeId"),
        ({"workdays": [{"dayOfWeek": "Monday", "from": "12:00", "to": "09:00"}]}, 400, "workdays"),
        ({"workdays": [{"dayOfWeek": "Monday"}, {"dayOfWeek": "monday"}]}, 400, "workdays"),
        ({"workdays": [{"dayOfWeek": "Someday"}]}, 400, "workdays"),
        ({"maxMeetingTimePerDay": "lots"}, 400, "maxMeetingTimePerDay"),
        ({"workdays": [{"dayOfWeek": "Monday", "location": "Odense"}]}, 404, "Odense"),
    ]
    for body, status, word in bad_days:
        code = "BAD_REQUEST" if status == 400 else "NOT_FOUND"
        expect(client.put(f"{URL}/{dora['id']}", json=body, headers=h), status, code, word)
    expect(client.put(f"{URL}/{uuid.uuid4()}", json=week, headers=h), 404, "NOT_FOUND", "employee")


def test_a_schedule_change_shows_in_the_slot_search_at_once(client, token, load_bank):
    load_bank(b.bank())
    h = token("admin")
    assert anna_monday(client, token) == ["09:00", "09:30", "10:00", "10:30", "11:00"]  # the snapshot is now cached

    longer = [{"op": "replace", "path": "/workdays/0/to", "value": "14:00:00"}]
    patched = expect(client.patch(f"{URL}/{b.ANNA}", json=longer, headers=h), 200)
    assert patched["workdays"][0]["to"] == "14:00:00"
    assert anna_monday(client, token)[-1] == "13:00"

    physical_only = [
        {"op": "replace", "path": "/workdays/0/availableMeetingTypes", "value": ["Physical"]},
        {"op": "test", "path": "/workdays/0/dayOfWeek", "value": "Monday"},
    ]
    expect(client.patch(f"{URL}/{b.ANNA}", json=physical_only, headers=h), 200)
    assert anna_monday(client, token) == []

    expect(client.patch(f"{URL}/{b.ANNA}", json=[{"op": "replace", "path": "/workdays/0/to", "value": "08:00:00"}], headers=h),
           400, "BAD_REQUEST")
    expect(client.patch(f"{URL}/{b.ANNA}", json=[{"op": "replace", "path": "/employeeId", "value": b.BO}], headers=h),
           400, "BAD_REQUEST", "employeeId")
    expect(client.patch(f"{URL}/{b.ANNA}", json={"workdays": []}, headers=h), 400, "BAD_REQUEST", "JSON Patch")
    ghost = str(uuid.uuid4())
    expect(client.patch(f"{URL}/{ghost}", json=[], headers=h), 404, "NOT_FOUND", f"employee '{ghost}' was not found")

    assert client.delete(f"{URL}/{b.ANNA}", headers=h).status_code == 204
    assert search(client, token("employee"), explicitEmployeeIds=b.ANNA, meetingTypes="physical") == []
    expect(client.delete(f"{URL}/{b.ANNA}", headers=h), 404, "NOT_FOUND", f"employee '{b.ANNA}' has no schedule yet")


def test_actual_working_days(client, token, load_bank):
    load_bank(b.bank(organizationSettings={"timeZone": "Europe/Copenhagen", "closingDays": ["2026-06-05"]}))
    e = token("employee")
    days = expect(client.get(f"{URL}/{b.ANNA}/actual", params={"from": "2026-06-01", "to": "2026-06-07"}, headers=e), 200)
    assert [d["date"] for d in days] == [f"2026-06-0{n}" for n in range(1, 8)]
    monday, friday, sunday = days[0], days[4], days[6]
    assert monday == {"date": "2026-06-01", "dayOfWeek": "Monday", "isAvailable": True, "from": "09:00:00", "to": "12:00:00",
                      "location": "Copenhagen", "meetingTypes": ["Physical", "Online"], "isBankClosed": False}
    assert friday["isBankClosed"] is True and friday["isAvailable"] is False and friday["from"] == "09:00:00"
    assert sunday["isAvailable"] is False and sunday["from"] is None and sunday["location"] == "Copenhagen"  # home location

    # Defaults: from today (the bank's local date), seven days. A date-time reads as its local date.
    default = expect(client.get(f"{URL}/{b.BO}/actual", headers=e), 200)
    assert [d["date"] for d in default][::6] == ["2026-06-01", "2026-06-07"]
    late = expect(client.get(f"{URL}/{b.BO}/actual", params={"from": "2026-06-01T23:30:00Z", "to": "2026-06-02"}, headers=e), 200)
    assert [d["date"] for d in late] == ["2026-06-02"]

    expect(client.get(f"{URL}/{b.ANNA}/actual", params={"from": "2026-06-07", "to": "2026-06-01"}, headers=e), 400, "BAD_REQUEST")
    expect(client.get(f"{URL}/{b.ANNA}/actual", params={"from": "June"}, headers=e), 400, "BAD_REQUEST", "from")
    expect(client.get(f"{URL}/{b.ANNA}/actual", params={"from": "2026-01-01", "to": "2027-06-01"}, headers=e), 400, "BAD_REQUEST")
    ghost = str(uuid.uuid4())
    expect(client.get(f"{URL}/{ghost}/actual", headers=e), 404, "NOT_FOUND", f"employee '{ghost}' was not found")

    # An employee without a schedule has no working days, but still a home location.
    dora = expect(client.post("/config/employees", json={"email": "d@bank.test", "initials": "D", "location": "Aarhus"}, headers=token("admin")), 201)
    unscheduled = expect(client.get(f"{URL}/{dora['id']}/actual", headers=e), 200)
    assert all(not d["isAvailable"] and d["location"] == "Aarhus" for d in unscheduled)
