"""Two-way calendar sync against a real CalDAV server (Radicale on the loopback, a user per advisor):
an advisor's events block or open their slots after a sync, their meetings are written into their
calendar, and a calendar that cannot be reached keeps the last known busy time and says so."""

from __future__ import annotations

import base64
import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests import bankdata as b
from tests.caldav_server import Radicale
from tests.integration.helpers import book, refused, reserve, search

CPH = ZoneInfo("Europe/Copenhagen")
PASSWORD = "Anna-Radicale-pw-7f3a9c1e"
PATH = f"/config/employees/{b.ANNA}/calendar-connection"


@pytest.fixture
def radicale(tmp_path):
    folder = tmp_path / "radicale"
    folder.mkdir()
    with Radicale(folder, {"anna": PASSWORD, "bo": "Bo-Radicale-pw-0b1d"}) as server:
        yield server


@pytest.fixture
def settings(database_url, tmp_path):
    from meetbook.core.config import Settings

    # No timer: each test syncs on demand at the injected clock's time.
    return Settings(environment="development", database_url=database_url, sweep_interval_seconds=0, dispatch_in_server=False,
                    mail_dir=str(tmp_path / "mail"), calendar_sync_seconds=0, calendar_timeout_seconds=5)


@pytest.fixture
def answers(client):
    """Every response the test client gets, to look for the password in."""
    seen = []

    def keep(response):
        response.read()
        seen.append(response)

    client.event_hooks["response"].append(keep)
    return seen


def deliver(client) -> int:
    return client.portal.call(client.app.state.dispatcher.run_until_idle)


def connect(client, token, radicale, url: str | None = None):
    answer = client.put(PATH, json={"url": url or f"{radicale.url}anna/calendar/", "username": "anna", "password": PASSWORD},
                        headers=token("admin"))
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def sync(client, token) -> dict:
    answer = client.post(PATH + "/sync", headers=token("admin"))
    assert answer.status_code == 200, answer.text
    return answer.json()


def local(day: str, hhmm: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=CPH)


def ics(uid: str, start: dt.datetime | dt.date, end: dt.datetime | dt.date, summary: str = "Dentist", *extra: str) -> str:
    def when(name, value):
        if isinstance(value, dt.datetime):
            return f"{name};TZID=Europe/Copenhagen:{value.astimezone(CPH):%Y%m%dT%H%M%S}"
        return f"{name};VALUE=DATE:{value:%Y%m%d}"

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", *TIMEZONE, "BEGIN:VEVENT", f"UID:{uid}",
             "DTSTAMP:20260101T000000Z",
             when("DTSTART", start), when("DTEND", end), f"SUMMARY:{summary}", *extra, "END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"


TIMEZONE = ["BEGIN:VTIMEZONE", "TZID:Europe/Copenhagen", "BEGIN:STANDARD", "DTSTART:19701025T030000",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "END:STANDARD", "BEGIN:DAYLIGHT",
            "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
            "END:DAYLIGHT", "END:VTIMEZONE"]


def free(client, token, day: str, meeting_type: str = "online") -> list[str]:
    """Anna's free hour-long starts that local day, as local HH:MM (an employee's search: no notice)."""
    slots = search(client, token("employee"), requireEmployeeParticipation="false", explicitEmployeeIds=b.ANNA, topic=b.T_HOUSING,
                   meetingTypes=meeting_type, startDate=local(day, "00:00").astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
                   lookForwardTime="1.00:00:00", meetingDuration="01:00:00", isCustomerInitiated="false")
    starts = {dt.datetime.fromisoformat(s["startDate"].replace("Z", "+00:00")).astimezone(CPH)
              for s in slots if s["employeeId"] == b.ANNA}
    return sorted(f"{s:%H:%M}" for s in starts if f"{s:%Y-%m-%d}" == day)


def no_password_anywhere(answers, caplog):
    encoded = base64.b64encode(f"anna:{PASSWORD}".encode()).decode()
    for response in answers:
        assert PASSWORD not in response.text and encoded not in response.text, response.request.url
        assert PASSWORD not in str(response.headers)
    for record in caplog.records:
        line = record.getMessage() + (str(record.exc_info[1]) if record.exc_info else "")
        assert PASSWORD not in line and encoded not in line, line


