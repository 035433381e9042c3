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
