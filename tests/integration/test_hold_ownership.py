"""A hold is its customer's: nobody else can read, move, release or book it, and one customer
can hold only a few time slots at once."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from tests import bankdata as b
from tests.integration.helpers import book, refused, reserve, search


def _slots(client, h):
    return search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")


def _distinct(slots: list[dict], count: int) -> list[dict]:
    """`count` slots that do not overlap on one advisor, so only the hold limit can refuse them."""
    chosen: list[dict] = []
    for slot in slots:
        if all(s["employeeId"] != slot["employeeId"] or s["endDate"] <= slot["startDate"] or slot["endDate"] <= s["startDate"] for s in chosen):
            chosen.append(slot)
        if len(chosen) == count:
            return chosen
    raise AssertionError("the bank has too few free slots for this test")


def test_another_customer_cannot_see_book_release_or_move_a_hold(client, token, load_bank):
    load_bank(b.bank())
    alice, mallory = token("customer", "alice"), token("customer", "mallory")
    slot = _slots(client, alice)[0]
    session_token = str(uuid.uuid4())
    hold = reserve(client, alice, slot, session_token).json()

    # To Mallory the hold does not exist, even with Alice's reservation token.
    missing = f"time slot '{hold['id']}' was not found"
    refused(client.get(f"/bookme/time-slots/{hold['id']}", headers=mallory), 404, missing)
    refused(book(client, mallory, hold, b.T_HOUSING), 404, missing)
    released = client.delete(f"/bookme/time-slots/{hold['id']}", params={"reservationToken": session_token}, headers=mallory)
    refused(released, 404, missing)
    patched = client.patch(
        f"/bookme/time-slots/{hold['id']}", params={"reservationToken": session_token}, headers=mallory,
        json=[{"op": "replace", "path": "/serviceGroup", "value": "x"}],
    )
    refused(patched, 404, missing)
    vacancies = client.get("/bookme/room-vacancies", params={"location": "Copenhagen", "timeSlotId": hold["id"]}, headers=mallory)
    refused(vacancies, 404, missing)

    # The same token string from Mallory is Mallory's own session: it does not release Alice's
    # hold, and the slot stays Alice's.
    other = _distinct([slot] + _slots(client, mallory), 2)[1]
    assert reserve(client, mallory, other, session_token).status_code == 200
    refused(reserve(client, mallory, slot, str(uuid.uuid4())), 409, "the time slot is not available")
    assert client.get(f"/bookme/time-slots/{hold['id']}", headers=alice).status_code == 200

    # Alice books her hold; an employee acting for a customer may read one.
    assert client.get(f"/bookme/time-slots/{hold['id']}", headers=token("employee", "advisor-1")).status_code == 200
    assert book(client, alice, hold, b.T_HOUSING).status_code == 201
    # And the booked slot is not Mallory's business either.
    refused(book(client, mallory, hold, b.T_HOUSING), 404, missing)


def test_an_employee_can_book_a_customers_hold_for_them(client, token, load_bank):
    load_bank(b.bank())
    alice = token("customer", "alice")
    hold = reserve(client, alice, _slots(client, alice)[0]).json()
    employee = token("employee", "advisor-1")
    booked = book(client, employee, hold, b.T_HOUSING, bookedBy="employee", customerId="alice")
    assert booked.status_code == 201, booked.text
    assert client.get(f"/bookme/meetings/{booked.json()['id']}", headers=alice).status_code == 200


def test_a_customer_holds_at_most_three_slots_at_once(client, token, load_bank):
    load_bank(b.bank())
    alice = token("customer", "alice")
    first, second, third, fourth = _distinct(_slots(client, alice), 4)
    for slot in (first, second, third):
        assert reserve(client, alice, slot).status_code == 200
    refused(reserve(client, alice, fourth), 409, "you already hold 3 time slots, the most one customer may hold at once")
    # Nothing was taken: another customer gets the slot.
    assert reserve(client, token("customer", "bob"), fourth).status_code == 200


def test_releasing_booking_or_expiry_make_room_for_another_hold(client, token, load_bank, clock):
    load_bank(b.bank())
    alice = token("customer", "alice")
    slots = _distinct(_slots(client, alice), 6)
    tokens = [str(uuid.uuid4()) for _ in range(3)]
    holds = [reserve(client, alice, s, t).json() for s, t in zip(slots[:3], tokens)]
    refused(reserve(client, alice, slots[3]), 409, "the most one customer may hold at once")
    # Moving a held session to another time is not a fourth hold.
    moved = reserve(client, alice, slots[3], tokens[0])
    assert moved.status_code == 200, moved.text
    # Releasing one makes room.
    assert client.delete(f"/bookme/time-slots/{holds[1]['id']}", params={"reservationToken": tokens[1]}, headers=alice).status_code == 204
    assert reserve(client, alice, slots[4]).status_code == 200
    # Booking one makes room.
    assert book(client, alice, holds[2], b.T_HOUSING).status_code == 201
    assert reserve(client, alice, slots[5]).status_code == 200
    refused(reserve(client, alice, slots[1]), 409, "the most one customer may hold at once")
    # Holds that ran out do not count.
    clock.advance(minutes=6)
    assert reserve(client, alice, slots[1]).status_code == 200


def test_the_limit_is_a_bank_setting_and_employees_are_exempt(client, token, load_bank):
    load_bank(b.bank())
    admin = token("admin", "ops")
    settings = client.get("/bookme/config/organization-settings", headers=admin)
    assert settings.status_code == 200 and settings.json()["maxHoldsPerCustomer"] == 3
    changed = client.patch("/bookme/config/organization-settings", headers=admin, json=[{"op": "replace", "path": "/maxHoldsPerCustomer", "value": 1}])
    assert changed.status_code == 200, changed.text
    zero = client.patch("/bookme/config/organization-settings", headers=admin, json=[{"op": "replace", "path": "/maxHoldsPerCustomer", "value": 0}])
    assert [e["field"] for e in refused(zero, 400)["errors"]] == ["maxHoldsPerCustomer"]
    alice = token("customer", "alice")
    slots = _distinct(_slots(client, alice), 5)
    assert reserve(client, alice, slots[0]).status_code == 200
    refused(reserve(client, alice, slots[1]), 409, "you already hold 1 time slots", "the most one customer may hold at once")
    employee = token("employee", "advisor-1")
    assert all(reserve(client, employee, s).status_code == 200 for s in slots[1:5])


def test_concurrent_reserves_cannot_pass_the_limit_together(client, token, load_bank):
    load_bank(b.bank())
    alice = token("customer", "alice")
    slots = _distinct(_slots(client, alice), 8)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda s: reserve(client, alice, s).status_code, slots))
    assert sorted(answers) == [200, 200, 200, 409, 409, 409, 409, 409]