def test_an_advisors_events_block_free_and_open_slots(client, token, load_bank, radicale, answers, caplog):
    caplog.set_level(logging.DEBUG)
    load_bank(b.bank())
    calendar = radicale.calendar("anna")
    before = {day: free(client, token, day) for day in ("2026-06-02", "2026-06-03", "2026-06-04", "2026-06-05")}
    assert all("10:00" in starts for starts in before.values())

    state = connect(client, token, radicale)
    assert state["lastSyncAt"] is None and state["stale"] is False and "password" not in state
    # Time pushed through the API is not the sync's: it stays whatever the calendar says.
    pushed = client.post("/bookme/time-slots", json={"startDate": "2026-06-05T07:00:00Z", "endDate": "2026-06-05T08:00:00Z",
                                                      "status": "Busy", "employeeId": b.ANNA}, headers=token("employee"))
    assert pushed.status_code == 201, pushed.text

    calendar.save_event(ics("dentist", local("2026-06-02", "10:00"), local("2026-06-02", "11:00")))
    walk = ics("lunch-walk", local("2026-06-03", "10:00"), local("2026-06-03", "11:00"), "Walk", "TRANSP:TRANSPARENT")
    calendar.save_event(walk)
    calendar.save_event(ics("declined", local("2026-06-04", "10:00"), local("2026-06-04", "11:00"), "Team sync",
                            "ORGANIZER:mailto:boss@bank.test", "ATTENDEE;PARTSTAT=DECLINED:mailto:anna@bank.test"))
    calendar.save_event(ics("evening", local("2026-06-04", "13:00"), local("2026-06-04", "15:00"), "[ExtraOpen] phone hours"))

    state = sync(client, token)
    assert state["lastError"] is None and state["lastSyncAt"] is not None and state["eventsSeen"] == 4, state
    assert state["calendarUrl"].endswith("/anna/calendar/")
    tuesday = free(client, token, "2026-06-02")
    assert not {"10:00", "10:30", "09:30"} & set(tuesday) and "09:00" in tuesday and "11:00" in tuesday
    assert free(client, token, "2026-06-03") == before["2026-06-03"]  # transparent: blocks nothing
    thursday = free(client, token, "2026-06-04")
    assert set(before["2026-06-04"]) <= set(thursday)  # declined: blocks nothing
    assert {"13:00", "14:00"} <= set(thursday) and "15:00" not in thursday  # ExtraOpen: online slots outside working hours
    assert "13:00" not in free(client, token, "2026-06-04", "physical")  # ExtraOpen opens remote meetings only
    assert "09:00" not in free(client, token, "2026-06-05")  # the API's entry

    # Moved in the calendar: the old time is free, the new one taken, at the next sync.
    calendar.save_event(ics("dentist", local("2026-06-02", "11:00"), local("2026-06-02", "12:00")))
    sync(client, token)
    tuesday = free(client, token, "2026-06-02")
    assert "10:00" in tuesday and "11:00" not in tuesday
    calendar.event_by_uid("dentist").delete()
    sync(client, token)
    assert free(client, token, "2026-06-02") == before["2026-06-02"]

    # Disconnected: the calendar's time goes, the API's stays.
    entries = client.get("/bookme/time-slots", params={"employeeId": b.ANNA}, headers=token("employee")).json()
    assert len(entries) == 2  # the API's Busy and the ExtraOpen
    assert client.delete(PATH, headers=token("admin")).status_code == 204
    entries = client.get("/bookme/time-slots", params={"employeeId": b.ANNA}, headers=token("employee")).json()
    assert [e["id"] for e in entries] == [pushed.json()["id"]]
    refused(client.get(PATH, headers=token("admin")), 404, "calendar connection")
    no_password_anywhere(answers, caplog)


