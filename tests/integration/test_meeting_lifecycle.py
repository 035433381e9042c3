"""After booking: details change, meetings move and are cancelled, rooms are looked up."""

from __future__ import annotations

import uuid

from icalendar import Calendar

from tests import bankdata as b
from tests.integration.helpers import book, refused, reserve, search


def _book_first(client, h, **search_params):
    params = {"topic": b.T_HOUSING, "meetingTypes": "physical", "customerLocation": "Copenhagen", **search_params}
    slot = search(client, h, **params)[0]
    hold = reserve(client, h, slot).json()
    created = book(client, h, hold, b.T_HOUSING)
    assert created.status_code == 201, created.text
    return created.json()


def _starts(client, h):
    return {s["startDate"] for s in search(client, h, requireEmployeeParticipation="false", explicitEmployeeIds=b.ANNA, meetingTypes="physical")}


def test_cancel_frees_the_advisor_and_keeps_the_meeting_readable(client, token, load_bank):
    load_bank(b.bank())
    h = token("customer", subject="c-1")
    meeting = _book_first(client, h)
    assert meeting["startDate"] not in _starts(client, token())
    stranger = token("customer", subject="someone-else")
    refused(client.delete(f"/bookme/meetings/{meeting['id']}", headers=stranger), 404, f"meeting '{meeting['id']}' was not found")
    assert client.delete(f"/bookme/meetings/{meeting['id']}", headers=h).status_code == 204
    assert meeting["startDate"] in _starts(client, token())
    cancelled = client.get(f"/bookme/meetings/{meeting['id']}", headers=h).json()
    assert cancelled["status"] == "Cancelled"
    assert client.delete(f"/bookme/meetings/{meeting['id']}", headers=h).status_code == 204
    ics = Calendar.from_ical(client.post(f"/bookme/meetings/{meeting['id']}/ical", headers=h).content).walk("VEVENT")[0]
    assert str(ics["STATUS"]) == "CANCELLED"
    assert client.patch(f"/bookme/meetings/{meeting['id']}", json=[{"op": "replace", "path": "/title", "value": "x"}], headers=h).status_code == 409


def test_moving_a_meeting_by_thirty_minutes(client, token, load_bank):
    load_bank(b.bank())
    h = token("customer", subject="c-2")
    meeting = _book_first(client, h)
    ics_before = Calendar.from_ical(client.post(f"/bookme/meetings/{meeting['id']}/ical", headers=h).content).walk("VEVENT")[0]

    # The meeting's own time does not block its move.
    moved_search = search(
        client, h, topic=b.T_HOUSING, meetingTypes="physical", requireEmployeeParticipation="false",
        explicitEmployeeIds=b.ANNA, ignoreMeetingIds=meeting["id"],
    )
    target = next(s for s in moved_search if s["startDate"] == "2026-06-01T07:30:00.000Z")
    hold = reserve(client, h, target, existingMeetingId=meeting["id"])
    assert hold.status_code == 200, hold.text

    moved = client.patch(f"/bookme/meetings/{meeting['id']}", json=[{"op": "replace", "path": "/timeSlotId", "value": hold.json()["id"]}], headers=h)
    assert moved.status_code == 200, moved.text
    assert moved.json()["startDate"] == "2026-06-01T07:30:00.000Z" and moved.json()["timeSlotId"] == hold.json()["id"]

    ics_after = Calendar.from_ical(client.post(f"/bookme/meetings/{meeting['id']}/ical", headers=h).content).walk("VEVENT")[0]
    assert str(ics_after["UID"]) == str(ics_before["UID"])
    assert int(ics_after["SEQUENCE"]) == int(ics_before["SEQUENCE"]) + 1

    starts = _starts(client, token())
    assert "2026-06-01T07:30:00.000Z" not in starts and "2026-06-01T08:00:00.000Z" not in starts
    # 07:00 overlaps the new 07:30–08:30 meeting, 09:00 is free again
    assert "2026-06-01T09:00:00.000Z" in starts


