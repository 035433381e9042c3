"""Meetings reach people: invitations, changes, cancellations and reminders by e-mail, through a real
SMTP server on the loopback, parsed back as a mail program and a calendar would."""

from __future__ import annotations

import datetime as dt
import email
from email.policy import default as DEFAULT_POLICY

import pytest
from icalendar import Calendar

from tests import bankdata as b
from tests.integration.helpers import book, reserve, search
from tests.smtp_inbox import Inbox

CUSTOMER = "karen@example.test"
FROM = "bookings@bank.test"


@pytest.fixture
def inbox():
    with Inbox() as server:
        yield server


@pytest.fixture
def settings(database_url, tmp_path, inbox):
    from meetbook.core.config import Settings

    return Settings(environment="development", database_url=database_url, sweep_interval_seconds=0, dispatch_in_server=False,
                    smtp_url=inbox.url, mail_from=FROM, mail_dir=str(tmp_path / "mail"))


def deliver(client) -> int:
    """One dispatcher's rounds at the clock's time, as the server's own dispatcher runs them."""
    return client.portal.call(client.app.state.dispatcher.run_until_idle)


def _book(client, h, *, start_index=0, **extra):
    slots = search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")
    hold = reserve(client, h, slots[start_index]).json()
    created = book(client, h, hold, b.T_HOUSING, customerEmail=CUSTOMER, customerName="Karen Kunde", **extra)
    assert created.status_code == 201, created.text
    return created.json()


def _ics_uid(client, h, meeting_id) -> str:
    return str(Calendar.from_ical(client.post(f"/bookme/meetings/{meeting_id}/ical", headers=h).content).walk("VEVENT")[0]["UID"])


def _instant(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_a_booking_invites_the_customer_the_advisor_and_the_room(client, token, load_bank, inbox):
    load_bank(b.bank())
    h = token("customer", subject="c-1")
    meeting = _book(client, h, language="en")
    assert inbox.received == []  # nothing is sent from inside the request
    deliver(client)

    by_address = {r.recipients[0]: r for r in inbox.received}
    advisor = {b.ANNA: "anna@bank.test", b.BO: "bo@bank.test", b.CARL: "carl@bank.test"}[meeting["employeeId"]]
    expected = {CUSTOMER, advisor} | ({"room1@bank.test"} if meeting["roomId"] == b.ROOM_1 else set())
    expected |= {"room2@bank.test"} if meeting["roomId"] == b.ROOM_2 else set()
    assert set(by_address) == expected
    assert len(inbox.received) == len(expected)  # one message per mailbox

    message = by_address[CUSTOMER]
    # RFC 6047: text, HTML and the calendar with its method as alternatives, and the .ics attached.
    assert message.message.get_content_type() == "multipart/mixed"
    calendar_part = message.part("text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    attachment = message.part("application/ics")
    assert attachment.get_filename() == "invite.ics"
    assert Calendar.from_ical(attachment.get_content())["METHOD"] == "REQUEST"
    assert message.message["From"].addresses[0].addr_spec == FROM
    assert message.message["Content-Language"] == "en-GB"
    assert "Karen" in message.text and "<p" in message.html and "Karen" in message.html

    event = message.event
    assert message.calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == _ics_uid(client, h, meeting["id"])
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == _instant(meeting["startDate"])
    assert event.decoded("DTEND") == _instant(meeting["endDate"])
    assert str(event["ORGANIZER"]) == f"mailto:{FROM}"
    attendees = {str(a) for a in (event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]])}
    assert f"mailto:{CUSTOMER}" in attendees and f"mailto:{advisor}" in attendees

    # Stable ids: the advisor's message is another message, and delivering again sends nothing new.
    assert by_address[advisor].message_id != message.message_id
    deliver(client)
    assert len(inbox.received) == len(expected)


def test_the_customer_reads_danish_by_default_and_the_bank_can_stop_customer_messages(client, token, load_bank, inbox):
    load_bank(b.bank())
    h = token("customer", subject="c-2")
    _book(client, h)
    deliver(client)
    danish = inbox.to(CUSTOMER)[0]
    assert danish.message["Content-Language"] == "da-DK"

    admin = token("admin")
    current = client.get("/bookme/config/organization-settings", headers=admin).json()
    changed = client.put("/bookme/config/organization-settings", json={**current, "sendConfirmationToCustomer": False}, headers=admin)
    assert changed.status_code == 200, changed.text
    _book(client, h, start_index=3)
    deliver(client)
    assert len(inbox.to(CUSTOMER)) == 1  # the second booking reached the advisor only
    assert len(inbox.received) >= 3


