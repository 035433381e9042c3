"""The configuration API over HTTP: create, read, patch and delete every entity, and each refusal.

The bank is tests/bankdata's: Anna (Copenhagen), Bo (Aarhus), Carl (explicit only), topics Housing >
Buying a home, Internal review, Business credit (business customers only), rooms 1 and 2 in Copenhagen.
"""

from __future__ import annotations

import uuid

import pytest

from tests import bankdata as b
from tests.integration.helpers import book, reserve, search


def expect(response, status: int, code: str | None = None, *words: str):
    """The status, and for errors the design's body with every word in its message. A 404 must
    name what it looked up, so a missing route's 404 ("no such endpoint") cannot pass for it."""
    assert response.status_code == status, response.text
    if status >= 400:
        body = response.json()
        assert body["code"] == code and body["message"], body
        assert status != 404 or words, "say what the 404 looked up: words of its message"
        for word in words:
            assert word in body["message"], body["message"]
        return body
    return response.json() if response.content else None


def book_anna(client, token, topic=b.T_HOUSING, start="2026-06-02T07:00:00.000Z", **extra) -> dict:
    """A booked one-hour Physical meeting with Anna, Tuesday 2 June 09:00 local unless told otherwise."""
    h = token("customer", subject="customer-1")
    slots = search(client, h, explicitEmployeeIds=b.ANNA, topic=topic, meetingTypes="physical")
    slot = next(s for s in slots if s["startDate"] == start)
    hold = expect(reserve(client, h, slot), 200)
    return expect(book(client, h, hold, topic, **extra), 201)


# path, a valid new object, a field to patch and its new value, a patch that leaves the object invalid, read scope
ENTITIES = [
    ("/config/customer-types", {"name": "Pension"}, "name", "Pension & savings",
     [{"op": "replace", "path": "/name", "value": ""}], "customer"),
    ("/bookme/meeting-topics",
     {"name": "Savings", "uniqueTopicId": "savings", "meetingDuration": "00:45:00", "meetingTypes": ["online", "Telephone"]},
     "order", 7, [{"op": "add", "path": "/meetingTypes/-", "value": "Carrier pigeon"}], "customer"),
    ("/config/rooms", {"name": "Room 3", "location": "Aarhus", "email": "room3@bank.test", "capacity": 4},
     "capacity", 8, [{"op": "replace", "path": "/capacity", "value": -1}], "customer"),
    ("/bookme/config/locations", {"location": "Odense", "displayName": "Odense C", "requireAvailableRoom": True},
     "displayName", "Odense Centrum", [{"op": "remove", "path": "/location"}], "customer"),
    ("/config/employees",
     {"firstName": "Dora", "lastName": "Dahl", "email": "dora@bank.test", "initials": "DD", "location": "Aarhus",
      "skills": {"topicIds": [b.T_HOUSING], "customerTypeIds": []}},
     "displayName", "Dora D.", [{"op": "replace", "path": "/email", "value": "not an e-mail"}], "customer"),
    ("/bookme/config/competence-groups",
     {"name": "Housing team", "employeeIds": [b.ANNA], "topicIds": [b.T_HOUSING], "labels": ["north"]},
     "labels", ["south"], [{"op": "replace", "path": "/topicIds/0", "value": "not-a-uuid"}], "employee"),
    ("/bookme/config/service-groups",
     {"name": "Online team", "employeeIds": [b.BO], "maxMeetingTimePerDay": "03:00:00",
      "serviceTrigger": {"topicIds": [b.T_HOUSING]}, "serviceLevel": {"meetingTypes": ["Online"]}},
     "maxMeetingTimePerDay", "04:00:00", [{"op": "replace", "path": "/serviceLevel/meetingTypes", "value": ["Fax"]}], "employee"),
]