def test_a_move_hold_cannot_book_a_second_meeting_and_others_cannot_use_it(client, token, load_bank):
    load_bank(b.bank())
    h = token("customer", subject="c-3")
    meeting = _book_first(client, h)
    target = {"startDate": "2026-06-02T07:00:00.000Z", "endDate": "2026-06-02T08:00:00.000Z", "employeeId": b.ANNA}
    hold = reserve(client, h, target, existingMeetingId=meeting["id"]).json()
    assert book(client, h, hold, b.T_HOUSING).status_code == 409
    other = _book_first(client, h)
    wrong = client.put(f"/bookme/meetings/{other['id']}", json={"timeSlotId": hold["id"]}, headers=h)
    assert wrong.status_code == 409
    right = client.put(f"/bookme/meetings/{meeting['id']}", json={"timeSlotId": hold["id"]}, headers=h)
    assert right.status_code == 200 and right.json()["startDate"] == "2026-06-02T07:00:00.000Z"


def test_changing_details_with_put_and_json_patch(client, token, load_bank):
    load_bank(b.bank())
    h = token("customer", subject="c-4")
    meeting = _book_first(client, h)
    put = client.put(f"/bookme/meetings/{meeting['id']}", json={"title": "Bolig", "videoLink": "https://video.example/abc"}, headers=h)
    assert put.status_code == 200 and put.json()["title"] == "Bolig" and put.json()["videoLink"] == "https://video.example/abc"
    patch = client.patch(
        f"/bookme/meetings/{meeting['id']}",
        json=[{"op": "replace", "path": "/description", "value": "Bring payslips"}, {"op": "add", "path": "/additionalEmployees/-", "value": b.BO}],
        headers=h,
    )
    assert patch.status_code == 200
    assert patch.json()["description"] == "Bring payslips" and patch.json()["additionalEmployees"] == [b.BO]
    single = client.put(f"/bookme/meetings/{meeting['id']}", json={"op": "replace", "path": "/title", "value": "One op"}, headers=h)
    assert single.status_code == 200 and single.json()["title"] == "One op"

    assert client.patch(f"/bookme/meetings/{meeting['id']}", json=[{"op": "replace", "path": "/startDate", "value": "x"}], headers=h).status_code == 400
    assert client.patch(f"/bookme/meetings/{meeting['id']}", json={"title": "not a patch"}, headers=h).status_code == 400
    assert client.patch(f"/bookme/meetings/{meeting['id']}", json=[{"op": "remove", "path": "/nothing/here"}], headers=h).status_code == 400
    nobody, nothing = str(uuid.uuid4()), str(uuid.uuid4())
    unknown = client.patch(f"/bookme/meetings/{meeting['id']}", json=[{"op": "add", "path": "/additionalEmployees/-", "value": nobody}], headers=h)
    refused(unknown, 404, f"employee '{nobody}' was not found")
    refused(client.put(f"/bookme/meetings/{nothing}", json={"title": "x"}, headers=h), 404, f"meeting '{nothing}' was not found")


def test_room_vacancies_for_a_hold(client, token, load_bank):
    load_bank(b.bank())
    h = token()
    slots = search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen", requireRoom="true")
    first = reserve(client, h, slots[0]).json()
    assert first["roomId"] == b.ROOM_1
    carl_slot = {"startDate": slots[0]["startDate"], "endDate": slots[0]["endDate"], "employeeId": b.CARL}
    second = reserve(client, h, carl_slot).json()
    free = client.get("/bookme/room-vacancies", params={"location": "Copenhagen", "timeSlotId": second["id"]}, headers=h)
    assert free.status_code == 200
    assert [r["id"] for r in free.json()] == [b.ROOM_2]  # room 1 is held by the first hold
    nothing = str(uuid.uuid4())
    vacancies = client.get("/bookme/room-vacancies", params={"location": "Copenhagen", "timeSlotId": nothing}, headers=h)
    refused(vacancies, 404, f"time slot '{nothing}' was not found")
    assert client.get("/bookme/room-vacancies", params={"location": "Copenhagen"}, headers=h).status_code == 400


