"""Competence groups (a tree at most five levels deep) and service groups over HTTP."""

from __future__ import annotations

import uuid

from tests import bankdata as b
from tests.integration.helpers import search
from tests.integration.test_config_api import expect

CG = "/bookme/config/competence-groups"
SG = "/bookme/config/service-groups"


def test_competence_group_tree(client, token, load_bank):
    load_bank(b.bank())
    h = token("admin")
    chain: list[str] = []
    for level in range(5):
        parent = {"parentGroupId": chain[-1]} if chain else {}
        chain.append(expect(client.post(CG, json={"name": f"Level {level + 1}", **parent}, headers=h), 201)["id"])
    body = expect(client.post(CG, json={"name": "Level 6", "parentGroupId": chain[-1]}, headers=h), 400, "BAD_REQUEST", "5 levels")
    assert body["errors"][0]["field"] == "parentGroupId"

    loop = [{"op": "replace", "path": "/parentGroupId", "value": chain[2]}]
    expect(client.patch(f"{CG}/{chain[0]}", json=loop, headers=h), 400, "BAD_REQUEST", "cycle")
    expect(client.patch(f"{CG}/{chain[1]}", json=[{"op": "replace", "path": "/parentGroupId", "value": chain[1]}], headers=h),
           400, "BAD_REQUEST", "cycle")
    expect(client.post(CG, json={"name": "Orphan", "parentGroupId": str(uuid.uuid4())}, headers=h), 404, "NOT_FOUND", "competence group")

    # Moving a two-level branch under level 4 would make a sixth level.
    top = expect(client.post(CG, json={"name": "Branch"}, headers=h), 201)["id"]
    expect(client.post(CG, json={"name": "Leaf", "parentGroupId": top}, headers=h), 201)
    expect(client.patch(f"{CG}/{top}", json=[{"op": "replace", "path": "/parentGroupId", "value": chain[3]}], headers=h),
           400, "BAD_REQUEST", "5 levels")
    moved = expect(client.patch(f"{CG}/{top}", json=[{"op": "replace", "path": "/parentGroupId", "value": chain[2]}], headers=h), 200)
    assert moved["parentGroupId"] == chain[2]

    body = expect(client.delete(f"{CG}/{chain[2]}", headers=h), 409, "CONFLICT", "2 sub-groups")
    assert body["message"].startswith("competence group 'Level 3' is used by 2 sub-groups")
    assert client.delete(f"{CG}/{chain[4]}", headers=h).status_code == 204


def test_competence_group_members(client, token, load_bank):
    load_bank(b.bank(competenceGroups=[
        {"id": b.ident("top"), "name": "Housing", "topicIds": [b.T_HOUSING]},
        {"id": b.ident("sub"), "name": "Housing Aarhus", "parentGroupId": b.ident("top"), "employeeIds": [b.BO]},
    ]))
    h, e = token("admin"), token("employee")
    url = f"{CG}/{b.ident('top')}/employees"
    added = client.post(f"{url}/{b.ANNA}", headers=h)
    assert expect(added, 201)["employeeIds"] == [b.ANNA]
    assert added.headers["location"] == f"{url}/{b.ANNA}"
    expect(client.post(f"{url}/{b.ANNA}", headers=h), 409, "CONFLICT", "already")
    expect(client.post(f"{url}/{uuid.uuid4()}", headers=h), 404, "NOT_FOUND", "employee")
    expect(client.post(f"{CG}/{uuid.uuid4()}/employees/{b.ANNA}", headers=h), 404, "NOT_FOUND", "competence group")

    assert [x["id"] for x in expect(client.get(url, headers=e), 200)] == [b.ANNA]
    assert [x["id"] for x in client.get(url, params={"includeSubGroups": "true"}, headers=e).json()] == [b.ANNA, b.BO]

    # Membership counts in the slot search at once. Bo is qualified for Housing through the
    # sub-group; Anna, once she belongs only to a group for another topic, no longer is.
    assert client.delete(f"{url}/{b.ANNA}", headers=h).status_code == 204
    expect(client.delete(f"{url}/{b.ANNA}", headers=h), 404, "NOT_FOUND", "not a direct member")
    expect(client.post(CG, json={"name": "Business", "topicIds": [b.T_BUSINESS], "employeeIds": [b.ANNA]}, headers=h), 201)
    slots = search(client, token(), topic=b.T_HOUSING, meetingTypes="online")
    assert {s["employeeId"] for s in slots} == {b.BO}