def test_a_move_sends_the_same_uid_with_a_higher_sequence_and_a_cancel_cancels(client, token, load_bank, inbox):
    load_bank(b.bank())
    h = token("customer", subject="c-3")
    meeting = _book(client, h)
    deliver(client)
    first = inbox.to(CUSTOMER)[0].event

    target = {"startDate": "2026-06-03T07:00:00.000Z", "endDate": "2026-06-03T08:00:00.000Z", "employeeId": meeting["employeeId"]}
    hold = reserve(client, h, target, existingMeetingId=meeting["id"])
    assert hold.status_code == 200, hold.text
    moved = client.put(f"/bookme/meetings/{meeting['id']}", json={"timeSlotId": hold.json()["id"]}, headers=h)
    assert moved.status_code == 200, moved.text
    deliver(client)
    update = inbox.to(CUSTOMER)[1]
    assert update.calendar["METHOD"] == "REQUEST"
    assert str(update.event["UID"]) == str(first["UID"])
    assert int(update.event["SEQUENCE"]) > int(first["SEQUENCE"])
    assert update.event.decoded("DTSTART") == dt.datetime(2026, 6, 3, 7, 0, tzinfo=dt.UTC)

    assert client.delete(f"/bookme/meetings/{meeting['id']}", headers=h).status_code == 204
    deliver(client)
    cancel = inbox.to(CUSTOMER)[2]
    assert cancel.part("text/calendar").get_param("method") == "CANCEL"
    assert cancel.calendar["METHOD"] == "CANCEL"
    assert str(cancel.event["STATUS"]) == "CANCELLED"
    assert str(cancel.event["UID"]) == str(first["UID"])
    assert int(cancel.event["SEQUENCE"]) > int(update.event["SEQUENCE"])
    # The customer's three messages went out in the order of the changes.
    assert [r.calendar["METHOD"] for r in inbox.to(CUSTOMER)] == ["REQUEST", "REQUEST", "CANCEL"]


def test_an_advisor_taken_off_a_meeting_gets_a_cancel(client, token, load_bank, inbox):
    load_bank(b.bank())
    employee = token("employee")
    meeting = _book(client, token("customer", subject="c-4"))
    extra = b.CARL if meeting["employeeId"] != b.CARL else b.ANNA
    extra_mail = "carl@bank.test" if extra == b.CARL else "anna@bank.test"
    added = client.put(f"/bookme/meetings/{meeting['id']}", json={"additionalEmployees": [extra]}, headers=employee)
    assert added.status_code == 200, added.text
    deliver(client)
    assert [r.calendar["METHOD"] for r in inbox.to(extra_mail)] == ["REQUEST"]
    removed = client.put(f"/bookme/meetings/{meeting['id']}", json={"additionalEmployees": []}, headers=employee)
    assert removed.status_code == 200, removed.text
    deliver(client)
    assert [r.calendar["METHOD"] for r in inbox.to(extra_mail)] == ["REQUEST", "CANCEL"]


def test_the_mail_server_down_then_back_delivers_exactly_once(client, token, load_bank, inbox, clock):
    load_bank(b.bank())
    h = token("customer", subject="c-5")
    inbox.stop()
    meeting = _book(client, h)
    deliver(client)
    employee = token("employee")
    pending = client.get(f"/bookme/meetings/{meeting['id']}/notifications", headers=employee).json()
    assert pending and all(n["status"] == "Pending" and n["attempts"] == 1 and n["lastError"] for n in pending)
    first_retry = min(_instant(n["nextAttemptAt"]) for n in pending)
    assert first_retry <= clock.now() + dt.timedelta(seconds=30)

    inbox.start()
    deliver(client)
    assert inbox.received == []  # not due yet: the retry waits its delay
    clock.advance(seconds=30)
    deliver(client)
    assert len(inbox.received) == len(pending)
    assert len({r.message_id for r in inbox.received}) == len(pending)
    clock.advance(hours=2)
    deliver(client)
    assert len(inbox.received) == len(pending)
    sent = client.get(f"/bookme/meetings/{meeting['id']}/notifications", headers=employee).json()
    assert {n["status"] for n in sent} == {"Sent"} and {n["attempts"] for n in sent} == {2}
    assert {n["messageId"] for n in sent} == {r.message_id for r in inbox.received}