def test_a_weekly_event_with_a_moved_and_a_cancelled_occurrence_across_daylight_saving(client, token, load_bank, radicale, clock):
    clock.set(dt.datetime(2026, 10, 12, 6, 0, tzinfo=dt.UTC))  # Monday; summer time ends Sunday 25 October
    load_bank(b.bank())
    connect(client, token, radicale)
    # Tuesdays 10:00-11:00 local from 13 October, six times; the 27 October one moved to Wednesday 09:00,
    # 3 November cancelled in its own exception, 17 November left out by EXDATE.
    weekly = ics("weekly", local("2026-10-13", "10:00"), local("2026-10-13", "11:00"), "1:1", "RRULE:FREQ=WEEKLY;COUNT=6",
                 "EXDATE;TZID=Europe/Copenhagen:20261117T100000")
    moved = ["BEGIN:VEVENT", "UID:weekly", "DTSTAMP:20260101T000000Z", "RECURRENCE-ID;TZID=Europe/Copenhagen:20261027T100000",
             "DTSTART;TZID=Europe/Copenhagen:20261028T090000", "DTEND;TZID=Europe/Copenhagen:20261028T100000",
             "SUMMARY:1:1 moved",
             "END:VEVENT"]
    cancelled = ["BEGIN:VEVENT", "UID:weekly", "DTSTAMP:20260101T000000Z", "RECURRENCE-ID;TZID=Europe/Copenhagen:20261103T100000",
                 "DTSTART;TZID=Europe/Copenhagen:20261103T100000", "DTEND;TZID=Europe/Copenhagen:20261103T110000",
                 "STATUS:CANCELLED", "SUMMARY:1:1", "END:VEVENT"]
    weekly = weekly.replace("END:VCALENDAR\r\n", "\r\n".join(moved + cancelled) + "\r\nEND:VCALENDAR\r\n")
    calendar = radicale.calendar("anna")
    calendar.save_event(weekly)
    calendar.save_event(ics("course", dt.date(2026, 10, 26), dt.date(2026, 10, 27), "Course"))  # all day, the Monday after
    state = sync(client, token)
    assert state["lastError"] is None, state

    def blocked_at_ten(day):
        return "10:00" not in free(client, token, day) and "10:30" not in free(client, token, day)

    assert blocked_at_ten("2026-10-13") and blocked_at_ten("2026-10-20")  # summer time: 08:00Z
    assert "09:00" in free(client, token, "2026-10-20") and "11:00" in free(client, token, "2026-10-20")
    assert not blocked_at_ten("2026-10-27")  # moved away...
    assert "09:00" not in free(client, token, "2026-10-28") and "10:00" in free(client, token, "2026-10-28")  # ...to Wednesday
    assert not blocked_at_ten("2026-11-03")  # cancelled
    assert blocked_at_ten("2026-11-10")  # winter time: 10:00 local is 09:00Z, still 10:00 local
    assert "09:00" in free(client, token, "2026-11-10") and "11:00" in free(client, token, "2026-11-10")
    assert not blocked_at_ten("2026-11-17")  # EXDATE
    assert free(client, token, "2026-10-26") == []  # the all-day course takes the whole local day
    assert free(client, token, "2026-10-27") != []


def _book_anna(client, token, day="2026-06-02", at="10:00", subject="c-1"):
    h = token("customer", subject=subject)
    slot = {"startDate": local(day, at).astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "endDate": (local(day, at) + dt.timedelta(hours=1)).astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "employeeId": b.ANNA}
    hold = reserve(client, h, slot)
    assert hold.status_code == 200, hold.text
    created = book(client, h, hold.json(), b.T_HOUSING, "online", customerEmail="karen@example.test", customerName="Karen")
    assert created.status_code == 201, created.text
    return created.json(), h


def _ics_uid(client, h, meeting_id) -> str:
    return str(Calendar.from_ical(client.post(f"/bookme/meetings/{meeting_id}/ical", headers=h).content).walk("VEVENT")[0]["UID"])


def _in_radicale(calendar, uid):
    return calendar.event_by_uid(uid).icalendar_component


def test_meetings_are_written_moved_and_cancelled_in_the_advisors_calendar(client, token, load_bank, radicale, clock):
    load_bank(b.bank())
    connect(client, token, radicale)
    calendar = radicale.calendar("anna")
    meeting, h = _book_anna(client, token)
    uid = _ics_uid(client, h, meeting["id"])
    assert deliver(client) > 0
    event = _in_radicale(calendar, uid)
    assert str(event["UID"]) == uid == f"{meeting['id']}@meetbook"
    assert event.decoded("DTSTART") == local("2026-06-02", "10:00") and str(event["STATUS"]) == "CONFIRMED"
    assert "ATTENDEE" not in event  # no second invitation to the customer from the advisor's server
    first_sequence = int(event["SEQUENCE"])

    # Coming back in a sync it is not counted twice: no calendar entry, and the slot is taken once (by the meeting).
    clock.advance(minutes=1)
    assert sync(client, token)["eventsSeen"] == 1
    assert client.get("/bookme/time-slots", params={"employeeId": b.ANNA}, headers=token("employee")).json() == []
    assert "10:00" not in free(client, token, "2026-06-02")

    hold = reserve(client, h, {"startDate": "2026-06-03T07:00:00Z", "endDate": "2026-06-03T08:00:00Z", "employeeId": b.ANNA},
                   existingMeetingId=meeting["id"])
    assert hold.status_code == 200, hold.text
    assert client.put(f"/bookme/meetings/{meeting['id']}", json={"timeSlotId": hold.json()["id"]}, headers=h).status_code == 200
    deliver(client)
    event = _in_radicale(calendar, uid)
    assert event.decoded("DTSTART") == dt.datetime(2026, 6, 3, 7, 0, tzinfo=dt.UTC)
    assert int(event["SEQUENCE"]) > first_sequence
    assert len(calendar.events()) == 1  # moved, not copied

    assert client.delete(f"/bookme/meetings/{meeting['id']}", headers=h).status_code == 204
    deliver(client)
    event = _in_radicale(calendar, uid)
    assert str(event["STATUS"]) == "CANCELLED"
    clock.advance(minutes=1)
    sync(client, token)
    assert "10:00" in free(client, token, "2026-06-03")  # cancelled: blocks nothing, and no conflict either
    assert _events_of_kind(client, "meeting.calendar_conflict") == []