def test_service_group_advisors_trigger_and_level(client, token, load_bank):
    load_bank(b.bank(competenceGroups=[
        {"id": b.ident("top"), "name": "Advice", "employeeIds": [b.ANNA]},
        {"id": b.ident("sub"), "name": "Advice North", "parentGroupId": b.ident("top"), "employeeIds": [b.CARL]},
    ]))
    h, e = token("admin"), token("employee")
    group = expect(client.post(SG, json={"name": "Remote desk", "competenceGroupIds": [b.ident("top")]}, headers=h), 201)
    url = f"{SG}/{group['id']}"
    assert expect(client.get(url, headers=e), 200)["serviceLevel"] == {"meetingTypes": [], "locations": []}

    advisors = expect(client.get(f"{url}/advisors", headers=e), 200)
    assert [a["id"] for a in advisors] == [b.ANNA, b.CARL]  # via the group and its sub-group, sorted by name
    replaced = expect(client.put(f"{url}/advisors", json={"employeeIds": [b.BO]}, headers=h), 200)
    assert [a["id"] for a in replaced] == [b.ANNA, b.BO, b.CARL]
    assert expect(client.get(url, headers=e), 200)["employeeIds"] == [b.BO]
    expect(client.put(f"{url}/advisors", json={"employeeIds": [str(uuid.uuid4())]}, headers=h), 404, "NOT_FOUND", "employee")
    expect(client.put(f"{url}/advisors", json={"employeeIds": ["bo"]}, headers=h), 400, "BAD_REQUEST")

    added = client.post(f"{url}/employees/{b.CARL}", headers=h)
    assert expect(added, 201)["employeeIds"] == [b.BO, b.CARL]
    expect(client.post(f"{url}/employees/{b.CARL}", headers=h), 409, "CONFLICT")
    assert client.delete(f"{url}/employees/{b.CARL}", headers=h).status_code == 204
    expect(client.delete(f"{url}/employees/{b.CARL}", headers=h), 404, "NOT_FOUND", f"employee '{b.CARL}' is not a direct member")

    # No service level yet: the group offers nothing. With Online at its level it serves remote customers.
    def desk():
        return {s["employeeId"] for s in search(client, token(), topic=b.T_INTERNAL, meetingTypes="online",
                                                 customerLocation="Odense", employeeTypes="ServiceGroup")}

    trigger = {"topicIds": [b.T_INTERNAL], "customerTypeIds": [], "customerLocations": ["Odense"]}
    assert expect(client.put(f"{url}/service-trigger", json=trigger, headers=h), 200) == trigger
    assert expect(client.get(f"{url}/service-trigger", headers=e), 200) == trigger
    assert desk() == set()  # Odense is a customer location the bank knows now (an unknown one is a 400)
    level = {"meetingTypes": ["online"], "locations": ["Copenhagen"]}
    assert expect(client.put(f"{url}/service-level", json=level, headers=h), 200) == {"meetingTypes": ["Online"], "locations": ["Copenhagen"]}
    assert expect(client.get(f"{url}/service-level", headers=e), 200)["meetingTypes"] == ["Online"]
    assert desk() == {b.ANNA, b.BO}  # Carl is only explicitly available

    expect(client.put(f"{url}/service-trigger", json={"topicIds": [str(uuid.uuid4())]}, headers=h), 404, "NOT_FOUND", "topic")
    expect(client.put(f"{url}/service-level", json={"locations": ["Atlantis"]}, headers=h), 404, "NOT_FOUND", "Atlantis")
    expect(client.put(f"{url}/service-level", json={"meetingTypes": ["Fax"]}, headers=h), 400, "BAD_REQUEST")
    for part in ("advisors", "service-trigger", "service-level"):
        expect(client.get(f"{SG}/{uuid.uuid4()}/{part}", headers=e), 404, "NOT_FOUND", "service group")

    # A competence group linked from a service group stays until the link goes.
    body = expect(client.delete(f"{CG}/{b.ident('top')}", headers=h), 409, "CONFLICT")
    assert body["message"].startswith("competence group 'Advice' is used by 1 sub-group and 1 service group")
    assert client.delete(url, headers=h).status_code == 204
    assert client.delete(f"{CG}/{b.ident('sub')}", headers=h).status_code == 204
    assert client.delete(f"{CG}/{b.ident('top')}", headers=h).status_code == 204
