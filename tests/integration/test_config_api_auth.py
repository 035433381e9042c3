"""Who may call the configuration API: admin writes, employee reads of internal configuration."""

from __future__ import annotations

import uuid

X = str(uuid.uuid4())

WRITES = [
    ("post", "/config/customer-types", {"name": "x"}),
    ("patch", f"/config/customer-types/{X}", []),
    ("delete", f"/config/customer-types/{X}", None),
    ("post", "/bookme/meeting-topics", {"name": "x"}),
    ("patch", f"/bookme/meeting-topics/{X}", []),
    ("delete", f"/bookme/meeting-topics/{X}", None),
    ("post", "/config/employees", {"email": "x@y.z", "initials": "X"}),
    ("put", f"/config/employees/{X}", {"email": "x@y.z", "initials": "X"}),
    ("patch", f"/config/employees/{X}", []),
    ("delete", f"/config/employees/{X}", None),
    ("post", "/config/rooms", {"name": "x", "location": "y"}),
    ("patch", f"/config/rooms/{X}", []),
    ("delete", f"/config/rooms/{X}", None),
    ("post", "/bookme/config/locations", {"location": "x"}),
    ("patch", f"/bookme/config/locations/{X}", []),
    ("delete", f"/bookme/config/locations/{X}", None),
    ("put", f"/bookme/config/employee-schedules/{X}", {"workdays": []}),
    ("patch", f"/bookme/config/employee-schedules/{X}", []),
    ("delete", f"/bookme/config/employee-schedules/{X}", None),
    ("post", "/bookme/config/competence-groups", {"name": "x"}),
    ("patch", f"/bookme/config/competence-groups/{X}", []),
    ("delete", f"/bookme/config/competence-groups/{X}", None),
    ("post", f"/bookme/config/competence-groups/{X}/employees/{X}", None),
    ("delete", f"/bookme/config/competence-groups/{X}/employees/{X}", None),
    ("post", "/bookme/config/service-groups", {"name": "x"}),
    ("patch", f"/bookme/config/service-groups/{X}", []),
    ("delete", f"/bookme/config/service-groups/{X}", None),
    ("put", f"/bookme/config/service-groups/{X}/advisors", {"employeeIds": []}),
    ("put", f"/bookme/config/service-groups/{X}/service-trigger", {}),
    ("put", f"/bookme/config/service-groups/{X}/service-level", {}),
    ("post", f"/bookme/config/service-groups/{X}/employees/{X}", None),
    ("delete", f"/bookme/config/service-groups/{X}/employees/{X}", None),
    ("put", "/bookme/config/organization-settings", {}),
    ("patch", "/bookme/config/organization-settings", []),
    ("post", "/bookme/config/organization-settings/closing-days", {"date": "2026-12-24"}),
    ("delete", "/bookme/config/organization-settings/closing-days/2026-12-24", None),
    ("put", "/bookme/config/priority-rules", [{"type": "Explicit"}]),
]

EMPLOYEE_READS = [
    "/bookme/config/employee-schedules",
    f"/bookme/config/employee-schedules/{X}",
    f"/bookme/config/employee-schedules/{X}/actual",
    "/bookme/config/competence-groups",
    f"/bookme/config/competence-groups/{X}",
    f"/bookme/config/competence-groups/{X}/employees",
    "/bookme/config/service-groups",
    f"/bookme/config/service-groups/{X}",
    f"/bookme/config/service-groups/{X}/advisors",
    f"/bookme/config/service-groups/{X}/service-trigger",
    f"/bookme/config/service-groups/{X}/service-level",
    "/bookme/config/priority-rules",
]

CUSTOMER_READS = [f"/bookme/config/locations/{X}", "/bookme/config/allowed-options"]


def _call(client, method, path, body, headers=None):
    return client.request(method.upper(), path, json=body, headers=headers or {})


def _admin_answer(method: str, path: str) -> tuple[int, str | None]:
    """What an admin gets for one of WRITES, run in order on an empty bank: (status, words of the message)."""
    if (method, path) == ("put", f"/config/employees/{X}"):
        return 409, "an employee with e-mail 'x@y.z' already exists"  # the POST before it took the e-mail
    if (method, path) == ("post", "/config/rooms"):
        return 404, "location 'y' was not found"
    if X in path:
        return 404, f"'{X}' was not found"
    return {"post": 201, "delete": 204}.get(method, 200), None


def test_writes_need_an_admin_token(client, token):
    for who in ("customer", "employee"):
        headers = token(who)
        for method, path, body in WRITES:
            response = _call(client, method, path, body, headers)
            assert response.status_code == 403, (who, method, path, response.text)
            assert response.json()["code"] == "FORBIDDEN"
    for method, path, body in WRITES:
        response = _call(client, method, path, body)
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"] == "Bearer" and response.json()["code"] == "UNAUTHORIZED"
    # An admin gets past the door: to a 404 that names the made-up id, or to the write itself.
    admin = token("admin")
    for method, path, body in WRITES:
        status, words = _admin_answer(method, path)
        response = _call(client, method, path, body, admin)
        assert response.status_code == status, (method, path, response.text)
        if words:
            assert response.json()["code"] == ("NOT_FOUND" if status == 404 else "CONFLICT"), (method, path)
            assert words in response.json()["message"], (method, path, response.text)


def test_internal_configuration_reads_need_an_employee_token(client, token):
    customer, employee = token("customer"), token("employee")
    for path in EMPLOYEE_READS:
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers=customer).status_code == 403, path
        _read(client.get(path, headers=employee), path)
    for path in CUSTOMER_READS:
        assert client.get(path).status_code == 401, path
        _read(client.get(path, headers=customer), path)


def _read(response, path: str) -> None:
    """A read past the door: a 404 that names the made-up id (not a missing route's), else 200."""
    if X in path:
        assert response.status_code == 404, (path, response.text)
        assert response.json()["code"] == "NOT_FOUND" and f"'{X}' was not found" in response.json()["message"], (path, response.text)
    else:
        assert response.status_code == 200, (path, response.text)


def test_every_new_endpoint_is_documented(client):
    document = client.get("/openapi.json").json()
    operations = {(method, path.replace("{id}", X).replace("{employeeId}", X).replace("{date}", "2026-12-24"))
                  for path, item in document["paths"].items() for method in item}
    for method, path, _ in WRITES:
        assert (method, path) in operations, (method, path)
    for path in EMPLOYEE_READS + CUSTOMER_READS:
        assert ("get", path) in operations, path
    patch = document["paths"]["/bookme/meeting-topics/{id}"]["patch"]
    assert "PatchOperation" in str(patch["requestBody"])
    assert {"400", "401", "403", "404", "409"} <= set(patch["responses"])