def test_an_unreachable_calendar_keeps_the_busy_time_turns_stale_and_gets_its_meetings_later(client, token, load_bank, radicale,
                                                                                               clock, answers, caplog):
    caplog.set_level(logging.DEBUG)
    load_bank(b.bank())
    connect(client, token, radicale)
    calendar = radicale.calendar("anna")
    calendar.save_event(ics("dentist", local("2026-06-02", "10:00"), local("2026-06-02", "11:00")))
    assert sync(client, token)["lastError"] is None
    assert "10:00" not in free(client, token, "2026-06-02")

    radicale.stop()
    for attempt in (1, 2, 3):
        clock.advance(minutes=1)
        state = sync(client, token)
        assert state["consecutiveFailures"] == attempt and state["lastError"], state
        assert state["stale"] is (attempt == 3)
        assert "10:00" not in free(client, token, "2026-06-02")  # never free because the calendar could not be read
    assert client.get(PATH, headers=token("employee", subject=b.ANNA)).json()["stale"] is True
    assert "meetbook_calendar_connections_stale 1.0" in client.get("/metrics", headers=token("admin")).text

    meeting, h = _book_anna(client, token, "2026-06-04", "09:00")
    deliver(client)  # fails: the calendar is down
    radicale.start()
    assert deliver(client) == 0  # the retry waits for its time (the injected clock), nothing is sent early
    clock.advance(seconds=31)
    assert deliver(client) > 0
    event = _in_radicale(calendar, f"{meeting['id']}@meetbook")
    assert event.decoded("DTSTART") == local("2026-06-04", "09:00")
    state = sync(client, token)
    assert state["stale"] is False and state["consecutiveFailures"] == 0 and state["lastError"] is None
    assert "meetbook_calendar_connections_stale 0.0" in client.get("/metrics", headers=token("admin")).text
    no_password_anywhere(answers, caplog)


def _events_of_kind(client, kind):
    from meetbook.core.db import unit_of_work
    from meetbook.tables.outbox import EventRow

    async def read():
        async with unit_of_work(client.app.state.sessions) as session:
            return [(e.subject_id, e.data) for e in (await session.scalars(select(EventRow).where(EventRow.kind == kind))).all()]

    return client.portal.call(read)


def test_a_pushed_meeting_deleted_in_the_calendar_is_reported_and_stays_booked(client, token, load_bank, radicale, clock):
    load_bank(b.bank())
    connect(client, token, radicale)
    calendar = radicale.calendar("anna")
    meeting, h = _book_anna(client, token)
    deliver(client)
    clock.advance(minutes=1)
    sync(client, token)
    assert _events_of_kind(client, "meeting.calendar_conflict") == []

    calendar.event_by_uid(f"{meeting['id']}@meetbook").delete()
    clock.advance(minutes=1)
    sync(client, token)
    conflicts = _events_of_kind(client, "meeting.calendar_conflict")
    assert [subject for subject, _ in conflicts] == [meeting["id"]]
    assert conflicts[0][1]["meeting"]["status"] == "Booked" and conflicts[0][1]["employeeId"] == b.ANNA
    assert client.get(f"/bookme/meetings/{meeting['id']}", headers=h).json()["status"] == "Booked"
    assert "10:00" not in free(client, token, "2026-06-02")  # still the customer's time
    clock.advance(minutes=1)
    sync(client, token)
    assert len(_events_of_kind(client, "meeting.calendar_conflict")) == 1  # reported once


