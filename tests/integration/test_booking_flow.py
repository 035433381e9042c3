"""The seed's whole customer flow, as an integrator who read only the seed would run it."""

from __future__ import annotations

import uuid

from icalendar import Calendar

from tests import bankdata as b
from tests.integration.helpers import book, refused, reserve, search


def test_configuration_reads(client, token, load_bank):
    load_bank(b.bank())
    h = token()
    topics = client.get("/bookme/meeting-topics", params={"isCustomer": "true"}, headers=h)
    assert topics.status_code == 200
    names = [t["name"] for t in topics.json()]
    assert "Internal review" not in names and "Housing" in names and "Buying a home" in names
    purchase = next(t for t in topics.json() if t["id"] == b.T_PURCHASE)
    assert purchase["parentId"] == b.T_HOUSING and purchase["uniqueTopicId"] == "housing-purchase"

    for_employees = client.get("/bookme/meeting-topics", params={"isCustomer": "false"}, headers=h).json()
    assert "Internal review" in [t["name"] for t in for_employees]

    private_only = client.get("/bookme/meeting-topics", params={"isCustomer": "true", "customerCategoryId": b.CT_PRIVATE}, headers=h).json()
    assert "Business credit" not in [t["name"] for t in private_only]
    business = client.get("/bookme/meeting-topics", params={"isCustomer": "true", "customerTypeId": b.CT_BUSINESS}, headers=h).json()
    assert "Business credit" in [t["name"] for t in business]

    assert client.get(f"/bookme/meeting-topics/{b.T_HOUSING}", headers=h).json()["name"] == "Housing"
    assert {c["name"] for c in client.get("/config/customer-types", headers=h).json()} == {"Private", "Business"}
    assert client.get(f"/config/customer-types/{b.CT_PRIVATE}", headers=h).json()["name"] == "Private"
    employees = client.get("/config/employees", headers=h).json()
    anna = next(e for e in employees if e["id"] == b.ANNA)
    assert anna["email"] == "anna@bank.test" and anna["initials"] == "AA" and anna["firstName"] == "Anna"
    assert client.get(f"/config/employees/{b.BO}", headers=h).json()["location"] == "Aarhus"
    rooms = client.get("/config/rooms", headers=h).json()
    assert {r["name"] for r in rooms} == {"Room 1", "Room 2"}
    assert all(set(r) >= {"id", "location", "email", "name", "canBeBooked"} for r in rooms)
    assert client.get(f"/config/rooms/{b.ROOM_1}", headers=h).json()["canBeBooked"] is True


def test_unknown_ids_are_404_with_the_error_body(client, token, load_bank):
    load_bank(b.bank())
    h = token()
    for path, kind in (("/bookme/meeting-topics/", "topic"), ("/config/customer-types/", "customer type"),
                       ("/config/employees/", "employee"), ("/config/rooms/", "room"), ("/bookme/meetings/", "meeting"),
                       ("/bookme/time-slots/", "time slot")):
        ident = str(uuid.uuid4())
        refused(client.get(path + ident, headers=h), 404, f"{kind} '{ident}' was not found")
    ident = str(uuid.uuid4())
    missing = client.get("/bookme/meeting-topics", params={"isCustomer": "true", "customerTypeId": ident}, headers=h)
    refused(missing, 404, f"customer type '{ident}' was not found")


def test_example_1_any_advisor_for_the_next_seven_days(client, token, load_bank):
    load_bank(b.bank())
    slots = search(
        client, token(),
        requireEmployeeParticipation="true", lookForwardTime="7.00:00:00", topic=b.T_HOUSING,
        customerTypeId=b.CT_PRIVATE, meetingTypes="physical", customerLocation="Copenhagen",
    )
    assert slots, "Anna works in Copenhagen every weekday morning"
    assert {s["employeeId"] for s in slots} == {b.ANNA}
    assert {s["meetingType"] for s in slots} == {"Physical"}
    first = slots[0]
    # Monday 1 June 2026: 09:00 local is 07:00Z; a one-hour meeting.
    assert first["startDate"] == "2026-06-01T07:00:00.000Z" and first["endDate"] == "2026-06-01T08:00:00.000Z"
    assert first["meetingTopicId"] == b.T_HOUSING and first["roomId"] is None
    monday = [s for s in slots if s["startDate"].startswith("2026-06-01")]
    assert [s["startDate"][11:16] for s in monday] == ["07:00", "07:30", "08:00", "08:30", "09:00"]
    assert len({s["startDate"][:10] for s in slots}) == 5  # Monday to Friday


