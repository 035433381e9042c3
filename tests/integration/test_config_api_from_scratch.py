"""A bank built from nothing through the configuration API alone, then searched and booked."""

from __future__ import annotations

from tests.integration.helpers import book, reserve, search
from tests.integration.test_config_api import expect


def test_build_a_bank_from_nothing_then_book(client, token):
    admin = token("admin")

    def post(path, body):
        return expect(client.post(path, json=body, headers=admin), 201)

    expect(client.put("/bookme/config/organization-settings", json={
        "timeZone": "Europe/Copenhagen", "openingTime": "08:00", "closingTime": "17:00", "bufferBetweenMeetings": "00:15:00",
    }, headers=admin), 200)
    post("/bookme/config/locations", {"location": "Odense", "displayName": "Odense C", "requireAvailableRoom": True})
    room = post("/config/rooms", {"name": "H.C. Andersen", "location": "Odense", "email": "hca@bank.test", "capacity": 4})
    private = post("/config/customer-types", {"name": "Private"})
    pension = post("/bookme/meeting-topics", {"name": "Pension", "uniqueTopicId": "pension", "meetingDuration": "00:45:00",
                                              "meetingTypes": ["Physical", "Online"], "customerTypeIds": [private["id"]]})
    eva = post("/config/employees", {"firstName": "Eva", "lastName": "Eriksen", "email": "eva@bank.test", "initials": "EE",
                                     "location": "Odense", "skills": {"topicIds": [pension["id"]]}})
    expect(client.put(f"/bookme/config/employee-schedules/{eva['id']}", json={"workdays": [
        {"dayOfWeek": day, "from": "09:00", "to": "12:00", "location": "Odense", "availableMeetingTypes": ["Physical", "Online"]}
        for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")]}, headers=admin), 201)
    post("/bookme/config/competence-groups", {"name": "Pension", "employeeIds": [eva["id"]], "topicIds": [pension["id"]]})
    expect(client.put("/bookme/config/priority-rules", json=[{"type": "Local"}, {"type": "Explicit"}, {"type": "ServiceGroup"}],
                      headers=admin), 200)

    customer = token("customer", subject="customer-42")
    topics = client.get("/bookme/meeting-topics", params={"isCustomer": "true", "customerTypeId": private["id"]}, headers=customer).json()
    assert [t["id"] for t in topics] == [pension["id"]]
    options = expect(client.get("/bookme/config/allowed-options",
                                params={"topicId": pension["id"], "customerTypeId": private["id"], "location": "Odense"}, headers=customer), 200)
    assert options == {"meetingTypes": ["Physical", "Online"], "employeeTypes": ["Explicit", "Local"]}

    slots = search(client, customer, topic=pension["id"], customerTypeId=private["id"], meetingTypes="physical", customerLocation="Odense")
    first = slots[0]
    # Monday 1 June, 09:00 local (07:00Z), 45 minutes, in the only room.
    assert (first["startDate"], first["endDate"]) == ("2026-06-01T07:00:00.000Z", "2026-06-01T07:45:00.000Z")
    assert first["employeeId"] == eva["id"] and first["roomId"] == room["id"] and first["meetingTopicId"] == pension["id"]

    hold = expect(reserve(client, customer, first), 200)
    meeting = expect(book(client, customer, hold, pension["id"], customerTypeId=private["id"], customerId="customer-42"), 201)
    assert meeting["employeeId"] == eva["id"] and meeting["roomId"] == room["id"] and meeting["status"] == "Booked"
    later = search(client, customer, topic=pension["id"], customerTypeId=private["id"], meetingTypes="physical", customerLocation="Odense")
    # The meeting and its 15-minute buffer are taken: the next start is 10:00 local.
    assert later[0]["startDate"] == "2026-06-01T08:00:00.000Z"

    # What the bank is now made of, refusing to lose anything booked.
    expect(client.delete(f"/config/employees/{eva['id']}", headers=admin), 409, "CONFLICT", "1 upcoming meeting")
    expect(client.delete(f"/bookme/meeting-topics/{pension['id']}", headers=admin), 409, "CONFLICT", "1 upcoming meeting")