@pytest.mark.parametrize("path,new,field,value,breaking,scope", ENTITIES, ids=[e[0].rsplit("/", 1)[1] for e in ENTITIES])
def test_create_read_patch_delete(client, token, load_bank, path, new, field, value, breaking, scope):
    load_bank(b.bank())
    admin, reader = token("admin"), token(scope)

    created = client.post(path, json=new, headers=admin)
    body = expect(created, 201)
    assert str(uuid.UUID(body["id"])) == body["id"]
    assert created.headers["location"] == f"{path}/{body['id']}"
    for key in set(new) - {"meetingTypes", "skills", "serviceTrigger", "serviceLevel"}:
        assert body[key] == new[key], key
    assert expect(client.get(created.headers["location"], headers=reader), 200) == body

    # A client-chosen id is kept; the same id again is a conflict.
    chosen = str(uuid.uuid4())
    again = {**new, "id": chosen}
    for key in ("name", "uniqueTopicId", "email") + (("location",) if path.endswith("/locations") else ()):
        if key in again:
            again[key] = "second." + again[key]
    assert expect(client.post(path, json=again, headers=admin), 201)["id"] == chosen
    expect(client.post(path, json=again, headers=admin), 409, "CONFLICT", chosen)
    expect(client.post(path, json={**again, "id": "not-a-uuid"}, headers=admin), 400, "BAD_REQUEST")
    expect(client.post(path, json={}, headers=admin), 400, "BAD_REQUEST")

    url = created.headers["location"]
    patched = expect(client.patch(url, json=[{"op": "replace", "path": f"/{field}", "value": value}], headers=admin), 200)
    assert patched[field] == value
    assert expect(client.get(url, headers=reader), 200)[field] == value
    # The published single-operation form is read as a one-operation patch.
    expect(client.patch(url, json={"op": "test", "path": f"/{field}", "value": value}, headers=admin), 200)

    refused = expect(client.patch(url, json=breaking, headers=admin), 400, "BAD_REQUEST")
    assert refused["errors"]
    for malformed in ({"name": "x"}, [{"path": "/name"}], [{"op": "frobnicate", "path": "/name"}], "text",
                      [{"op": "replace", "path": "/no/such/place", "value": 1}],
                      [{"op": "test", "path": f"/{field}", "value": "something else"}],
                      [{"op": "replace", "path": "/id", "value": str(uuid.uuid4())}]):
        expect(client.patch(url, json=malformed, headers=admin), 400, "BAD_REQUEST")
    broken_json = client.patch(url, content="[{not json", headers={**admin, "Content-Type": "application/json"})
    expect(broken_json, 400, "BAD_REQUEST")
    assert expect(client.get(url, headers=reader), 200) == patched, "a refused patch changes nothing"

    ghost = str(uuid.uuid4())
    missing = f"{path}/{ghost}"
    expect(client.patch(missing, json=[{"op": "replace", "path": f"/{field}", "value": value}], headers=admin),
           404, "NOT_FOUND", f"'{ghost}' was not found")
    expect(client.delete(missing, headers=admin), 404, "NOT_FOUND", f"'{ghost}' was not found")

    assert client.delete(url, headers=admin).status_code == 204
    expect(client.get(url, headers=reader), 404, "NOT_FOUND", f"'{body['id']}' was not found")
    expect(client.delete(url, headers=admin), 404, "NOT_FOUND", f"'{body['id']}' was not found")


def test_idempotency_key_makes_a_retried_create_return_the_first_answer(client, token, load_bank):
    load_bank(b.bank())
    h = {**token("admin", subject="admin-1"), "Idempotency-Key": "create-pension-1"}
    first = expect(client.post("/config/customer-types", json={"name": "Pension"}, headers=h), 201)
    retry = client.post("/config/customer-types", json={"name": "Pension"}, headers=h)
    assert retry.status_code == 201 and retry.json() == first and retry.headers["idempotent-replayed"] == "true"
    expect(client.post("/config/customer-types", json={"name": "Other"}, headers=h), 409, "CONFLICT", "Idempotency-Key")
    names = [c["name"] for c in client.get("/config/customer-types", headers=h).json()]
    assert names.count("Pension") == 1


