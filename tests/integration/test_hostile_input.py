"""Hostile input: values of the wrong type, control characters, unit-less numbers, reversed
ranges and unknown places are 400s that name the field, the same on SQLite and PostgreSQL,
and nothing of them is stored."""

from __future__ import annotations

import json
import uuid

import pytest

from tests import bankdata as b
from tests.integration.helpers import book, reserve, search
from tests.live_server import Connection, live_server

WRONG_INSTANTS = [123, True, {}, [], 1e308, None, "2026-13-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "tomorrow"]
SETTINGS = "/bookme/config/organization-settings"


def refused(response, field: str, *words: str) -> dict:
    """A 400 in the design's shape, naming `field`, with every word somewhere in its messages."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "BAD_REQUEST" and isinstance(body["message"], str)
    assert field in [e["field"] for e in body["errors"]], body
    said = body["message"] + " ".join(e["message"] for e in body["errors"])
    for word in words:
        assert word in said, said
    return body


def _slot(client, h) -> dict:
    return search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")[0]


def _reserve_body(slot: dict, **time_slot) -> dict:
    fields = {"startDate": slot["startDate"], "endDate": slot["endDate"], "status": "Reserved", "employeeId": slot["employeeId"]}
    return {"timeSlot": {**fields, **time_slot}, "token": str(uuid.uuid4())}


def _busy_body(**changes) -> dict:
    return {"startDate": "2026-06-02T07:00:00Z", "endDate": "2026-06-02T08:00:00Z", "status": "Busy", "employeeId": b.ANNA, **changes}


def test_a_value_of_the_wrong_type_for_an_instant_is_a_400_naming_it(client, token, load_bank):
    load_bank(b.bank())
    h, employee = token(), token("employee")
    slot = _slot(client, h)
    for value in WRONG_INSTANTS:
        for name in ("startDate", "endDate"):
            refused(client.post("/bookme/time-slots/reserve", json=_reserve_body(slot, **{name: value}), headers=h), f"timeSlot.{name}")
            refused(client.post("/bookme/time-slots", json=_busy_body(**{name: value}), headers=employee), name)
    # nothing was held or recorded: the slot is still offered, and Anna has no calendar time
    assert slot in search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")
    assert client.get(f"/bookme/time-slots?employeeId={b.ANNA}", headers=employee).json() == []


def test_after_a_bad_request_the_same_connection_answers_the_next_one(app, token, load_bank):
    load_bank(b.bank())
    with live_server(app) as port:
        connection = Connection(port, token())
        try:
            for value in (123, {}, 1e308):
                status, body = connection.send("POST", "/bookme/time-slots/reserve", _reserve_body(
                    {"startDate": "2026-06-01T07:00:00Z", "endDate": "2026-06-01T08:00:00Z", "employeeId": b.ANNA}, startDate=value))
                assert status == 400 and body["errors"][0]["field"] == "timeSlot.startDate"
                status, settings = connection.send("GET", SETTINGS)
                assert status == 200 and settings["timeZone"] == "Europe/Copenhagen"
        finally:
            connection.close()


def test_control_characters_in_a_meeting_are_refused_and_line_breaks_kept(client, token, load_bank):
    load_bank(b.bank())
    h = token()
    hold = reserve(client, h, _slot(client, h)).json()
    for field, value in (("description", "a\u0000b"), ("description", "bell\u0007"), ("customerName", "Anna\nAndersen"),
                         ("customerName", "nul\u0000"), ("title", "two\rlines"), ("customerId", "c\u0000"),
                         ("customerEmail", "a\u0000@bank.test"), ("employeeId", "x\u0000"), ("additionalEmployees", ["\u0000"])):
        response = book(client, h, hold, b.T_HOUSING, **{field: value})
        refused(response, f"{field}[0]" if isinstance(value, list) else field, "control characters")
    # a lone surrogate (valid JSON as an escape, but no UTF-8 text) is refused the same way
    body = {"timeSlotId": hold["id"], "type": "physical", "themeId": b.T_HOUSING, "description": "\ud800"}
    raw = client.post("/bookme/meetings", content=json.dumps(body), headers={**h, "Content-Type": "application/json"})
    refused(raw, "description")
    assert client.get("/bookme/meetings", headers=h).json() == []  # nothing was booked
    meeting = book(client, h, hold, b.T_HOUSING, description="Line one\r\nLine two\n\tindented", customerName="Åse Øby")
    assert meeting.status_code == 201, meeting.text
    assert meeting.json()["description"] == "Line one\nLine two\n\tindented" and meeting.json()["customerName"] == "Åse Øby"
    changed = client.patch(f"/bookme/meetings/{meeting.json()['id']}", headers=h,
                           json=[{"op": "replace", "path": "/description", "value": "x\u0000"}])
    refused(changed, "description", "control characters")


def test_control_characters_in_a_reserve_token_or_a_parameter_are_refused(client, token, load_bank):
    load_bank(b.bank())
    h, employee = token(), token("employee")
    slot = _slot(client, h)
    refused(reserve(client, h, slot, "session\u0000token"), "token", "control characters")
    refused(reserve(client, h, slot, "two\nlines"), "token")
    refused(client.post("/bookme/time-slots/reserve", json={**_reserve_body(slot), "existingMeetingId": "m\u0000"}, headers=h), "existingMeetingId")
    for path, field in (("/bookme/meetings/abc%00def", "id"), ("/bookme/time-slots/abc%0Adef", "id"),
                        ("/bookme/meetings?customerId=a%00b", "customerId"),
                        ("/bookme/time-slots/available?requireEmployeeParticipation=true&topic=%00", "topic"),
                        (f"/config/employees/{b.ANNA}%00", "id"), ("/bookme/meeting-topics?isCustomer=true&customerTypeId=%00", "customerTypeId")):
        refused(client.get(path, headers=employee), field, "control characters")
    refused(client.delete("/bookme/time-slots/abc?reservationToken=t%00", headers=h), "reservationToken")
    assert slot in search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")


def test_control_characters_and_overlong_text_in_the_configuration_are_refused(client, token, load_bank):
    load_bank(b.bank())
    admin = token("admin")
    for path, body, field in (
        ("/config/customer-types", {"name": "VIP\u0000"}, "name"),
        ("/config/employees", {"email": "x@bank.test", "initials": "X", "externalId": "e" * 201}, "externalId"),
        ("/config/employees", {"email": "x@bank.test", "initials": "X", "firstName": "a\nb"}, "firstName"),
        ("/config/rooms", {"name": "R", "location": "Copenhagen", "email": "r" * 321}, "email"),
        ("/bookme/config/locations", {"location": "Odense", "address": "a" * 501}, "address"),
        ("/bookme/config/service-groups", {"name": "G", "labels": ["vip\u0000"]}, "labels[0]"),
        ("/bookme/config/service-groups", {"name": "G", "serviceTrigger": {"customerLocations": ["Ode\u0000nse"]}}, "serviceTrigger.customerLocations[0]"),
    ):
        refused(client.post(path, json=body, headers=admin), field)
    refused(client.put(SETTINGS, json={"iCalMeetingTitle": "t" * 501}, headers=admin), "iCalMeetingTitle")
    refused(client.put(SETTINGS, json={"iCalMeetingDescription": "\u0000"}, headers=admin), "iCalMeetingDescription")
    refused(client.put("/bookme/config/priority-rules", json=[{"type": "ServiceGroup", "label": "l" * 201}], headers=admin), "[0].label")
    assert [t["name"] for t in client.get("/config/customer-types", headers=admin).json()] == ["Business", "Private"]
    assert len(client.get("/bookme/config/service-groups", headers=admin).json()) == 0


def test_a_bare_number_for_a_time_or_duration_is_refused_with_the_format(client, token, load_bank):
    load_bank(b.bank())
    admin = token("admin")
    before = client.get(SETTINGS, headers=admin).json()
    for field, value, word in (("openingTime", 8, "use hh:mm:ss"), ("closingTime", 17.5, "use hh:mm:ss"),
                               ("bufferBetweenMeetings", 15, "use [d.]hh:mm:ss"), ("defaultMeetingDuration", True, "use [d.]hh:mm:ss"),
                               ("openingTime", "24:00:00", "below 24:00:00"), ("closingTime", "24:30:00", "at most 24:00:00"),
                               ("openingTime", "08:00:30", "whole minutes"),
                               ("maxTimeFromBookingToMeeting", "99999999.00:00:00", "3650"),
                               ("maxMeetingTimePerDay", "3651.00:00:00", "3650"), ("workingTimeBuffer", "1" * 5000 + ".00:00:00", "3650")):
        refused(client.put(SETTINGS, json={**before, field: value}, headers=admin), field, word)
        patch = [{"op": "replace", "path": f"/{field}", "value": value}]
        refused(client.patch(SETTINGS, json=patch, headers=admin), field)
    assert client.get(SETTINGS, headers=admin).json() == before
    refused(client.post("/bookme/meeting-topics", json={"name": "Pension", "meetingDuration": 60}, headers=admin), "meetingDuration", "[d.]hh:mm:ss")
    schedule = {"workdays": [{"dayOfWeek": "Monday", "from": 8, "to": "16:00:00"}]}
    refused(client.put(f"/bookme/config/employee-schedules/{b.ANNA}", json=schedule, headers=admin), "workdays[0].from", "hh:mm:ss")
    # the text forms still work, and 24:00:00 ends a workday
    fine = client.put(SETTINGS, json={**before, "openingTime": "08:00:00", "closingTime": "24:00:00", "bufferBetweenMeetings": "00:15:00",
                                      "maxTimeFromBookingToMeeting": "3650.00:00:00"}, headers=admin)
    assert fine.status_code == 200, fine.text
    assert {k: fine.json()[k] for k in ("openingTime", "closingTime", "bufferBetweenMeetings", "maxTimeFromBookingToMeeting")} == {
        "openingTime": "08:00:00", "closingTime": "24:00:00", "bufferBetweenMeetings": "00:15:00", "maxTimeFromBookingToMeeting": "3650.00:00:00"}


def test_an_end_not_after_its_start_is_a_400_not_a_taken_slot(client, token, load_bank):
    load_bank(b.bank())
    h, employee = token(), token("employee")
    slot = _slot(client, h)
    for end in (slot["startDate"], "2026-06-01T06:00:00Z"):
        refused(client.post("/bookme/time-slots/reserve", json=_reserve_body(slot, endDate=end), headers=h), "timeSlot.endDate", "after startDate")
        refused(client.post("/bookme/time-slots", json=_busy_body(endDate=end), headers=employee), "endDate", "after startDate")
    for path in ("/bookme/time-slots", "/bookme/meetings"):
        refused(client.get(path, params={"startDate": "2026-06-02T00:00:00Z", "endDate": "2026-06-01T00:00:00Z"}, headers=employee), "endDate")
    refused(client.get("/bookme/meetings", params={"startDateModified": "2026-06-02T00:00:00Z", "endDateModified": "2026-06-02T00:00:00Z"},
                       headers=employee), "endDateModified")
    assert slot in search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")


def test_an_unknown_location_in_a_search_is_a_400_listing_the_known_ones(client, token, load_bank):
    load_bank(b.bank())
    h = token()
    for name in ("customerLocation", "meetingLocation"):
        response = client.get("/bookme/time-slots/available", params={"requireEmployeeParticipation": "true", name: "Narnia"}, headers=h)
        refused(response, name, "Narnia", "Aarhus, Copenhagen")
    # a known one in another letter case is the bank's spelling
    lower = search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="copenhagen")
    assert lower and lower == search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")


@pytest.mark.parametrize("value", ["1e308", "123", "2026-06-01T07:00:00Z\n"])
def test_wrong_instants_and_durations_in_a_search_are_400s(client, token, load_bank, value):
    load_bank(b.bank())
    for name in ("startDate", "lookForwardTime", "meetingDuration"):
        response = client.get("/bookme/time-slots/available", params={"requireEmployeeParticipation": "true", name: value}, headers=token())
        refused(response, name)


def test_instants_and_dates_far_in_the_future_or_past_are_400s(client, token, load_bank):
    load_bank(b.bank())
    h, employee, admin = token(), token("employee"), token("admin")
    for at in ("9999-12-31T10:00:00Z", "1969-12-31T23:00:00Z"):
        response = client.get("/bookme/time-slots/available", params={"requireEmployeeParticipation": "true", "startDate": at}, headers=h)
        refused(response, "startDate", "out of range")
        later = at.replace("10:00", "11:00").replace("23:00", "23:30")
        body = _reserve_body({"startDate": at, "endDate": later, "employeeId": b.ANNA})
        refused(client.post("/bookme/time-slots/reserve", json=body, headers=h), "timeSlot.startDate", "out of range")
    refused(client.get(f"/bookme/config/employee-schedules/{b.ANNA}/actual", params={"from": "9999-12-31"}, headers=employee), "from")


def test_a_bare_number_for_a_date_and_an_integer_past_its_column_are_refused(client, token, load_bank):
    load_bank(b.bank())
    admin = token("admin")
    before = client.get(SETTINGS, headers=admin).json()
    refused(client.post(f"{SETTINGS}/closing-days", json={"date": 0}, headers=admin), "date", "YYYY-MM-DD")
    refused(client.put(SETTINGS, json={**before, "closingDays": [86400]}, headers=admin), "closingDays[0]", "YYYY-MM-DD")
    assert client.get(SETTINGS, headers=admin).json()["closingDays"] == []
    refused(client.post("/bookme/meeting-topics", json={"name": "Pension", "order": 2**40}, headers=admin), "order")
    assert client.post(f"{SETTINGS}/closing-days", json={"date": "2026-12-24"}, headers=admin).status_code == 201


def test_unknown_locations_and_statuses_in_other_queries_are_400s(client, token, load_bank):
    load_bank(b.bank())
    h, employee = token(), token("employee")
    hold = reserve(client, h, _slot(client, h)).json()
    vacancies = client.get("/bookme/room-vacancies", params={"location": "Narnia", "timeSlotId": hold["id"]}, headers=h)
    refused(vacancies, "location", "Aarhus, Copenhagen")
    rooms = client.get("/bookme/room-vacancies", params={"location": "copenhagen", "timeSlotId": hold["id"]}, headers=h)
    assert [r["id"] for r in rooms.json()] == [b.ROOM_1, b.ROOM_2]
    refused(client.get("/bookme/config/allowed-options", params={"location": "Narnia"}, headers=h), "location", "Copenhagen")
    refused(client.get("/bookme/meetings", params={"status": "Nope"}, headers=employee), "status", "Booked, Cancelled")
    assert client.get("/bookme/meetings", params={"status": "booked"}, headers=employee).status_code == 200


def test_a_token_subject_that_cannot_be_stored_is_401(client, token, load_bank):
    load_bank(b.bank())
    for subject in ("c" * 201, "c\u0000d", "two\nlines"):
        response = client.get("/bookme/meetings", headers=token(subject=subject))
        assert response.status_code == 401 and response.json()["code"] == "UNAUTHORIZED", response.text
    assert client.get("/bookme/meetings", headers=token(subject="c" * 200)).status_code == 200


def test_an_unknown_search_parameter_is_named_with_the_nearest_known_one(client, token, load_bank):
    load_bank(b.bank())
    answer = client.get(
        "/bookme/time-slots/available",
        params={"requireEmployeeParticipation": "false", "topicId": b.T_HOUSING, "lookForwardTime": "1.00:00:00"},
        headers=token(),
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "BAD_REQUEST" and "unknown query parameter(s): topicId" in body["message"]
    assert body["errors"] == [{"field": "topicId", "message": "unknown parameter; did you mean topic?"}]
    # Every documented parameter is known (the seed's and the published ones).
    known = client.get(
        "/bookme/time-slots/available",
        params={"requireEmployeeParticipation": "false", "topic": b.T_HOUSING, "employeeTypes": "Local", "getBestTimeSlots": "true",
                "isCustomerInitiated": "true", "ignoreMinimumTimeBeforeBooking": "false", "lookForwardTime": "1.00:00:00"},
        headers=token("employee"),
    )
    assert known.status_code == 200, known.text