def test_a_mailbox_that_refuses_fails_alone_and_can_be_sent_again(client, token, load_bank, inbox):
    load_bank(b.bank())
    inbox.handler.refuse[CUSTOMER] = "550 5.1.1 no such mailbox"
    h = token("customer", subject="c-6")
    meeting = _book(client, h)
    deliver(client)
    employee = token("employee")
    notes = client.get(f"/bookme/meetings/{meeting['id']}/notifications", headers=employee).json()
    customer = next(n for n in notes if n["recipient"] == CUSTOMER)
    assert customer["status"] == "Failed" and customer["attempts"] == 1 and "550" in customer["lastError"]
    assert all(n["status"] == "Sent" for n in notes if n["recipient"] != CUSTOMER)

    assert client.get(f"/bookme/meetings/{meeting['id']}/notifications", headers=h).status_code == 403
    del inbox.handler.refuse[CUSTOMER]
    again = client.post(f"/bookme/meetings/{meeting['id']}/notifications/{customer['id']}/resend", headers=employee)
    assert again.status_code == 202, again.text
    assert again.json()["status"] == "Pending"
    deliver(client)
    assert len(inbox.to(CUSTOMER)) == 1
    assert inbox.to(CUSTOMER)[0].message_id == customer["messageId"]
    twice = client.post(f"/bookme/meetings/{meeting['id']}/notifications/{customer['id']}/resend", headers=employee)
    assert twice.status_code == 202
    missing = client.post(f"/bookme/meetings/{meeting['id']}/notifications/{meeting['id']}/resend", headers=employee)
    assert missing.status_code == 404


def test_a_temporary_refusal_is_retried(client, token, load_bank, inbox, clock):
    load_bank(b.bank())
    inbox.handler.refuse[CUSTOMER] = "451 4.3.0 try again later"
    meeting = _book(client, token("customer", subject="c-7"))
    deliver(client)
    employee = token("employee")
    customer = next(n for n in client.get(f"/bookme/meetings/{meeting['id']}/notifications", headers=employee).json()
                    if n["recipient"] == CUSTOMER)
    assert customer["status"] == "Pending" and "451" in customer["lastError"]
    del inbox.handler.refuse[CUSTOMER]
    clock.advance(minutes=1)
    deliver(client)
    assert len(inbox.to(CUSTOMER)) == 1


def test_reminders_follow_the_meeting(client, token, load_bank, inbox, clock):
    load_bank(b.bank())
    h = token("customer", subject="c-8")
    # Wednesday 08:00Z, two days ahead: the default reminder (a day before) is due Tuesday 08:00Z.
    target = {"startDate": "2026-06-03T08:00:00.000Z", "endDate": "2026-06-03T09:00:00.000Z", "employeeId": b.ANNA}
    hold = reserve(client, h, target).json()
    meeting = book(client, h, hold, b.T_HOUSING, customerEmail=CUSTOMER).json()
    deliver(client)
    assert len(inbox.to(CUSTOMER)) == 1

    clock.set(dt.datetime(2026, 6, 2, 7, 59, tzinfo=dt.UTC))
    deliver(client)
    assert len(inbox.to(CUSTOMER)) == 1
    # The service was down at the due time: the reminder goes out when it is back, before the meeting.
    clock.set(dt.datetime(2026, 6, 2, 12, 0, tzinfo=dt.UTC))
    deliver(client)
    reminders = [r for r in inbox.to(CUSTOMER) if r.part("text/calendar") is None]
    assert len(reminders) == 1
    deliver(client)
    clock.advance(hours=3)
    deliver(client)
    assert len([r for r in inbox.to(CUSTOMER) if r.part("text/calendar") is None]) == 1  # sent once

    # A cancelled meeting is never reminded of; a moved one is reminded at its new time.
    other = book(client, h, reserve(client, h, {**target, "startDate": "2026-06-05T08:00:00.000Z", "endDate": "2026-06-05T09:00:00.000Z"}).json(),
                 b.T_HOUSING, customerEmail=CUSTOMER).json()
    moved = book(client, h, reserve(client, h, {**target, "startDate": "2026-06-04T08:00:00.000Z", "endDate": "2026-06-04T09:00:00.000Z"}).json(),
                 b.T_HOUSING, customerEmail=CUSTOMER).json()
    assert client.delete(f"/bookme/meetings/{other['id']}", headers=h).status_code == 204
    new_time = reserve(client, h, {**target, "startDate": "2026-06-08T08:00:00.000Z", "endDate": "2026-06-08T09:00:00.000Z"},
                       existingMeetingId=moved["id"]).json()
    assert client.put(f"/bookme/meetings/{moved['id']}", json={"timeSlotId": new_time["id"]}, headers=h).status_code == 200
    deliver(client)
    before = len(inbox.to(CUSTOMER))
    clock.set(dt.datetime(2026, 6, 5, 7, 0, tzinfo=dt.UTC))  # past both old due times
    deliver(client)
    assert len(inbox.to(CUSTOMER)) == before
    clock.set(dt.datetime(2026, 6, 7, 8, 30, tzinfo=dt.UTC))  # past the new one
    deliver(client)
    late = inbox.to(CUSTOMER)[before:]
    assert len(late) == 1 and late[0].message["X-Meetbook-Meeting"] == moved["id"]
    kinds = {n["kind"]: n["status"] for n in client.get(f"/bookme/meetings/{other['id']}/notifications", headers=token("employee")).json()
             if n["recipient"] == CUSTOMER and n["kind"] == "reminder"}
    assert kinds == {"reminder": "Skipped"}
    assert meeting["id"]


