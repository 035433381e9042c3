"""What the staff workspace reads over HTTP: who the signed-in employee is, the branch view (admin),
live holds among an advisor's calendar time, and the staff sign-in of the development issuer.
A customer reads none of it."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

from tests import bankdata as b
from tests.integration.helpers import book, refused, reserve

MONDAY_9 = {"startDate": "2026-06-01T07:00:00.000Z", "endDate": "2026-06-01T08:00:00.000Z", "employeeId": b.ANNA}
DANA = b.ident("dana")  # Copenhagen, no schedule
EVA = b.ident("eva")  # Copenhagen, a schedule with canBeBooked off


def _bank() -> dict:
    bank = b.bank()
    bank["employees"] = [
        *bank["employees"],
        {"id": DANA, "firstName": "Dana", "lastName": "Dam", "email": "dana@bank.test", "initials": "DD", "location": "Copenhagen",
         "externalId": "EMP-42"},
        {"id": EVA, "firstName": "Eva", "lastName": "Eg", "email": "eva@bank.test", "initials": "EE", "location": "Copenhagen"},
    ]
    bank["employeeSchedules"] = [
        *bank["employeeSchedules"],
        {"employeeId": EVA, "canBeBooked": False, "workdays": b.week("09:00:00", "12:00:00", "Copenhagen", ["Physical"])},
    ]
    bank["organizationSettings"] = {**bank["organizationSettings"], "maxMeetingTimePerDay": "02:00:00", "closingDays": ["2026-06-05"]}
    return bank


def test_the_signed_in_employee_by_id_or_external_id(client, token, load_bank):
    load_bank(_bank())
    me = client.get("/bookme/config/staff/me", headers=token("employee", subject=b.ANNA))
    assert me.status_code == 200, me.text
    assert me.json()["employee"]["id"] == b.ANNA and me.json()["isManager"] is False
    by_external = client.get("/bookme/config/staff/me", headers=token("admin", subject="EMP-42")).json()
    assert by_external["employee"]["id"] == DANA and by_external["isManager"] is True
    refused(client.get("/bookme/config/staff/me", headers=token("employee", subject="nobody")), 404, "nobody")
    refused(client.get("/bookme/config/staff/me", headers=token("customer", subject=b.ANNA)), 403, "employee")


def test_the_branch_view_shows_hours_load_and_why_advisors_cannot_be_booked(client, token, load_bank):
    load_bank(_bank())
    customer = token("customer", subject="c-1")
    hold = reserve(client, customer, MONDAY_9)
    assert book(client, customer, hold.json(), b.T_HOUSING).status_code == 201
    admin = token("admin", subject="manager")
    answer = client.get("/bookme/config/branch-overview", params={"location": "Copenhagen", "week": "2026-06-03"}, headers=admin)
    assert answer.status_code == 200, answer.text
    overview = answer.json()
    assert overview["weekStart"] == "2026-06-01" and overview["closingDays"] == ["2026-06-05"]
    rows = {a["employee"]["id"]: a for a in overview["advisors"]}
    assert set(rows) == {b.ANNA, b.CARL, DANA, EVA}, "Bo works in Aarhus"
    assert [a["employee"]["firstName"] for a in overview["advisors"]] == ["Anna", "Carl", "Dana", "Eva"]
    assert rows[b.ANNA]["problems"] == [] and rows[b.CARL]["isOnlyExplicitlyAvailable"] is True
    assert rows[DANA]["problems"] == ["NoSchedule"] and rows[DANA]["canBeBooked"] is False
    assert rows[EVA]["problems"] == ["NotBookable"]
    monday, friday, saturday = rows[b.ANNA]["days"][0], rows[b.ANNA]["days"][4], rows[b.ANNA]["days"][5]
    assert monday == {"date": "2026-06-01", "isAvailable": True, "from": "09:00:00", "to": "12:00:00", "location": "Copenhagen",
                      "booked": "01:00:00", "meetings": 1, "dailyCap": "02:00:00"}
    assert friday["isAvailable"] is False and friday["from"] == "09:00:00", "a closing day"
    assert saturday["isAvailable"] is False and saturday["from"] is None
    # Nothing of it for employees without the admin scope, nor for customers.
    refused(client.get("/bookme/config/branch-overview", params={"location": "Copenhagen"}, headers=token("employee", subject=b.ANNA)),
            403, "admin")
    refused(client.get("/bookme/config/branch-overview", params={"location": "Copenhagen"}, headers=customer), 403, "admin")
    refused(client.get("/bookme/config/branch-overview", params={"location": "Atlantis"}, headers=admin), 404, "Atlantis")
    refused(client.get("/bookme/config/branch-overview", params={"location": "Copenhagen", "week": "soon"}, headers=admin), 400, "week")


def test_an_advisor_without_any_qualification_is_flagged(client, token, load_bank):
    bank = _bank()
    # Anna may serve business credit, but only for private customers, and that topic is for business customers only:
    # no search ever reaches her.
    bank["employees"][0] = {**bank["employees"][0], "skills": {"topicIds": [b.T_BUSINESS], "customerTypeIds": [b.CT_PRIVATE]}}
    load_bank(bank)
    overview = client.get("/bookme/config/branch-overview", params={"location": "Copenhagen", "week": "2026-06-01"},
                          headers=token("admin")).json()
    anna = next(a for a in overview["advisors"] if a["employee"]["id"] == b.ANNA)
    assert anna["problems"] == ["NoQualification"], anna


def test_live_holds_are_listed_with_calendar_time_for_employees_only(client, token, load_bank, clock):
    load_bank(_bank())
    customer = token("customer", subject="c-1")
    hold = reserve(client, customer, MONDAY_9).json()
    staff = token("employee", subject=b.ANNA)
    params = {"employeeId": b.ANNA, "startDate": "2026-06-01T00:00:00Z", "endDate": "2026-06-02T00:00:00Z"}
    assert client.get("/bookme/time-slots", params=params, headers=staff).json() == []
    listed = client.get("/bookme/time-slots", params={**params, "includeHolds": "true"}, headers=staff).json()
    assert [(x["id"], x["status"]) for x in listed] == [(hold["id"], "Reserved")]
    refused(client.get("/bookme/time-slots", params={**params, "includeHolds": "true"}, headers=customer), 403, "employee")
    clock.advance(minutes=6)
    assert client.get("/bookme/time-slots", params={**params, "includeHolds": "true"}, headers=staff).json() == [], "ran out"


def _pkce() -> tuple[str, str]:
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def test_the_development_staff_sign_in_issues_employee_and_admin_tokens(client, load_bank):
    load_bank(_bank())
    verifier, challenge = _pkce()
    redirect = "http://testserver/staff/"
    query = {"response_type": "code", "client_id": "staff-workspace", "redirect_uri": redirect, "code_challenge": challenge,
             "code_challenge_method": "S256", "state": "s1", "scope": "employee"}
    form = client.get("/oauth/staff/authorize", params=query)
    assert form.status_code == 200 and "Anna Andersen (AA)" in form.text and "Filialchef" in form.text
    assert client.get("/staff/config.json").json() == {"authorizationEndpoint": "../oauth/staff/authorize", "tokenEndpoint": "../oauth/token",
                                                       "clientId": "staff-workspace", "scope": "employee"}

    def sign_in(**extra):
        answer = client.post("/oauth/staff/authorize", data={**query, **extra}, follow_redirects=False)
        assert answer.status_code == 303, answer.text
        code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        token = client.post("/oauth/token", data={"grant_type": "authorization_code", "client_id": "staff-workspace", "code": code,
                                                  "code_verifier": verifier, "redirect_uri": redirect})
        assert token.status_code == 200, token.text
        return token.json()

    advisor = sign_in(employee=b.ANNA)
    assert advisor["scope"] == "employee" and advisor["name"] == "Anna Andersen"
    me = client.get("/bookme/config/staff/me", headers={"Authorization": f"Bearer {advisor['access_token']}"}).json()
    assert me == {"employee": me["employee"], "isManager": False} and me["employee"]["id"] == b.ANNA
    manager = sign_in(employee=DANA, manager="yes")
    assert manager["scope"] == "admin"
    wrong = client.post("/oauth/staff/authorize", data={**query, "employee": "someone"}, follow_redirects=False)
    assert wrong.status_code == 400 and "Vælg en medarbejder." in wrong.text
    # Each client at its own form: the booking page's client is no staff member, nor the other way round.
    assert client.get("/oauth/staff/authorize", params={**query, "client_id": "booking-page"}).status_code == 400
    assert client.get("/oauth/authorize", params={**query, "client_id": "staff-workspace", "scope": "customer"}).status_code == 400
    scoped = client.get("/oauth/staff/authorize", params={**query, "scope": "customer"}, follow_redirects=False)
    assert scoped.status_code == 303 and "invalid_scope" in scoped.headers["location"]


def test_the_staff_sign_in_is_off_outside_development(database_url, load_bank):
    from fastapi.testclient import TestClient

    from meetbook.app import create_app
    from meetbook.core.config import Settings

    settings = Settings(environment="production", database_url=database_url, auth_secret="x" * 40, sweep_interval_seconds=0,
                        dispatch_in_server=False, rate_limits="")
    with TestClient(create_app(settings)) as production:
        _verifier, challenge = _pkce()
        answer = production.get("/oauth/staff/authorize", params={
            "response_type": "code", "client_id": "staff-workspace", "redirect_uri": "http://testserver/staff/",
            "code_challenge": challenge, "code_challenge_method": "S256"})
        assert answer.status_code == 404
        page = production.get("/staff/")
        assert page.status_code == 200 and re.search(r'<script type="module" src="../static/staff/app.js">', page.text)
