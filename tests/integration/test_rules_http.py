"""Each availability rule once over HTTP, on both databases, from the bank's point of view.

Anna works Monday to Friday 09:00–12:00 in Copenhagen (Physical and Online). The clock stands at
Monday 1 June 2026, 08:00 in Copenhagen (06:00Z, summer time: local = UTC+2).
"""

from __future__ import annotations

import datetime as dt

from tests import bankdata as b
from tests.integration.helpers import book, reserve, search


def anna(client, h, meeting_type="physical", **params):
    """Anna's offered start times (UTC, HH:MM) per date."""
    slots = search(client, h, requireEmployeeParticipation="false", explicitEmployeeIds=b.ANNA, meetingTypes=meeting_type, **params)
    days: dict[str, list[str]] = {}
    for s in slots:
        days.setdefault(s["startDate"][:10], []).append(s["startDate"][11:16])
    return days


def settings(**values):
    return {"timeZone": "Europe/Copenhagen", "defaultMeetingDuration": "01:00:00", **values}


def _book_at(client, h, start: str, end: str):
    hold = reserve(client, h, {"startDate": start, "endDate": end, "employeeId": b.ANNA})
    assert hold.status_code == 200, hold.text
    created = book(client, h, hold.json(), b.T_HOUSING)
    assert created.status_code == 201, created.text


def test_buffer_after_meetings(client, token, load_bank):
    load_bank(b.bank(organizationSettings=settings(bufferBetweenMeetings="00:30:00")))
    h = token()
    _book_at(client, h, "2026-06-01T07:00:00Z", "2026-06-01T08:00:00Z")  # 09:00–10:00 local
    assert anna(client, h)["2026-06-01"] == ["08:30", "09:00"]  # 10:30 and 11:00, not 10:00
    squeezed = reserve(client, token(), {"startDate": "2026-06-01T08:00:00Z", "endDate": "2026-06-01T09:00:00Z", "employeeId": b.ANNA})
    assert squeezed.status_code == 409


def test_closing_days_block_the_whole_local_day(client, token, load_bank):
    load_bank(b.bank(organizationSettings=settings(closingDays=["2026-06-02"])))
    days = anna(client, token())
    assert "2026-06-02" not in days and "2026-06-01" in days and "2026-06-03" in days


def test_opening_hours_bound_customer_searches_only(client, token, load_bank):
    load_bank(b.bank(organizationSettings=settings(openingTime="10:00:00", closingTime="17:00:00")))
    assert anna(client, token("customer"))["2026-06-01"] == ["08:00", "08:30", "09:00"]
    internal = anna(client, token("employee"), isCustomerInitiated="false")
    assert internal["2026-06-01"] == ["07:00", "07:30", "08:00", "08:30", "09:00"]


def test_minimum_notice_counts_working_hours(client, token, load_bank, clock):
    load_bank(b.bank(organizationSettings=settings(workingTimeBuffer="02:00:00")))
    clock.set(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC))  # Monday 11:00 local: one working hour left today
    days = anna(client, token())
    assert "2026-06-01" not in days
    assert days["2026-06-02"][0] == "08:00"  # Tuesday 10:00 local: the second working hour has passed
    ignoring = anna(client, token("employee"), ignoreMinimumTimeBeforeBooking="true")
    assert ignoring["2026-06-01"] == ["09:00"]
    refused = reserve(client, token(), {"startDate": "2026-06-02T07:00:00Z", "endDate": "2026-06-02T08:00:00Z", "employeeId": b.ANNA})
    assert refused.status_code == 409


def test_max_time_from_booking_to_meeting_caps_the_window(client, token, load_bank):
    load_bank(b.bank(organizationSettings=settings(maxTimeFromBookingToMeeting="2.00:00:00")))
    days = anna(client, token(), lookForwardTime="14.00:00:00")
    assert sorted(days) == ["2026-06-01", "2026-06-02"]


def test_daily_cap_precedence(client, token, load_bank):
    load_bank(b.bank(organizationSettings=settings(maxMeetingTimePerDay="01:00:00")))
    h = token()
    _book_at(client, h, "2026-06-01T07:00:00Z", "2026-06-01T08:00:00Z")
    assert "2026-06-01" not in anna(client, h)  # the bank's one hour is used up
    assert anna(client, token("employee"), isCustomerInitiated="false")["2026-06-01"] == ["08:00", "08:30", "09:00"]

    schedules = [dict(s) for s in b.BASE["employeeSchedules"]]
    schedules[0] = {**schedules[0], "maxMeetingTimePerDay": "02:00:00"}
    load_bank(b.bank(organizationSettings=settings(maxMeetingTimePerDay="01:00:00"), employeeSchedules=schedules))
    assert anna(client, h)["2026-06-01"] == ["08:00", "08:30", "09:00"]  # Anna's own two hours win


