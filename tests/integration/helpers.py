"""Small steps of the booking flow over HTTP, shared by the integration tests."""

from __future__ import annotations

import uuid


def search(client, headers, **params):
    params.setdefault("requireEmployeeParticipation", "true")
    response = client.get("/bookme/time-slots/available", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def reserve(client, headers, slot: dict, token: str | None = None, **extra):
    body = {
        "timeSlot": {
            "startDate": slot["startDate"],
            "endDate": slot["endDate"],
            "status": "Reserved",
            "employeeId": slot["employeeId"],
            **({"roomId": slot["roomId"]} if slot.get("roomId") else {}),
        },
        "token": str(uuid.uuid4()) if token is None else token,
        **extra,
    }
    return client.post("/bookme/time-slots/reserve", json=body, headers=headers)


def book(client, headers, hold: dict, topic_id: str, meeting_type: str = "physical", **extra):
    body = {
        "bookedBy": "customer",
        "timeSlotId": hold["id"],
        "type": meeting_type,
        "themeId": topic_id,
        "employeeId": hold["employeeId"],
        "description": "Meeting description",
        **extra,
    }
    return client.post("/bookme/meetings", json=body, headers=headers)


ERROR_CODES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE"}


def refused(response, status: int, *words: str) -> dict:
    """The answer is exactly this refusal: the status, its error code, and each of `words` in the
    message. A 404 must name what was looked up, so that a missing route (whose 404 says "no such
    endpoint") cannot pass for it. Returns the error body."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert body["code"] == ERROR_CODES[status], body
    for word in words:
        assert word in body["message"], (word, body["message"])
    if status == 404:
        assert words, "say what the 404 looked up: the kind and the id in its message"
    return body


def no_route(response) -> None:
    """A 404 because the endpoint does not exist (not because something it looked up is missing)."""
    assert response.status_code == 404, (response.status_code, response.text)
    assert response.json() == {"code": "NOT_FOUND", "message": "no such endpoint"}, response.text