def test_put_creates_or_replaces_an_employee(client, token, load_bank):
    load_bank(b.bank())
    h = token("admin")
    ident = str(uuid.uuid4())
    dora = {"firstName": "Dora", "email": "dora@bank.test", "initials": "DD", "location": "Aarhus"}
    created = client.put(f"/config/employees/{ident}", json=dora, headers=h)
    assert expect(created, 201)["id"] == ident and created.headers["location"] == f"/config/employees/{ident}"
    replaced = expect(client.put(f"/config/employees/{ident}", json={**dora, "id": ident, "initials": "DO"}, headers=h), 200)
    assert replaced["initials"] == "DO" and replaced["firstName"] == "Dora"
    expect(client.put(f"/config/employees/{ident}", json={**dora, "id": b.ANNA}, headers=h), 400, "BAD_REQUEST", "path")
    expect(client.put("/config/employees/dora", json=dora, headers=h), 400, "BAD_REQUEST", "UUID")
    expect(client.put(f"/config/employees/{ident}", json={**dora, "email": "anna@bank.test"}, headers=h), 409, "CONFLICT")
    expect(client.put(f"/config/employees/{ident}", json={"email": "dora@bank.test"}, headers=h), 400, "BAD_REQUEST", "initials")


def test_duplicates_are_409_with_a_clear_message(client, token, load_bank):
    load_bank(b.bank())
    h = token("admin")
    expect(client.post("/bookme/meeting-topics", json={"name": "Housing 2", "uniqueTopicId": "housing"}, headers=h),
           409, "CONFLICT", "uniqueTopicId 'housing'")
    expect(client.patch(f"/bookme/meeting-topics/{b.T_INTERNAL}", json=[{"op": "replace", "path": "/uniqueTopicId", "value": "housing"}],
                        headers=h), 409, "CONFLICT", "housing")
    expect(client.post("/bookme/config/locations", json={"location": "copenhagen"}, headers=h), 409, "CONFLICT", "copenhagen")
    expect(client.post("/config/customer-types", json={"name": "PRIVATE"}, headers=h), 409, "CONFLICT", "PRIVATE")
    expect(client.post("/config/employees", json={"email": "Anna@bank.test", "initials": "A2"}, headers=h), 409, "CONFLICT", "e-mail")
    expect(client.post("/config/rooms", json={"name": "Room 1", "location": "Copenhagen"}, headers=h), 409, "CONFLICT", "Room 1")
    # The same room name at another branch is fine, and so is patching a field other than the key.
    expect(client.post("/config/rooms", json={"name": "Room 1", "location": "Aarhus"}, headers=h), 201)
    expect(client.patch(f"/bookme/meeting-topics/{b.T_HOUSING}", json=[{"op": "replace", "path": "/name", "value": "Home"}], headers=h), 200)


def test_references_must_exist(client, token, load_bank):
    load_bank(b.bank())
    h = token("admin")
    ghost = str(uuid.uuid4())
    body = expect(client.post("/bookme/meeting-topics", json={"name": "X", "parentId": ghost}, headers=h), 404, "NOT_FOUND", ghost)
    assert body["errors"][0]["field"] == "parentId"
    expect(client.post("/bookme/meeting-topics", json={"name": "X", "customerTypeIds": [ghost]}, headers=h), 404, "NOT_FOUND", "customer type")
    expect(client.post("/config/employees", json={"email": "x@bank.test", "initials": "X", "skills": {"topicIds": [ghost]}}, headers=h),
           404, "NOT_FOUND", "topic")
    body = expect(client.post("/config/rooms", json={"name": "R", "location": "aarhus"}, headers=h), 404, "NOT_FOUND", "did you mean 'Aarhus'")
    assert body["errors"] == [{"field": "location", "message": "no location named 'aarhus' (did you mean 'Aarhus'?)"}]
    expect(client.patch(f"/config/employees/{b.BO}", json=[{"op": "replace", "path": "/location", "value": "Mars"}], headers=h),
           404, "NOT_FOUND", "Mars")
    expect(client.post("/bookme/meeting-topics", json={"name": "Zero", "meetingDuration": "00:00:00"}, headers=h),
           400, "BAD_REQUEST", "meetingDuration")
    expect(client.post("/bookme/meeting-topics", json={"name": "Bad", "meetingDuration": "an hour"}, headers=h), 400, "BAD_REQUEST")


