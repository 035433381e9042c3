"""Calendar feeds over HTTP: an advisor's and a room's meetings as a subscribable calendar, on both databases."""

from __future__ import annotations

import copy
import datetime as dt
import logging
import uuid

from icalendar import Calendar

from tests import bankdata as b
from tests.conftest import MONDAY_MORNING
from tests.integration.helpers import book, refused, reserve, search

CUSTOMER = {"customerName": "Karen Kunde", "customerEmail": "karen@customer.test", "customerPhone": "+4512345678"}


def _bank() -> dict:
    """The test bank, with Carl known to the identity provider by an externalId."""
    employees = copy.deepcopy(b.BASE["employees"])
    next(e for e in employees if e["id"] == b.CARL)["externalId"] = "ad-carl"
    return b.bank(employees=employees)


def _book(client, h, slot: dict, meeting_type: str = "physical") -> dict:
    hold = reserve(client, h, slot)
    assert hold.status_code == 200, hold.text
    created = book(client, h, hold.json(), b.T_HOUSING, meeting_type, **CUSTOMER)
    assert created.status_code == 201, created.text
    return created.json()


def _ics_event(client, h, meeting_id: str):
    answer = client.post(f"/bookme/meetings/{meeting_id}/ical", headers=h)
    assert answer.status_code == 200, answer.text
    return Calendar.from_ical(answer.content).walk("VEVENT")[0]


def _feed_url(client, headers, path: str) -> str:
    answer = client.post(path, headers=headers)
    assert answer.status_code == 201, answer.text
    assert answer.headers["cache-control"] == "no-store"
    return answer.json()["url"]


def _fetch(client, url: str, **headers):
    answer = client.get(url, headers=headers)  # no Authorization: the secret in the URL is the credential
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert answer.headers["cache-control"].startswith("private")
    return answer, Calendar.from_ical(answer.content)