def test_who_may_connect_a_calendar(client, token, load_bank, radicale, answers):
    load_bank(b.bank())
    body = {"url": f"{radicale.url}anna/calendar/", "username": "anna", "password": PASSWORD}
    refused(client.put(PATH, json=body, headers=token("customer")), 403)
    refused(client.put(PATH, json=body, headers=token("employee", subject=b.BO)), 403, "own calendar connection")
    created = client.put(PATH, json=body, headers=token("employee", subject=b.ANNA))
    assert created.status_code == 201, created.text
    assert client.put(PATH, json=body, headers=token("admin")).status_code == 200  # replaced
    for method in ("get", "delete"):
        refused(getattr(client, method)(PATH, headers=token("customer")), 403)
    refused(client.post(PATH + "/sync", headers=token("customer")), 403)
    refused(client.get(PATH, headers=token("employee", subject=b.BO)), 403)
    refused(client.get(f"/config/employees/{b.ident('nobody')}/calendar-connection", headers=token("admin")), 404, "employee")
    refused(client.put(PATH, json={**body, "url": "ftp://example.test/cal"}, headers=token("admin")), 400, "url")
    state = client.get(PATH, headers=token("employee", subject=b.ANNA)).json()
    assert set(state) >= {"url", "username", "lastSyncAt", "lastError", "stale", "eventsSeen", "consecutiveFailures"}
    assert all(PASSWORD not in r.text for r in answers)


def test_the_password_is_stored_encrypted(client, token, load_bank, radicale, database_url):
    load_bank(b.bank())
    connect(client, token, radicale)
    from meetbook.core.db import unit_of_work
    from meetbook.tables.calendar import CalendarConnectionRow

    async def stored():
        async with unit_of_work(client.app.state.sessions) as session:
            return (await session.scalars(select(CalendarConnectionRow.password_encrypted))).one()

    value = client.portal.call(stored)
    assert PASSWORD not in value and base64.b64encode(PASSWORD.encode()).decode() not in value


def test_outside_development_a_connection_needs_a_secret_key(database_url, tmp_path, clock, token, load_bank):
    from fastapi.testclient import TestClient

    from meetbook.app import create_app
    from meetbook.core.config import Settings

    load_bank(b.bank())
    # The calendar's name does not resolve here: the bank's own network is allowed, so the address rule
    # (tests/integration/test_calendar_ssrf.py) does not decide these answers.
    common = dict(database_url=database_url, sweep_interval_seconds=0, dispatch_in_server=False, calendar_sync_seconds=0,
                  environment="production", auth_secret="a-production-secret-of-more-than-32-characters",
                  calendar_allow_private=True)
    body = {"url": "https://caldav.example.test/anna/", "username": "anna", "password": PASSWORD}
    settings = Settings(**common)
    with TestClient(create_app(settings, clock)) as client:
        from meetbook.auth.tokens import issue_token

        admin = {"Authorization": "Bearer " + issue_token(settings, "admin", "admin-1", None)}
        refused(client.put(PATH, json=body, headers=admin), 400, "MEETBOOK_SECRET_KEY")
        refused(client.put(PATH, json={**body, "url": "http://caldav.example.test/anna/"}, headers=admin), 400, "https")
    keyed = Settings(**common, secret_key="k" * 40)
    with TestClient(create_app(keyed, clock)) as client:
        admin = {"Authorization": "Bearer " + issue_token(keyed, "admin", "admin-1", None)}
        assert client.put(PATH, json=body, headers=admin).status_code == 201
    with pytest.raises(ValueError, match="MEETBOOK_SECRET_KEY"):
        Settings(**common, secret_key="short")


def test_a_wrong_password_or_address_is_a_visible_failure(client, token, load_bank, radicale, answers, caplog):
    caplog.set_level(logging.DEBUG)
    load_bank(b.bank())
    wrong = "Not-Annas-password-99"
    assert client.put(PATH, json={"url": f"{radicale.url}anna/calendar/", "username": "anna", "password": wrong},
                      headers=token("admin")).status_code == 201
    state = sync(client, token)
    assert "refused the username or password" in state["lastError"] and state["consecutiveFailures"] == 1, state
    assert wrong not in state["lastError"]
    # The server's address: the account's calendar is found through its principal.
    radicale.calendar("anna")
    connect(client, token, radicale, url=radicale.url)
    state = sync(client, token)
    assert state["lastError"] is None and state["calendarUrl"].endswith("/anna/calendar/"), state
    assert all(wrong not in r.text for r in answers) and all(wrong not in r.getMessage() for r in caplog.records)
