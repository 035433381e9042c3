"""GET /bookme/time-slots/unavailability over HTTP on both databases: why a day has no time, and
alternatives that book.

Anna works Monday to Friday 09:00-12:00 in Copenhagen (Physical and Online), Bo in Aarhus (Online);
the clock stands at Monday 1 June 2026, 08:00 in Copenhagen (06:00Z).
"""

from __future__ import annotations

from tests import bankdata as b
from tests.integration.helpers import refused, reserve

MONDAY_ONLY = {"startDate": "2026-06-01T06:00:00Z", "lookForwardTime": "0.16:00:00"}  # to Monday 24:00 local


def settings(**values):
    return {"timeZone": "Europe/Copenhagen", "defaultMeetingDuration": "01:00:00", **values}


def unavailability(client, headers, **params) -> dict:
    params.setdefault("requireEmployeeParticipation", "false")
    response = client.get("/bookme/time-slots/unavailability", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def day(answer: dict, date: str) -> dict:
    return next(d for d in answer["days"] if d["date"] == date)


def takes(client, headers, alternative: dict) -> None:
    """The alternative is a slot the normal reserve call holds."""
    held = reserve(client, headers, alternative)
    assert held.status_code == 200, held.text


def test_a_holiday_and_customers_see_no_advisors(client, token, load_bank):
    load_bank(b.bank(organizationSettings=settings(closingDays=["2026-06-05"])))
    answer = unavailability(client, token(), topic=b.T_HOUSING, meetingLocation="Copenhagen")
    # seven days from Monday 08:00: the next Monday until 08:00 too
    assert [d["date"] for d in answer["days"]] == [f"2026-06-0{n}" for n in range(1, 9)]
    friday = day(answer, "2026-06-05")
    assert friday == {"date": "2026-06-05", "available": False, "reasons": [{"code": "ClosingDay", "count": 1}]}
    assert day(answer, "2026-06-04") == {"date": "2026-06-04", "available": True, "reasons": []}
    assert day(answer, "2026-06-06")["reasons"] == [{"code": "NotWorking", "count": 1}]
    assert answer["alternatives"] == []  # the week has time
    employee = unavailability(client, token("employee"), topic=b.T_HOUSING, meetingLocation="Copenhagen")
    assert day(employee, "2026-06-05")["advisors"] == [{"employeeId": b.ANNA, "code": "ClosingDay"}]


def test_an_advisor_at_their_daily_cap(client, token, load_bank):
    load_bank(b.bank(organizationSettings=settings(maxMeetingTimePerDay="01:00:00")))
    staff = token("employee")
    assert reserve(client, staff, {"startDate": "2026-06-01T07:00:00Z", "endDate": "2026-06-01T08:00:00Z",
                                   "employeeId": b.ANNA}).status_code == 200
    answer = unavailability(client, staff, explicitEmployeeIds=b.ANNA, **MONDAY_ONLY)
    assert answer["days"] == [{"date": "2026-06-01", "available": False,
                               "reasons": [{"code": "DailyCapReached", "count": 1}],
                               "advisors": [{"employeeId": b.ANNA, "code": "DailyCapReached"}]}]
    kinds = {a["kind"]: a for a in answer["alternatives"]}
    assert kinds["LaterTime"]["startDate"] == "2026-06-02T07:00:00.000Z"
    takes(client, token(), kinds["LaterTime"])


def test_a_topic_nobody_at_the_branch_is_qualified_for(client, token, load_bank):
    document = b.bank()
    for employee in document["employees"]:
        if employee["id"] == b.ANNA:
            employee["skills"] = {"topicIds": [b.T_BUSINESS]}
    load_bank(document)
    answer = unavailability(client, token(), topic=b.T_HOUSING, meetingLocation="Copenhagen")
    assert all(d["reasons"] == [{"code": "NotQualified", "count": 1}] for d in answer["days"])
    (branch,) = [a for a in answer["alternatives"] if a["kind"] == "OtherBranch"]
    assert (branch["location"], branch["employeeId"], branch["meetingType"]) == ("Aarhus", b.BO, "Online")
    assert branch["startDate"] == "2026-06-01T07:00:00.000Z"
    takes(client, token(), branch)


def test_minimum_notice(client, token, load_bank):
    load_bank(b.bank(organizationSettings=settings(workingTimeBuffer="03:00:00")))
    answer = unavailability(client, token(), explicitEmployeeIds=b.ANNA, **MONDAY_ONLY)
    assert day(answer, "2026-06-01")["reasons"] == [{"code": "MinimumNotice", "count": 1}]
    later = next(a for a in answer["alternatives"] if a["kind"] == "LaterTime")
    assert later["startDate"] == "2026-06-02T07:00:00.000Z"  # Tuesday 09:00: three working hours on
    takes(client, token(), later)


def test_beyond_the_booking_horizon(client, token, load_bank):
    load_bank(b.bank(organizationSettings=settings(maxTimeFromBookingToMeeting="1.00:00:00")))
    answer = unavailability(client, token(), explicitEmployeeIds=b.ANNA, lookForwardTime="4.00:00:00")
    assert day(answer, "2026-06-01")["available"]
    assert day(answer, "2026-06-03")["reasons"] == [{"code": "BeyondBookingHorizon", "count": 1}]
    assert day(answer, "2026-06-04")["reasons"] == [{"code": "BeyondBookingHorizon", "count": 1}]


def test_fully_booked_and_the_first_free_time_after(client, token, load_bank):
    load_bank(b.bank())
    staff = token("employee")
    for hour in (7, 8, 9):
        taken = reserve(client, staff, {"startDate": f"2026-06-01T0{hour}:00:00Z", "endDate": f"2026-06-01T{hour + 1:02d}:00:00Z",
                                        "employeeId": b.ANNA})
        assert taken.status_code == 200, taken.text
    customer = token()
    answer = unavailability(client, customer, explicitEmployeeIds=b.ANNA, **MONDAY_ONLY)
    assert answer["days"] == [{"date": "2026-06-01", "available": False, "reasons": [{"code": "FullyBooked", "count": 1}]}]
    later = next(a for a in answer["alternatives"] if a["kind"] == "LaterTime")
    assert (later["startDate"], later["employeeId"]) == ("2026-06-02T07:00:00.000Z", b.ANNA)
    takes(client, customer, later)


def test_online_instead_and_another_advisor(client, token, load_bank):
    """Anna works elsewhere on Monday: no meeting at the branch, but online, or with Bo."""
    load_bank(b.bank(timeSlots=[{"employeeId": b.ANNA, "startDate": "2026-06-01T06:00:00Z", "endDate": "2026-06-01T11:00:00Z",
                                 "status": "WorkingFromElsewhere"}]))
    customer = token()
    answer = unavailability(client, customer, explicitEmployeeIds=b.ANNA, meetingTypes="physical", topic=b.T_HOUSING,
                            **MONDAY_ONLY)
    assert answer["days"][0]["reasons"] == [{"code": "ExternalBusy", "count": 1}]
    kinds = {a["kind"]: a for a in answer["alternatives"]}
    assert (kinds["OtherMeetingType"]["meetingType"], kinds["OtherMeetingType"]["employeeId"]) == ("Online", b.ANNA)
    takes(client, customer, kinds["OtherMeetingType"])
    # Bo (Aarhus) offers only Online, so nobody else meets at a branch: no such alternative
    assert "OtherAdvisor" not in kinds


def test_another_advisor_qualified_for_the_topic(client, token, load_bank):
    load_bank(b.bank(timeSlots=[{"employeeId": b.ANNA, "startDate": "2026-06-01T06:00:00Z", "endDate": "2026-06-01T11:00:00Z",
                                 "status": "Busy"}]))
    answer = unavailability(client, token(), explicitEmployeeIds=b.ANNA, meetingTypes="online", topic=b.T_HOUSING,
                            **MONDAY_ONLY)
    assert answer["days"][0]["reasons"] == [{"code": "ExternalBusy", "count": 1}]
    other = next(a for a in answer["alternatives"] if a["kind"] == "OtherAdvisor")
    assert (other["employeeId"], other["startDate"]) == (b.BO, "2026-06-01T07:00:00.000Z")
    takes(client, token(), other)


def test_the_search_parameters_are_checked_as_the_search_checks_them(client, token, load_bank):
    load_bank(b.bank())
    missing = client.get("/bookme/time-slots/unavailability", params={"requireEmployeeParticipation": "false",
                                                                      "topic": b.ident("nope")}, headers=token())
    refused(missing, 404, "topic")
    unknown = client.get("/bookme/time-slots/unavailability", params={"requireEmployeeParticipation": "false",
                                                                      "topicId": b.T_HOUSING}, headers=token())
    refused(unknown, 400, "topicId")
    forbidden = client.get("/bookme/time-slots/unavailability", params={"requireEmployeeParticipation": "false",
                                                                        "isCustomerInitiated": "false"}, headers=token())
    refused(forbidden, 403)


def test_a_named_holiday_in_the_page_language(client, token, load_bank):
    load_bank(b.bank(organizationSettings=settings(
        closingDays=["2026-06-05"], closingDayTranslations={"2026-06-05": {"da-DK": "Grundlovsdag", "en-GB": "Constitution Day"}})))
    customer = token()
    query = {"topic": b.T_HOUSING, "meetingLocation": "Copenhagen"}
    danish = unavailability(client, customer, **query)
    assert day(danish, "2026-06-05")["reasons"] == [{"code": "ClosingDay", "name": "Grundlovsdag", "count": 1}]
    english = unavailability(client, customer, lang="en-GB", **query)
    assert day(english, "2026-06-05")["reasons"] == [{"code": "ClosingDay", "name": "Constitution Day", "count": 1}]
    refused(client.get("/bookme/time-slots/unavailability", params={**query, "requireEmployeeParticipation": "false", "lang": "xx"},
                    headers=customer), 400)