def test_a_reminder_is_not_sent_once_the_meeting_has_started(client, token, load_bank, inbox, clock):
    load_bank(b.bank())
    h = token("customer", subject="c-9")
    target = {"startDate": "2026-06-03T08:00:00.000Z", "endDate": "2026-06-03T09:00:00.000Z", "employeeId": b.ANNA}
    book(client, h, reserve(client, h, target).json(), b.T_HOUSING, customerEmail=CUSTOMER)
    deliver(client)
    clock.set(dt.datetime(2026, 6, 3, 8, 5, tzinfo=dt.UTC))  # down through the due time and the start
    deliver(client)
    assert len(inbox.to(CUSTOMER)) == 1


def test_pending_messages_survive_a_restart(app, settings, clock, token, load_bank, inbox):
    from fastapi.testclient import TestClient

    from meetbook.app import create_app

    load_bank(b.bank())
    h = token("customer", subject="c-10")
    with TestClient(app) as first:
        _book(first, h)  # committed; this process stops before its dispatcher runs
    assert inbox.received == []
    with TestClient(create_app(settings, clock)) as second:
        deliver(second)
    assert len(inbox.to(CUSTOMER)) == 1


def test_without_smtp_messages_are_eml_files(database_url, tmp_path, clock, token, load_bank):
    from fastapi.testclient import TestClient

    from meetbook.app import create_app
    from meetbook.core.config import Settings

    folder = tmp_path / "outbox-files"
    settings = Settings(environment="development", database_url=database_url, sweep_interval_seconds=0, dispatch_in_server=False,
                        mail_dir=str(folder))
    load_bank(b.bank())
    with TestClient(create_app(settings, clock)) as client:
        _book(client, token("customer", subject="c-11"))
        deliver(client)
    files = sorted(folder.glob("*.eml"))
    assert len(files) >= 2 and not list(folder.glob("*.partial"))
    parsed = [email.message_from_bytes(f.read_bytes(), policy=DEFAULT_POLICY) for f in files]
    assert CUSTOMER in {str(m["To"].addresses[0].addr_spec) for m in parsed}
    assert all(m.get_content_type() == "multipart/mixed" for m in parsed)


def test_a_process_that_dies_mid_send_leaves_the_message_due_again(client, token, load_bank, inbox, clock):
    load_bank(b.bank())
    meeting = _book(client, token("customer", subject="c-12"))
    dispatcher = client.app.state.dispatcher
    client.portal.call(dispatcher.plan)
    claimed = client.portal.call(dispatcher._claim)  # claimed, then the process "dies" before sending
    assert claimed and inbox.received == []
    deliver(client)
    assert inbox.received == []  # the claim's lease still holds: nobody else sends it meanwhile
    clock.advance(minutes=3)
    deliver(client)
    assert len(inbox.received) == len(claimed)
    notes = client.get(f"/bookme/meetings/{meeting['id']}/notifications", headers=token("employee")).json()
    assert {(n["status"], n["attempts"]) for n in notes} == {("Sent", 2)}
