"""Holds: one per token, replaced atomically, safe to retry, exactly five minutes long."""

from __future__ import annotations

import uuid

from tests import bankdata as b
from tests.integration.helpers import book, refused, reserve, search


def _slots(client, h):
    return search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")


def _same_slot_twice(client, token, load_bank, clock, minutes: int):
    """Reserve the first slot, wait `minutes`, reserve it again with the same token: (first hold, answer)."""
    load_bank(b.bank())
    h = token()
    slot = _slots(client, h)[0]
    session_token = str(uuid.uuid4())
    first = reserve(client, h, slot, session_token).json()
    clock.advance(minutes=minutes)
    return first, reserve(client, h, slot, session_token)


def test_a_retry_returns_the_same_hold_unchanged(client, token, load_bank, clock):
    first, retry = _same_slot_twice(client, token, load_bank, clock, minutes=2)
    assert retry.status_code == 200
    assert retry.json()["id"] == first["id"] and retry.json()["expiresAt"] == first["expiresAt"]


def test_a_held_slot_is_409_for_another_token(client, token, load_bank):
    load_bank(b.bank())
    slot = _slots(client, token())[0]
    assert reserve(client, token(), slot).status_code == 200
    taken = reserve(client, token(), slot)
    assert taken.status_code == 409 and taken.json()["code"] == "CONFLICT"


def test_changing_to_a_taken_slot_keeps_the_old_hold(client, token, load_bank):
    load_bank(b.bank())
    h = token()
    slots = _slots(client, h)
    mine, theirs = slots[0], slots[4]
    session_token = str(uuid.uuid4())
    kept = reserve(client, h, mine, session_token).json()
    assert reserve(client, token(), theirs).status_code == 200
    refused(reserve(client, h, theirs, session_token), 409, "the time slot is not available")
    still = client.get(f"/bookme/time-slots/{kept['id']}", headers=h)
    assert still.status_code == 200 and still.json()["startDate"] == mine["startDate"]


def test_changing_slot_frees_the_old_one_even_when_they_overlap(client, token, load_bank):
    load_bank(b.bank())
    h = token()
    slots = _slots(client, h)
    first = slots[0]
    # the next start on the same advisor overlaps the first hold's hour: only the token's own
    # hold is in the way, and it goes
    overlapping = next(s for s in slots[1:] if s["employeeId"] == first["employeeId"] and s["startDate"] < first["endDate"])
    session_token = str(uuid.uuid4())
    old = reserve(client, h, first, session_token).json()
    moved = reserve(client, h, overlapping, session_token)
    assert moved.status_code == 200 and moved.json()["id"] != old["id"]
    refused(client.get(f"/bookme/time-slots/{old['id']}", headers=h), 404, f"time slot '{old['id']}' was not found")
    # the old start is free again for someone else only where it no longer overlaps: the new hold
    # now covers part of it, so another customer still gets 409 there
    assert reserve(client, token(), first).status_code == 409
    assert reserve(client, token(), overlapping).status_code == 409


def test_a_token_whose_hold_expired_gets_a_new_one(client, token, load_bank, clock):
    old, again = _same_slot_twice(client, token, load_bank, clock, minutes=6)
    assert again.status_code == 200
    assert again.json()["id"] != old["id"] and again.json()["expiresAt"] > old["expiresAt"]


def test_a_hold_lasts_exactly_five_minutes(client, token, load_bank, clock):
    load_bank(b.bank())
    h = token()
    slot = _slots(client, h)[0]
    hold = reserve(client, h, slot).json()
    other = token()

    clock.advance(minutes=4, seconds=59)
    assert slot["startDate"] not in {s["startDate"] for s in _slots(client, other)}
    refused(reserve(client, other, slot), 409, "the time slot is not available")

    clock.advance(seconds=1)  # exactly five minutes: the hold no longer blocks anyone
    assert slot["startDate"] in {s["startDate"] for s in _slots(client, other)}
    # The hold is still stored (nothing has needed its space yet), but it has run out.
    refused(book(client, h, hold, b.T_HOUSING), 409, "the hold on this time slot ran out after five minutes")
    taken_over = reserve(client, other, slot)
    assert taken_over.status_code == 200