def test_topic_parents_cannot_form_a_cycle(client, token, load_bank):
    load_bank(b.bank())
    h = token("admin")
    loop = [{"op": "replace", "path": "/parentId", "value": b.T_PURCHASE}]
    body = expect(client.patch(f"/bookme/meeting-topics/{b.T_HOUSING}", json=loop, headers=h), 400, "BAD_REQUEST", "cycle")
    assert body["errors"][0]["field"] == "parentId"
    itself = [{"op": "replace", "path": "/parentId", "value": b.T_HOUSING}]
    expect(client.patch(f"/bookme/meeting-topics/{b.T_HOUSING}", json=itself, headers=h), 400, "BAD_REQUEST", "cycle")
    child = expect(client.post("/bookme/meeting-topics", json={"name": "Renovation", "parentId": b.T_PURCHASE}, headers=h), 201)
    assert child["uniqueTopicId"] == "Renovation" and child["parentId"] == b.T_PURCHASE
    moved = [{"op": "replace", "path": "/parentId", "value": b.T_INTERNAL}]
    assert expect(client.patch(f"/bookme/meeting-topics/{child['id']}", json=moved, headers=h), 200)["parentId"] == b.T_INTERNAL


def test_deleting_a_topic_in_use_says_what_uses_it(client, clock, token, load_bank):
    load_bank(b.bank(competenceGroups=[{"name": "Housing", "topicIds": [b.T_HOUSING]}]))
    h = token("admin")
    meeting = book_anna(client, token)
    expect(client.patch(f"/config/employees/{b.BO}", json=[{"op": "add", "path": "/skills/topicIds/-", "value": b.T_HOUSING}], headers=h), 200)
    body = expect(client.delete(f"/bookme/meeting-topics/{b.T_HOUSING}", headers=h), 409, "CONFLICT")
    assert body["message"].startswith("topic 'Housing' is used by 1 upcoming meeting, 1 sub-topic, 1 employee's skills and 1 competence group")

    # Once the meeting is over and the other references are gone, the topic can go; the past
    # meeting stays on record without it.
    clock.advance(days=2)
    for url, patch in ((f"/bookme/meeting-topics/{b.T_PURCHASE}", [{"op": "remove", "path": "/parentId"}]),
                       (f"/config/employees/{b.BO}", [{"op": "replace", "path": "/skills/topicIds", "value": []}])):
        expect(client.patch(url, json=patch, headers=h), 200)
    group = client.get("/bookme/config/competence-groups", headers=h).json()[0]
    assert client.delete(f"/bookme/config/competence-groups/{group['id']}", headers=h).status_code == 204
    assert client.delete(f"/bookme/meeting-topics/{b.T_HOUSING}", headers=h).status_code == 204
    kept = expect(client.get(f"/bookme/meetings/{meeting['id']}", headers=token("employee")), 200)
    assert kept["status"] == "Booked" and kept["topicId"] is None


def test_a_cancelled_meeting_does_not_keep_a_room_or_customer_type(client, token, load_bank):
    load_bank(b.bank(locations=[{"location": "Copenhagen", "requireAvailableRoom": True}, {"location": "Aarhus"}]))
    h = token("admin")
    meeting = book_anna(client, token, customerTypeId=b.CT_PRIVATE)
    room = meeting["roomId"]
    assert room in (b.ROOM_1, b.ROOM_2)
    expect(client.delete(f"/config/rooms/{room}", headers=h), 409, "CONFLICT", "1 upcoming meeting")
    expect(client.delete(f"/config/customer-types/{b.CT_PRIVATE}", headers=h), 409, "CONFLICT", "1 upcoming meeting")
    expect(client.delete(f"/config/customer-types/{b.CT_BUSINESS}", headers=h), 409, "CONFLICT", "1 topic")
    assert client.delete(f"/bookme/meetings/{meeting['id']}", headers=token("employee")).status_code == 204
    assert client.delete(f"/config/rooms/{room}", headers=h).status_code == 204
    assert client.delete(f"/config/customer-types/{b.CT_PRIVATE}", headers=h).status_code == 204
    cancelled = client.get(f"/bookme/meetings/{meeting['id']}", headers=token("employee")).json()
    assert cancelled["roomId"] is None and cancelled["customerTypeId"] is None


