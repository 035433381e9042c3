"""Who may call what, and what every refusal looks like."""

from __future__ import annotations

import time

import jwt
import pytest

from tests import bankdata as b
from tests.integration.helpers import book, refused, reserve, search

PROTECTED = [
    ("get", "/bookme/meeting-topics?isCustomer=true"),
    ("get", "/config/customer-types"),
    ("get", "/config/employees"),
    ("get", "/config/rooms"),
    ("get", "/bookme/time-slots/available?requireEmployeeParticipation=true"),
    ("post", "/bookme/time-slots/reserve"),
    ("post", "/bookme/meetings"),
    ("get", "/bookme/meetings"),
]


def _forge(settings, **overrides):
    now = int(time.time())
    claims = {"iss": settings.auth_issuer, "aud": settings.auth_audience, "sub": "x", "scope": "customer", "iat": now, "nbf": now, "exp": now + 60}
    claims.update(overrides)
    secret = claims.pop("_secret", settings.auth_secret)
    return {"Authorization": "Bearer " + jwt.encode(claims, secret, algorithm="HS256")}


@pytest.mark.parametrize("method,path", PROTECTED)
def test_missing_token_is_401_with_bearer_challenge(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "UNAUTHORIZED"


def test_forged_expired_and_foreign_tokens_are_401(client, settings):
    cases = {
        "wrong signature": _forge(settings, _secret="not-the-secret-not-the-secret-xxxxxxxxx"),
        "expired": _forge(settings, exp=int(time.time()) - 60),
        "not yet valid": _forge(settings, nbf=int(time.time()) + 600),
        "other issuer": _forge(settings, iss="https://evil.example"),
        "other audience": _forge(settings, aud="someone-else"),
        "garbage": {"Authorization": "Bearer abc.def.ghi"},
        "alg none": {"Authorization": "Bearer " + jwt.encode({"sub": "x", "scope": "admin", "exp": int(time.time()) + 60}, None, algorithm="none")},
    }
    for name, headers in cases.items():
        response = client.get("/config/rooms", headers=headers)
        assert response.status_code == 401, name
        body = response.json()
        assert body["code"] == "UNAUTHORIZED" and "Traceback" not in body["message"], name


def test_a_token_without_a_known_scope_is_403(client, settings):
    response = client.get("/config/rooms", headers=_forge(settings, scope="openid profile"))
    assert response.status_code == 403 and response.json()["code"] == "FORBIDDEN"


def test_customers_cannot_switch_off_customer_rules(client, token, load_bank):
    load_bank(b.bank())
    response = client.get("/bookme/time-slots/available", params={"requireEmployeeParticipation": "true", "isCustomerInitiated": "false"}, headers=token("customer"))
    assert response.status_code == 403
    employee = client.get("/bookme/time-slots/available", params={"requireEmployeeParticipation": "true", "isCustomerInitiated": "false"}, headers=token("employee"))
    assert employee.status_code == 200


def test_customers_see_only_their_own_meetings(client, token, load_bank):
    load_bank(b.bank())
    alice, mallory = token("customer", subject="alice"), token("customer", subject="mallory")
    slot = search(client, alice, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")[0]
    meeting = book(client, alice, reserve(client, alice, slot).json(), b.T_HOUSING).json()
    assert meeting["customerId"] == "alice"

    refused(client.get(f"/bookme/meetings/{meeting['id']}", headers=mallory), 404, f"meeting '{meeting['id']}' was not found")
    refused(client.post(f"/bookme/meetings/{meeting['id']}/ical", headers=mallory), 404, f"meeting '{meeting['id']}' was not found")
    assert client.get("/bookme/meetings", headers=mallory).json() == []
    assert [m["id"] for m in client.get("/bookme/meetings", headers=alice).json()] == [meeting["id"]]
    assert client.get(f"/bookme/meetings/{meeting['id']}", headers=token("employee")).status_code == 200

    slot2 = search(client, mallory, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")[0]
    hold = reserve(client, mallory, slot2).json()
    impersonating = book(client, mallory, hold, b.T_HOUSING, customerId="alice")
    refused(impersonating, 403, "customerId must be the signed-in customer")


@pytest.mark.parametrize(
    "params,field",
    [
        ({"lookForwardTime": "seven days"}, "lookForwardTime"),
        ({"lookForwardTime": "7.25:00:00"}, "lookForwardTime"),
        ({"meetingDuration": "1h"}, "meetingDuration"),
        ({"startDate": "next monday"}, "startDate"),
        ({"meetingTypes": "hologram"}, "meetingTypes"),
        ({"employeeTypes": "Friends"}, "employeeTypes"),
        ({"requireRoom": "maybe"}, "requireRoom"),
        ({"requireEmployeeParticipation": None}, "requireEmployeeParticipation"),
    ],
)
def test_malformed_search_parameters_are_400_naming_the_parameter(client, token, load_bank, params, field):
    load_bank(b.bank())
    query = {"requireEmployeeParticipation": "true", **params}
    query = {k: v for k, v in query.items() if v is not None}
    response = client.get("/bookme/time-slots/available", params=query, headers=token())
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "BAD_REQUEST"
    assert field in body["message"] or any(e["field"] == field for e in body.get("errors", []))


def test_unknown_ids_in_a_search_are_404(client, token, load_bank):
    load_bank(b.bank())
    h = token()
    nope = b.ident("nope")
    for params, kind in (({"topic": nope}, "topic"), ({"customerTypeId": nope}, "customer type"),
                         ({"explicitEmployeeIds": nope}, "employee"), ({"specificRooms": nope}, "room")):
        response = client.get("/bookme/time-slots/available", params={"requireEmployeeParticipation": "true", **params}, headers=h)
        refused(response, 404, f"{kind} '{nope}' was not found")


def test_meeting_body_refusals(client, token, load_bank):
    load_bank(b.bank())
    h = token()
    slot = search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")[0]
    hold = reserve(client, h, slot).json()
    refused(book(client, h, hold, b.ident("no-topic")), 404, f"topic '{b.ident('no-topic')}' was not found")
    assert refused(book(client, h, hold, b.T_HOUSING, meeting_type="hologram"), 400)["errors"][0]["field"] == "type"
    refused(book(client, h, hold, b.T_HOUSING, employeeId=b.BO), 409, "employeeId differs from the employee of the held time slot")
    refused(book(client, h, hold, b.T_HOUSING, customerCategoryId=b.ident("nope")), 404, f"customer type '{b.ident('nope')}' was not found")
    refused(book(client, h, {**hold, "id": b.ident("no-hold")}, b.T_HOUSING), 404, f"time slot '{b.ident('no-hold')}' was not found")
    # Online is allowed by the topic and by Anna, so it books; telephone is not offered.
    refused(book(client, h, hold, b.T_HOUSING, meeting_type="telephone"), 409, "not bookable as a Telephone meeting")
    ok = book(client, h, hold, b.T_HOUSING, meeting_type="Online")
    assert ok.status_code == 201 and ok.json()["type"] == "Online"
    refused(book(client, h, hold, b.T_HOUSING), 409, "is already booked as a meeting")


def test_bodies_over_one_megabyte_are_413(client, token):
    response = client.post("/bookme/time-slots/reserve", content=b"{" + b" " * 1_100_000 + b"}", headers={**token(), "Content-Type": "application/json"})
    assert response.status_code == 413


def test_unknown_paths_and_methods_use_the_error_body(client, token):
    assert client.get("/nope", headers=token()).json()["code"] == "NOT_FOUND"
    response = client.put("/config/rooms", headers=token())
    assert response.status_code == 405 and "message" in response.json()


def test_idempotent_meeting_creation(client, token, load_bank):
    load_bank(b.bank())
    h = token("customer", subject="retrying-customer")
    slot = search(client, h, topic=b.T_HOUSING, meetingTypes="physical", customerLocation="Copenhagen")[0]
    hold = reserve(client, h, slot).json()
    body = {"bookedBy": "customer", "timeSlotId": hold["id"], "type": "physical", "themeId": b.T_HOUSING}
    first = client.post("/bookme/meetings", json=body, headers={**h, "Idempotency-Key": "k-1"})
    again = client.post("/bookme/meetings", json=body, headers={**h, "Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["location"] == first.headers["location"] and again.headers["idempotent-replayed"] == "true"
    different = client.post("/bookme/meetings", json={**body, "description": "changed"}, headers={**h, "Idempotency-Key": "k-1"})
    assert different.status_code == 409
    assert len(client.get("/bookme/meetings", headers=h).json()) == 1


def test_health_and_request_ids(client):
    ready = client.get("/readyz")
    assert ready.status_code == 200 and client.get("/healthz").json() == {"status": "ok"}
    assert ready.headers["x-request-id"]
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"


def test_token_endpoint_for_development_clients(client):
    ok = client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": "demo-integrator", "client_secret": "demo-secret", "scope": "customer"})
    assert ok.status_code == 200
    access = ok.json()["access_token"]
    assert client.get("/config/rooms", headers={"Authorization": f"Bearer {access}"}).status_code == 200
    wrong = client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": "demo-integrator", "client_secret": "nope"})
    assert wrong.status_code == 401
    too_much = client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": "demo-integrator", "client_secret": "demo-secret", "scope": "admin"})
    assert too_much.status_code == 400
