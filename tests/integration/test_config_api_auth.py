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
    # An admin gets past the door (to a 404 for the made-up ids, or a 400/2xx for the rest).
    for method, path, body in WRITES:
        assert _call(client, method, path, body, token("admin")).status_code not in (401, 403, 500), (method, path)


def test_internal_configuration_reads_need_an_employee_token(client, token):
    customer, employee = token("customer"), token("employee")
    for path in EMPLOYEE_READS:
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers=customer).status_code == 403, path
        assert client.get(path, headers=employee).status_code in (200, 404), path
    for path in CUSTOMER_READS:
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers=customer).status_code in (200, 404), path


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