def test_example_2_this_advisor_else_a_colleague(client, token, load_bank):
    load_bank(b.bank())
    response = client.get(
        "/bookme/time-slots/available?requireEmployeeParticipation=true&explicitEmployeeIds=" + b.CARL
        + "&employeeTypes=Explicit&employeeTypes=Local&employeeTypes=ServiceGroup&lookForwardTime=14.00:00:00&topic=" + b.T_HOUSING,
        headers=token(),
    )
    assert response.status_code == 200
    slots = response.json()
    # Carl (explicit) wins every start he can take; colleagues fill in with the rest (Online).
    physical = {s["employeeId"] for s in slots if s["meetingType"] == "Physical"}
    assert physical == {b.CARL}
    online = {s["employeeId"] for s in slots if s["meetingType"] == "Online"}
    assert online and online <= {b.ANNA, b.BO}
    starts = [(s["startDate"], s["meetingType"]) for s in slots]
    assert len(starts) == len(set(starts)), "best-slot selection gives one slot per start and type"


def test_example_3_online_no_room_thirty_days(client, token, load_bank):
    load_bank(b.bank())
    slots = search(client, token(), requireEmployeeParticipation="true", meetingTypes="online", requireRoom="false", lookForwardTime="30.00:00:00")
    assert slots and {s["meetingType"] for s in slots} == {"Online"}
    assert all(s["roomId"] is None for s in slots)
    assert slots[-1]["startDate"] < "2026-07-01T06:00:00.000Z"


def test_hold_change_of_mind_meeting_and_ics(client, token, load_bank):
    load_bank(b.bank())
    customer = token("customer", subject="customer-67890")
    slots = search(client, customer, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")
    session_token = str(uuid.uuid4())

    first = reserve(client, customer, slots[0], session_token)
    assert first.status_code == 200, first.text
    hold = first.json()
    assert hold["status"] == "Reserved" and hold["employeeId"] == b.ANNA
    assert hold["expiresAt"] == "2026-06-01T06:05:00.000Z"
    assert client.get(f"/bookme/time-slots/{hold['id']}", headers=customer).json()["status"] == "Reserved"

    # Another customer no longer sees the held start.
    other = token("customer")
    seen = {s["startDate"] for s in search(client, other, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")}
    assert slots[0]["startDate"] not in seen

    # Change of mind with the same token: the first slot is free again at once.
    later = next(s for s in slots if s["startDate"].startswith("2026-06-02"))
    second = reserve(client, customer, later, session_token)
    assert second.status_code == 200
    seen = {s["startDate"] for s in search(client, other, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")}
    assert slots[0]["startDate"] in seen and later["startDate"] not in seen
    refused(client.get(f"/bookme/time-slots/{hold['id']}", headers=customer), 404, f"time slot '{hold['id']}' was not found")

    created = book(client, customer, second.json(), b.T_HOUSING, customerCategoryId=b.CT_PRIVATE, customerId="customer-67890")
    assert created.status_code == 201, created.text
    meeting = created.json()
    assert meeting["startDate"] == later["startDate"] and meeting["endDate"] == later["endDate"]
    assert meeting["topicId"] == meeting["themeId"] == b.T_HOUSING
    assert meeting["customerTypeId"] == meeting["customerCategoryId"] == b.CT_PRIVATE
    assert meeting["type"] == "Physical" and meeting["bookedBy"] == "customer" and meeting["status"] == "Booked"
    assert meeting["customerId"] == "customer-67890" and meeting["timeSlotId"] == second.json()["id"]

    assert client.get(f"/bookme/meetings/{meeting['id']}", headers=customer).json()["id"] == meeting["id"]
    assert client.get(f"/bookme/time-slots/{meeting['timeSlotId']}", headers=customer).json()["status"] == "Booked"
    listed = client.get("/bookme/meetings", params={"employeeId": b.ANNA}, headers=customer).json()
    assert [m["id"] for m in listed] == [meeting["id"]]

    ics = client.post(f"/bookme/meetings/{meeting['id']}/ical", json={}, headers={**customer, "Accept": "text/calendar"})
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Meeting with Anna Andersen"
    assert event.decoded("DTSTART").isoformat() == "2026-06-02T07:00:00+00:00"
    assert "Copenhagen City" in str(event["LOCATION"])
    assert str(event["ORGANIZER"]) == "mailto:anna@bank.test"
    again = Calendar.from_ical(client.post(f"/bookme/meetings/{meeting['id']}/ical", headers=customer).content).walk("VEVENT")[0]
    assert str(again["UID"]) == str(event["UID"])
    custom = client.post(f"/bookme/meetings/{meeting['id']}/ical", json={"title": "Bolig", "description": "Ta' lønsedler med", "location": "Kantinen"}, headers=customer)
    custom_event = Calendar.from_ical(custom.content).walk("VEVENT")[0]
    assert (str(custom_event["SUMMARY"]), str(custom_event["DESCRIPTION"]), str(custom_event["LOCATION"])) == ("Bolig", "Ta' lønsedler med", "Kantinen")

    # The booked time stays taken.
    seen = {s["startDate"] for s in search(client, other, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")}
    assert later["startDate"] not in seen