def test_patching_a_hold_room_needs_its_token(client, token, load_bank):
    load_bank(b.bank())
    h = token()
    slot = search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")[0]
    session_token = str(uuid.uuid4())
    hold = reserve(client, h, slot, session_token).json()
    assert hold["roomId"] is None
    ops = [{"op": "replace", "path": "/roomId", "value": b.ROOM_2}]
    wrong = client.patch(f"/bookme/time-slots/{hold['id']}", params={"reservationToken": "wrong"}, json=ops, headers=token())
    refused(wrong, 404, f"time slot '{hold['id']}' was not found for this reservation token")
    patched = client.patch(f"/bookme/time-slots/{hold['id']}", params={"reservationToken": session_token}, json=ops, headers=h)
    assert patched.status_code == 200 and patched.json()["roomId"] == b.ROOM_2
    free = client.get("/bookme/room-vacancies", params={"location": "Copenhagen", "timeSlotId": hold["id"]}, headers=h).json()
    assert b.ROOM_2 in [r["id"] for r in free]  # its own room counts as free for it
    meeting = book(client, h, patched.json(), b.T_HOUSING)
    assert meeting.status_code == 201 and meeting.json()["roomId"] == b.ROOM_2


def test_a_joint_meeting_blocks_every_advisor_in_it(client, token, load_bank):
    load_bank(b.bank())
    h = token()
    joint = client.get(
        "/bookme/time-slots/available",
        params=[("requireEmployeeParticipation", "true"), ("explicitEmployeeIds", b.ANNA), ("explicitEmployeeIds", b.CARL), ("meetingTypes", "physical")],
        headers=h,
    ).json()
    assert joint and {s["employeeId"] for s in joint} == {b.ANNA}
    hold = reserve(client, h, joint[0]).json()
    meeting = book(client, h, hold, b.T_HOUSING, additionalEmployees=[b.CARL])
    assert meeting.status_code == 201, meeting.text
    carl = search(client, token(), requireEmployeeParticipation="false", explicitEmployeeIds=b.CARL)
    assert joint[0]["startDate"] not in {s["startDate"] for s in carl}

    # Carl cannot be added to a second meeting at the same time.
    other = reserve(client, h, {**joint[0], "startDate": joint[0]["startDate"], "employeeId": b.BO, "roomId": None})
    if other.status_code == 200:
        refused = book(client, h, other.json(), b.T_HOUSING, meeting_type="online", additionalEmployees=[b.CARL])
        assert refused.status_code == 409

    # Taking Carl out of the meeting frees him again.
    changed = client.patch(f"/bookme/meetings/{meeting.json()['id']}", json=[{"op": "replace", "path": "/additionalEmployees", "value": []}], headers=h)
    assert changed.status_code == 200
    carl = search(client, token(), requireEmployeeParticipation="false", explicitEmployeeIds=b.CARL)
    assert joint[0]["startDate"] in {s["startDate"] for s in carl}


def test_advisor_id_lists_the_meetings_an_employee_joins_as_additional_advisor(client, token, load_bank):
    load_bank(b.bank())
    customer = token()
    joint = client.get(
        "/bookme/time-slots/available",
        params=[("requireEmployeeParticipation", "true"), ("explicitEmployeeIds", b.ANNA), ("explicitEmployeeIds", b.CARL), ("meetingTypes", "physical")],
        headers=customer,
    ).json()
    hold = reserve(client, customer, joint[0]).json()
    with_carl = book(client, customer, hold, b.T_HOUSING, additionalEmployees=[b.CARL])
    assert with_carl.status_code == 201, with_carl.text
    annas_own = _book_first(client, customer)  # Anna alone: not Carl's
    staff = token("employee")

    def listed(**params) -> list[str]:
        response = client.get("/bookme/meetings", params=params, headers=staff)
        assert response.status_code == 200, response.text
        return [m["id"] for m in response.json()]

    assert listed(advisorId=b.CARL) == [with_carl.json()["id"]]
    assert listed(employeeId=b.CARL) == []  # employeeId is the main advisor only, as before
    assert set(listed(advisorId=b.ANNA)) == {with_carl.json()["id"], annas_own["id"]}
    assert listed(advisorId=b.BO) == []
    refused(client.get("/bookme/meetings", params={"advisorId": b.CARL}, headers=customer), 403)