def test_deleting_an_employee(client, token, load_bank):
    load_bank(b.bank(
        competenceGroups=[{"id": b.ident("cg"), "name": "Team", "employeeIds": [b.BO, b.CARL]}],
        serviceGroups=[{"id": b.ident("sg"), "name": "Online", "employeeIds": [b.BO]}],
    ))
    h = token("admin")
    book_anna(client, token)
    body = expect(client.delete(f"/config/employees/{b.ANNA}", headers=h), 409, "CONFLICT", "1 upcoming meeting", "canBeBooked")
    assert "employee 'anna@bank.test'" in body["message"]
    hold = reserve(client, token(), {"startDate": "2026-06-02T07:00:00Z", "endDate": "2026-06-02T08:00:00Z", "employeeId": b.BO})
    expect(hold, 200)
    expect(client.delete(f"/config/employees/{b.BO}", headers=h), 409, "CONFLICT", "1 active hold")

    # Carl has no meetings: he goes, with his schedule and his group memberships.
    assert client.delete(f"/config/employees/{b.CARL}", headers=h).status_code == 204
    e = token("employee")
    assert expect(client.get(f"/bookme/config/competence-groups/{b.ident('cg')}", headers=e), 200)["employeeIds"] == [b.BO]
    expect(client.get(f"/bookme/config/employee-schedules/{b.CARL}", headers=e), 404, "NOT_FOUND", f"employee '{b.CARL}' was not found")
    assert b.CARL not in [x["id"] for x in client.get("/config/employees", headers=e).json()]


def test_locations_in_use_and_renamed(client, token, load_bank):
    load_bank(b.bank(serviceGroups=[{"name": "Aarhus desk", "serviceLevel": {"meetingTypes": ["Physical"], "locations": ["Aarhus"]},
                                     "serviceTrigger": {"customerLocations": ["Aarhus"]}}]))
    h, e = token("admin"), token("employee")
    cph, aar = b.ident("loc-cph"), b.ident("loc-aar")
    body = expect(client.delete(f"/bookme/config/locations/{cph}", headers=h), 409, "CONFLICT")
    assert body["message"].startswith("location 'Copenhagen' is used by 2 rooms, 2 employee schedules and 2 employees' home locations")

    # A branch is named in rooms, schedules, employees and service groups: a rename follows everywhere.
    renamed = [{"op": "replace", "path": "/location", "value": "Aarhus C"}]
    assert expect(client.patch(f"/bookme/config/locations/{aar}", json=renamed, headers=h), 200)["location"] == "Aarhus C"
    assert client.get(f"/config/employees/{b.BO}", headers=e).json()["location"] == "Aarhus C"
    assert {w["location"] for w in client.get(f"/bookme/config/employee-schedules/{b.BO}", headers=e).json()["workdays"]} == {"Aarhus C"}
    group = client.get("/bookme/config/service-groups", headers=e).json()[0]
    assert group["serviceLevel"]["locations"] == ["Aarhus C"] and group["serviceTrigger"]["customerLocations"] == ["Aarhus C"]
    slots = search(client, token(), meetingTypes="online", customerLocation="Aarhus C", employeeTypes="Local")
    assert {s["employeeId"] for s in slots} == {b.BO}

    odense = expect(client.post("/bookme/config/locations", json={"location": "Odense"}, headers=h), 201)
    assert client.delete(f"/bookme/config/locations/{odense['id']}", headers=h).status_code == 204