def test_external_calendar_time(client, token, load_bank):
    load_bank(b.bank())
    employee, customer = token("employee"), token("customer")

    def add(start, end, status):
        response = client.post("/bookme/time-slots", json={"startDate": start, "endDate": end, "status": status, "employeeId": b.ANNA}, headers=employee)
        assert response.status_code == 201, response.text
        return response.json()

    busy = add("2026-06-01T07:00:00Z", "2026-06-01T08:00:00Z", "Busy")
    add("2026-06-01T11:00:00Z", "2026-06-01T13:00:00Z", "ExtraOpen")  # 13:00–15:00 local
    add("2026-06-02T00:00:00Z", "2026-06-02T22:00:00Z", "WorkingFromElsewhere")

    physical, online = anna(client, customer), anna(client, customer, "online")
    assert physical["2026-06-01"] == ["08:00", "08:30", "09:00"]
    assert online["2026-06-01"] == ["08:00", "08:30", "09:00", "11:00", "11:30", "12:00"]
    assert "2026-06-02" not in physical and online["2026-06-02"]

    listed = client.get("/bookme/time-slots", params={"employeeId": b.ANNA, "startDate": "2026-06-01T00:00:00Z", "endDate": "2026-06-03T00:00:00Z"}, headers=employee).json()
    assert [e["status"] for e in listed] == ["Busy", "ExtraOpen", "WorkingFromElsewhere"]
    assert client.post("/bookme/time-slots", json={"startDate": "2026-06-01T07:00:00Z", "endDate": "2026-06-01T08:00:00Z", "status": "Busy", "employeeId": b.ANNA}, headers=customer).status_code == 403
    assert client.post("/bookme/time-slots", json={"startDate": "2026-06-01T07:00:00Z", "endDate": "2026-06-01T08:00:00Z", "status": "Holiday", "employeeId": b.ANNA}, headers=employee).status_code == 400

    assert client.delete(f"/bookme/time-slots/{busy['id']}", headers=employee).status_code == 204
    assert anna(client, customer)["2026-06-01"][0] == "07:00"


def test_busy_over_a_meeting_needs_ignore_conflicts(client, token, load_bank):
    load_bank(b.bank())
    _book_at(client, token(), "2026-06-01T07:00:00Z", "2026-06-01T08:00:00Z")
    body = {"startDate": "2026-06-01T07:30:00Z", "endDate": "2026-06-01T09:00:00Z", "status": "Busy", "employeeId": b.ANNA}
    assert client.post("/bookme/time-slots", json=body, headers=token("employee")).status_code == 409
    assert client.post("/bookme/time-slots", json={**body, "ignoreTimeSlotConflicts": True}, headers=token("employee")).status_code == 201


def test_priority_rules_decide_who_gets_the_slot(client, token, load_bank):
    params = {"explicitEmployeeIds": b.CARL, "employeeTypes": ["Explicit", "Local"], "customerLocation": "Copenhagen", "meetingTypes": "physical"}
    load_bank(b.bank())
    default = search(client, token(), **params)
    assert {s["employeeId"] for s in default} == {b.CARL}
    load_bank(b.bank(priorityRules=[{"type": "Local"}, {"type": "Explicit"}]))
    local_first = search(client, token(), **params)
    assert {s["employeeId"] for s in local_first} == {b.ANNA}


def test_daylight_saving_change_in_copenhagen(client, token, load_bank):
    load_bank(b.bank())
    days = anna(client, token(), startDate="2026-10-23T00:00:00Z", lookForwardTime="4.00:00:00")
    assert days["2026-10-23"][0] == "07:00"  # Friday, summer time: 09:00 local = 07:00Z
    assert days["2026-10-26"][0] == "08:00"  # Monday after the change: 09:00 local = 08:00Z
    assert days["2026-10-26"] == ["08:00", "08:30", "09:00", "09:30", "10:00"]


def test_a_half_hour_zone_keeps_its_local_grid(client, token, load_bank):
    load_bank(b.bank(organizationSettings=settings(timeZone="Asia/Kolkata")))
    days = anna(client, token(), startDate="2026-06-02T00:00:00Z", lookForwardTime="1.00:00:00")
    assert days["2026-06-02"] == ["03:30", "04:00", "04:30", "05:00", "05:30"]  # 09:00–11:00 local (+05:30)


def test_durations_off_the_grid_and_late_starts(client, token, load_bank):
    schedules = [dict(s) for s in b.BASE["employeeSchedules"]]
    schedules[0] = {"employeeId": b.ANNA, "workdays": b.week("09:07:00", "12:00:00", "Copenhagen", ["Physical"])}
    load_bank(b.bank(employeeSchedules=schedules))
    h = token()
    assert anna(client, h)["2026-06-01"] == ["07:30", "08:00", "08:30", "09:00"]  # first slot 09:30 local
    slots = search(client, h, requireEmployeeParticipation="false", explicitEmployeeIds=b.ANNA, meetingDuration="00:45:00", startDate="2026-06-01T00:00:00Z", lookForwardTime="1.00:00:00")
    assert [(s["startDate"][11:16], s["endDate"][11:16]) for s in slots] == [
        ("07:30", "08:15"), ("08:00", "08:45"), ("08:30", "09:15"), ("09:00", "09:45")
    ]


def test_ninety_days_ahead(client, token, load_bank):
    load_bank(b.bank())
    days = anna(client, token(), lookForwardTime="90.00:00:00")
    assert min(days) == "2026-06-01" and max(days) == "2026-08-28"  # the last weekday before 30 August
    assert len(days) == 65  # weekdays from 1 June to 28 August