def test_an_expired_hold_cannot_be_booked(client, token, load_bank, clock):
    load_bank(b.bank())
    h = token()
    hold = reserve(client, h, _slots(client, h)[0]).json()
    clock.advance(minutes=5, seconds=1)
    response = book(client, h, hold, b.T_HOUSING)
    assert response.status_code == 409
    assert "five minutes" in response.json()["message"]


def test_a_slot_the_search_would_not_offer_is_409(client, token, load_bank):
    load_bank(b.bank())
    h = token()
    off_grid = {"startDate": "2026-06-01T07:10:00Z", "endDate": "2026-06-01T08:10:00Z", "employeeId": b.ANNA}
    assert reserve(client, h, off_grid).status_code == 409
    after_hours = {"startDate": "2026-06-01T15:00:00Z", "endDate": "2026-06-01T16:00:00Z", "employeeId": b.ANNA}
    assert reserve(client, h, after_hours).status_code == 409
    in_the_past = {"startDate": "2026-05-29T07:00:00Z", "endDate": "2026-05-29T08:00:00Z", "employeeId": b.ANNA}
    assert reserve(client, h, in_the_past).status_code == 409


def test_reserve_refuses_bad_bodies(client, token, load_bank):
    load_bank(b.bank())
    h = token()
    slot = _slots(client, h)[0]
    nobody, nowhere = str(uuid.uuid4()), str(uuid.uuid4())
    refused(reserve(client, h, {**slot, "employeeId": nobody}), 404, f"employee '{nobody}' was not found")
    refused(reserve(client, h, {**slot, "roomId": nowhere}), 404, f"room '{nowhere}' was not found")
    too_long = reserve(client, h, slot, "x" * 129)
    assert too_long.status_code == 400 and too_long.json()["errors"][0]["field"] == "token"
    empty = reserve(client, h, slot, "")
    assert empty.status_code == 400
    booked_status = client.post(
        "/bookme/time-slots/reserve",
        json={"timeSlot": {**{k: slot[k] for k in ("startDate", "endDate", "employeeId")}, "status": "Booked"}, "token": "t"},
        headers=h,
    )
    assert booked_status.status_code == 400 and booked_status.json()["errors"][0]["field"] == "timeSlot.status"
    not_json = client.post("/bookme/time-slots/reserve", content=b"{nope", headers={**h, "Content-Type": "application/json"})
    assert not_json.status_code == 400 and not_json.json()["code"] == "BAD_REQUEST"
    assert not_json.json()["message"] == "the request body is not valid JSON"


def test_releasing_a_hold_frees_it_for_others(client, token, load_bank):
    load_bank(b.bank())
    h = token()
    slot = _slots(client, h)[0]
    session_token = str(uuid.uuid4())
    hold = reserve(client, h, slot, session_token).json()
    stranger = token()
    wrong = client.delete(f"/bookme/time-slots/{hold['id']}", params={"reservationToken": "wrong"}, headers=stranger)
    refused(wrong, 404, f"time slot '{hold['id']}' was not found for this reservation token")
    released = client.delete(f"/bookme/time-slots/{hold['id']}", params={"reservationToken": session_token}, headers=h)
    assert released.status_code == 204
    assert reserve(client, stranger, slot).status_code == 200


def test_a_hold_with_a_room_claims_the_room(client, token, load_bank):
    load_bank(b.bank())
    h = token()
    slots = search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen", requireRoom="true")
    assert slots[0]["roomId"] == b.ROOM_1  # rooms are chosen in name order
    hold = reserve(client, h, slots[0]).json()
    assert hold["roomId"] == b.ROOM_1
    carl = search(client, token(), requireEmployeeParticipation="false", explicitEmployeeIds=b.CARL, requireRoom="true")
    at_same_time = [s for s in carl if s["startDate"] == slots[0]["startDate"]]
    assert at_same_time and at_same_time[0]["roomId"] == b.ROOM_2


def test_a_room_that_cannot_be_booked_cannot_be_held(client, token, load_bank):
    document = b.bank()
    document["rooms"][1]["canBeBooked"] = False
    load_bank(document)
    h = token()
    slot = {**_slots(client, h)[0], "roomId": b.ROOM_2}
    body = refused(reserve(client, h, slot), 400, "room 'Room 2' cannot be booked")
    assert body["errors"][0]["field"] == "timeSlot.roomId"
    assert reserve(client, h, {**slot, "roomId": b.ROOM_1}).status_code == 200
