"""After a meeting: staff record whether the customer came, cancel with a reason, and read who did
what to a meeting and from where. Customers read neither outcomes' controls nor the history."""

from __future__ import annotations

import datetime as dt

from tests import bankdata as b
from tests.integration.helpers import book, refused, reserve

MONDAY_9 = {"startDate": "2026-06-01T07:00:00.000Z", "endDate": "2026-06-01T08:00:00.000Z", "employeeId": b.ANNA}


def _booked(client, h, slot=MONDAY_9, **extra):
    hold = reserve(client, h, slot)
    assert hold.status_code == 200, hold.text
    created = book(client, h, hold.json(), b.T_HOUSING, **extra)
    assert created.status_code == 201, created.text
    return created.json()


def test_an_outcome_is_recorded_once_the_meeting_has_begun_and_taken_back_the_same_day(client, token, load_bank, clock):
    load_bank(b.bank())
    staff = token("employee", subject="anna")
    meeting = _booked(client, token("customer", subject="c-1"))
    url = f"/bookme/meetings/{meeting['id']}/outcome"
    refused(client.post(url, json={"outcome": "Attended"}, headers=staff), 409, "has not begun")

    clock.set(dt.datetime(2026, 6, 1, 7, 10, tzinfo=dt.UTC))
    marked = client.post(url, json={"outcome": "NoShow"}, headers=staff)
    assert marked.status_code == 200, marked.text
    assert marked.json()["outcome"] == "NoShow"
    assert client.get(f"/bookme/meetings/{meeting['id']}", headers=staff).json()["outcome"] == "NoShow"
    # The customer walks in late: the mark is corrected the same day.
    assert client.post(url, json={"outcome": "Attended"}, headers=staff).json()["outcome"] == "Attended"
    listed = client.get("/bookme/meetings", params={"outcome": "attended"}, headers=staff).json()
    assert [m["id"] for m in listed] == [meeting["id"]]
    assert client.get("/bookme/meetings", params={"outcome": "NoShow"}, headers=staff).json() == []
    refused(client.get("/bookme/meetings", params={"outcome": "Maybe"}, headers=staff), 400, "outcome")

    clock.set(dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.UTC))  # the next day in Copenhagen
    refused(client.post(url, json={"outcome": None}, headers=staff), 409, "earlier day")
    refused(client.post(url, json={"outcome": "Late"}, headers=staff), 400)
    refused(client.post(url, json={"outcome": "Attended"}, headers=token("customer", subject="c-1")), 403)
    refused(client.post("/bookme/meetings/00000000-0000-4000-8000-000000000000/outcome", json={"outcome": "Attended"}, headers=staff),
            404, "meeting '00000000-0000-4000-8000-000000000000'")


def test_a_cancelled_meeting_has_no_outcome_and_keeps_its_reason(client, token, load_bank, clock):
    load_bank(b.bank())
    staff = token("employee", subject="anna")
    meeting = _booked(client, token("customer", subject="c-2"))
    cancelled = client.request("DELETE", f"/bookme/meetings/{meeting['id']}", json={"cancellationReason": "Kunden er syg"}, headers=staff)
    assert cancelled.status_code == 204, cancelled.text
    read = client.get(f"/bookme/meetings/{meeting['id']}", headers=staff).json()
    assert (read["status"], read["cancellationReason"], read["cancelledBy"]) == ("Cancelled", "Kunden er syg", "anna")
    clock.set(dt.datetime(2026, 6, 1, 7, 30, tzinfo=dt.UTC))
    refused(client.post(f"/bookme/meetings/{meeting['id']}/outcome", json={"outcome": "Attended"}, headers=staff), 409, "cancelled")

    other = _booked(client, token("customer", subject="c-3"), {**MONDAY_9, "startDate": "2026-06-02T07:00:00.000Z",
                                                                 "endDate": "2026-06-02T08:00:00.000Z"})
    by_query = client.delete(f"/bookme/meetings/{other['id']}", params={"cancellationReason": "Flyttet til telefon"},
                             headers=token("customer", subject="c-3"))
    assert by_query.status_code == 204
    read = client.get(f"/bookme/meetings/{other['id']}", headers=staff).json()
    assert (read["cancellationReason"], read["cancelledBy"]) == ("Flyttet til telefon", "c-3")


def test_the_history_says_who_did_what_when_and_from_where(client, token, load_bank, clock):
    load_bank(b.bank())
    customer = token("customer", subject="c-4")
    staff = token("employee", subject="anna")
    meeting = _booked(client, customer | {"X-Meetbook-Channel": "booking-page"}, customerEmail="c4@example.test")
    clock.advance(minutes=5)
    changed = client.put(f"/bookme/meetings/{meeting['id']}", json={"title": "Boligkøb"}, headers=staff | {"X-Meetbook-Channel": "staff-workspace"})
    assert changed.status_code == 200, changed.text
    new_time = reserve(client, staff, {**MONDAY_9, "startDate": "2026-06-03T07:00:00.000Z", "endDate": "2026-06-03T08:00:00.000Z"},
                       existingMeetingId=meeting["id"]).json()
    assert client.put(f"/bookme/meetings/{meeting['id']}", json={"timeSlotId": new_time["id"]}, headers=staff).status_code == 200
    clock.set(dt.datetime(2026, 6, 3, 7, 5, tzinfo=dt.UTC))
    assert client.post(f"/bookme/meetings/{meeting['id']}/outcome", json={"outcome": "Attended"}, headers=staff).status_code == 200

    entries = client.get(f"/bookme/meetings/{meeting['id']}/history", headers=staff)
    assert entries.status_code == 200, entries.text
    history = entries.json()
    assert [e["kind"] for e in history] == ["booked", "changed", "rescheduled", "outcome"]
    booked, titled, moved, marked = history
    assert booked["by"] == {"subject": "c-4", "role": "customer", "channel": "booking-page"}
    assert booked["at"] == "2026-06-01T06:00:00.000Z" and booked["changes"] == {}
    assert titled["by"] == {"subject": "anna", "role": "employee", "channel": "staff-workspace"}
    assert titled["changes"] == {"title": {"from": None, "to": "Boligkøb"}}
    assert moved["by"]["channel"] == "api"
    assert moved["changes"]["startDate"] == {"from": "2026-06-01T07:00:00.000Z", "to": "2026-06-03T07:00:00.000Z"}
    assert marked["changes"] == {"outcome": {"from": None, "to": "Attended"}} and marked["meeting"]["outcome"] == "Attended"

    refused(client.get(f"/bookme/meetings/{meeting['id']}/history", headers=customer), 403)
    refused(client.get("/bookme/meetings/00000000-0000-4000-8000-000000000000/history", headers=staff), 404, "meeting")
