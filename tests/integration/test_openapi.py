"""The OpenAPI document lists every endpoint with its schemas and errors, and is valid."""

from __future__ import annotations

from openapi_spec_validator import validate

SEED_PATHS = {
    ("get", "/bookme/meeting-topics"),
    ("get", "/config/customer-types"),
    ("get", "/config/employees"),
    ("get", "/config/rooms"),
    ("get", "/bookme/time-slots/available"),
    ("post", "/bookme/time-slots/reserve"),
    ("post", "/bookme/meetings"),
    ("post", "/bookme/meetings/{id}/ical"),
}


def test_openapi_document_is_valid_and_complete(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    operations = {(method, path) for path, item in document["paths"].items() for method in item}
    assert SEED_PATHS <= operations
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if path in ("/healthz", "/readyz", "/oauth/token") or path.startswith("/oauth") or path.startswith("/static"):
                continue
            if path.startswith("/calendar-feeds/"):  # no bearer token: the secret in the URL is the credential
                assert "security" not in operation and "401" not in operation["responses"], (method, path)
            else:
                assert "401" in operation["responses"], (method, path)
            assert operation.get("summary"), (method, path)
            for status, answer in operation["responses"].items():
                media = answer.get("content", {}).get("application/json")
                if media:
                    assert "example" in media or "examples" in media, (method, path, status)
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                assert "example" in body or "examples" in body, (method, path)
    available = document["paths"]["/bookme/time-slots/available"]["get"]
    names = {p["name"] for p in available["parameters"]}
    assert {"requireEmployeeParticipation", "explicitEmployeeIds", "employeeTypes", "startDate", "lookForwardTime", "topic",
            "customerTypeId", "meetingTypes", "customerLocation", "meetingLocation", "requireRoom", "specificRooms",
            "meetingDuration", "isCustomerInitiated", "getBestTimeSlots", "ignoreMeetingIds", "ignoreMinimumTimeBeforeBooking"} <= names
    error = document["components"]["schemas"]["ErrorBody"]
    assert set(error["required"]) >= {"code", "message"}


def test_docs_page_is_served(client):
    assert client.get("/docs").status_code == 200