def _events(calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def _utc(instant: str) -> dt.datetime:
    return dt.datetime.fromisoformat(instant.replace("Z", "+00:00"))


def _move(client, h, meeting: dict, start: str) -> dict:
    slots = search(
        client, h, topic=b.T_HOUSING, meetingTypes="physical", requireEmployeeParticipation="false",
        explicitEmployeeIds=meeting["employeeId"], ignoreMeetingIds=meeting["id"],
    )
    target = next(s for s in slots if s["startDate"] == start)
    hold = reserve(client, h, target, existingMeetingId=meeting["id"])
    assert hold.status_code == 200, hold.text
    moved = client.put(f"/bookme/meetings/{meeting['id']}", json={"timeSlotId": hold.json()["id"]}, headers=h)
    assert moved.status_code == 200, moved.text
    return moved.json()


def test_an_advisors_feed_follows_booking_moving_and_cancelling(client, token, load_bank, caplog):
    caplog.set_level(logging.INFO, logger="meetbook.access")
    load_bank(_bank())
    admin, h = token("admin"), token("customer", subject="c-feed")
    anna_slots = search(client, h, topic=b.T_HOUSING, meetingTypes="physical", explicitEmployeeIds=b.ANNA)
    mine = _book(client, h, anna_slots[0])
    bo_slots = search(client, h, topic=b.T_HOUSING, meetingTypes="online", explicitEmployeeIds=b.BO)
    bos = _book(client, h, bo_slots[-1], "online")  # late in the week: Bo is free to join Anna's meeting

    url = _feed_url(client, admin, f"/config/employees/{b.ANNA}/calendar-feed")
    assert url.startswith("http://testserver/calendar-feeds/")
    first, calendar = _fetch(client, url)
    assert str(calendar["X-WR-CALNAME"]) == "Anna Andersen" and str(calendar["METHOD"]) == "PUBLISH"
    events = _events(calendar)
    ics = _ics_event(client, h, mine["id"])
    assert list(events) == [str(ics["UID"])]  # Bo's meeting is not Anna's
    event = events[str(ics["UID"])]
    assert int(event["SEQUENCE"]) == int(ics["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == _utc(mine["startDate"]) and event.decoded("DTEND") == _utc(mine["endDate"])
    assert str(event["STATUS"]) == "CONFIRMED"
    # Her own calendar names the topic and the customer; the customer's e-mail and phone stay out.
    assert str(event["SUMMARY"]) == "Housing: Karen Kunde"
    assert b"karen@customer.test" not in first.content and b"12345678" not in first.content
    invitation = client.post(f"/bookme/meetings/{mine['id']}/ical", headers=h).content
    assert b"karen@customer.test" in invitation  # the invitation keeps it

    # Unchanged: 304 on the ETag (also in a list, also weak), with no body.
    etag = first.headers["etag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    same = client.get(url, headers={"If-None-Match": f'"other", W/{etag}'})
    assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag

    # Moved: the same UID, SEQUENCE one up, the new time; the old ETag no longer matches.
    later = anna_slots[0]["startDate"].replace("T07:00", "T07:30")
    mine = _move(client, h, mine, later)
    moved, calendar = _fetch(client, url, **{"If-None-Match": etag})
    assert moved.headers["etag"] != etag
    event = _events(calendar)[str(ics["UID"])]
    ics = _ics_event(client, h, mine["id"])
    assert int(event["SEQUENCE"]) == int(ics["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == _utc(later)

    # Bo joins Anna's meeting: it is in his feed too, beside his own.
    join = [{"op": "add", "path": "/additionalEmployees/-", "value": b.BO}]
    joined = client.patch(f"/bookme/meetings/{mine['id']}", json=join, headers=h)
    assert joined.status_code == 200, joined.text
    bo_url = _feed_url(client, token("employee", subject=b.BO), f"/config/employees/{b.BO}/calendar-feed")
    _, bo_calendar = _fetch(client, bo_url)
    assert str(bo_calendar["X-WR-CALNAME"]) == "Bo Berg"
    assert set(_events(bo_calendar)) == {str(ics["UID"]), str(_ics_event(client, h, bos["id"])["UID"])}

    # Cancelled: still there, as cancelled, with the invitation's SEQUENCE.
    assert client.delete(f"/bookme/meetings/{mine['id']}", headers=h).status_code == 204
    _, calendar = _fetch(client, url)
    event = _events(calendar)[str(ics["UID"])]
    ics = _ics_event(client, h, mine["id"])
    assert str(event["STATUS"]) == str(ics["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == int(ics["SEQUENCE"]) > 1  # grown again (a change of advisors may count too)

    # The secret never reaches the request log.
    secret = url.rsplit("/", 1)[1]
    assert caplog.records and all(secret not in r.getMessage() for r in caplog.records)


def test_a_new_url_revokes_the_old_and_delete_revokes_without_a_new_one(client, token, load_bank):
    load_bank(_bank())
    admin = token("admin")
    path = f"/config/employees/{b.ANNA}/calendar-feed"
    old = _feed_url(client, admin, path)
    created = client.post(path, headers=admin)
    assert created.status_code == 201 and created.json()["createdAt"] == "2026-06-01T06:00:00.000Z"
    new = created.json()["url"]
    assert new != old
    gone = refused(client.get(old), 404, "no calendar feed at this address")
    _fetch(client, new)
    never = client.get("/calendar-feeds/" + "A" * 43)
    assert never.status_code == 404 and never.json() == gone  # unknown and revoked look alike

    assert client.delete(path, headers=admin).status_code == 204
    refused(client.get(new), 404, "no calendar feed at this address")
    assert client.delete(path, headers=admin).status_code == 204  # nothing left to revoke: still done

    nobody = str(uuid.uuid4())
    refused(client.post(f"/config/employees/{nobody}/calendar-feed", headers=admin), 404, f"employee '{nobody}' was not found")
    refused(client.delete(f"/config/rooms/{nobody}/calendar-feed", headers=admin), 404, f"room '{nobody}' was not found")


def test_who_may_make_an_advisors_feed(client, token, load_bank):
    load_bank(_bank())
    path = f"/config/employees/{b.ANNA}/calendar-feed"
    refused(client.post(path), 401)
    refused(client.post(path, headers=token("customer", subject=b.ANNA)), 403, "employee")
    refused(client.post(path, headers=token("employee", subject=b.BO)), 403, "their own calendar feed")
    refused(client.delete(path, headers=token("employee", subject=b.BO)), 403, "their own calendar feed")
    assert client.post(path, headers=token("employee", subject=b.ANNA)).status_code == 201  # subject = the employee's id
    carl = f"/config/employees/{b.CARL}/calendar-feed"
    assert client.post(carl, headers=token("employee", subject="ad-carl")).status_code == 201  # subject = the externalId
    assert client.delete(carl, headers=token("employee", subject="ad-carl")).status_code == 204
    refused(client.post(f"/config/rooms/{b.ROOM_1}/calendar-feed", headers=token("employee", subject=b.ANNA)), 403, "admin")


def test_a_rooms_feed_for_the_front_desk(client, token, load_bank):
    load_bank(_bank())
    admin, h = token("admin"), token("customer", subject="c-room")
    slots = search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen", requireRoom="true")
    meeting = _book(client, h, slots[0])
    assert meeting["roomId"] == b.ROOM_1

    url = _feed_url(client, admin, f"/config/rooms/{b.ROOM_1}/calendar-feed")
    answer, calendar = _fetch(client, url)
    assert str(calendar["X-WR-CALNAME"]) == "Room 1, Copenhagen City"
    ics = _ics_event(client, h, meeting["id"])
    event = _events(calendar)[str(ics["UID"])]
    assert int(event["SEQUENCE"]) == int(ics["SEQUENCE"]) and event.decoded("DTSTART") == _utc(meeting["startDate"])
    assert str(event["SUMMARY"]) == "Housing: Karen Kunde with Anna Andersen"
    assert str(event["LOCATION"]).startswith("Room 1, Copenhagen City")
    # The front desk learns who is coming and to whom, not what the customer wrote or how to reach them.
    assert b"Meeting description" not in answer.content and b"karen@customer.test" not in answer.content

    other = _feed_url(client, admin, f"/config/rooms/{b.ROOM_2}/calendar-feed")
    assert _events(_fetch(client, other)[1]) == {}


def test_the_window_runs_from_thirty_days_back_to_the_booking_horizon(client, token, load_bank, clock):
    load_bank(_bank())
    admin, h = token("admin"), token("customer", subject="c-window")
    meeting = _book(client, h, search(client, h, topic=b.T_HOUSING, meetingTypes="physical", explicitEmployeeIds=b.ANNA)[0])
    url = _feed_url(client, admin, f"/config/employees/{b.ANNA}/calendar-feed")
    uid = str(_ics_event(client, h, meeting["id"])["UID"])

    clock.set(MONDAY_MORNING + dt.timedelta(days=29))
    assert uid in _events(_fetch(client, url)[1])
    clock.set(MONDAY_MORNING + dt.timedelta(days=31))
    assert uid not in _events(_fetch(client, url)[1])  # more than 30 days ago
    # The bank sets no horizon: a year ahead is shown, further is not.
    clock.set(MONDAY_MORNING - dt.timedelta(days=360))
    assert uid in _events(_fetch(client, url)[1])
    clock.set(MONDAY_MORNING - dt.timedelta(days=370))
    assert uid not in _events(_fetch(client, url)[1])
    # A bank's own horizon counts instead.
    horizon = [{"op": "replace", "path": "/maxTimeFromBookingToMeeting", "value": "400.00:00:00"}]
    settings = client.patch("/bookme/config/organization-settings", json=horizon, headers=admin)
    assert settings.status_code == 200, settings.text
    assert uid in _events(_fetch(client, url)[1])


def test_deleting_an_employee_or_a_room_takes_its_feed_along(client, token, load_bank):
    load_bank(_bank())
    admin = token("admin")
    carl = _feed_url(client, admin, f"/config/employees/{b.CARL}/calendar-feed")
    room = _feed_url(client, admin, f"/config/rooms/{b.ROOM_2}/calendar-feed")
    assert client.delete(f"/config/employees/{b.CARL}", headers=admin).status_code == 204
    assert client.delete(f"/config/rooms/{b.ROOM_2}", headers=admin).status_code == 204
    refused(client.get(carl), 404, "no calendar feed at this address")
    refused(client.get(room), 404, "no calendar feed at this address")
