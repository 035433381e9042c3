"""Arbitrary JSON in every request-body field of the booking flow, over one keep-alive connection to
a real server, on SQLite and PostgreSQL: never a 5xx, every refusal in the design's error shape,
and the connection keeps answering."""

from __future__ import annotations

import copy
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import bankdata as b
from tests.live_server import Connection, live_server

CODES = {"BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "CONFLICT"}
PROFILE = settings(
    max_examples=150, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

TEXT = st.text(st.characters(exclude_categories=()), max_size=20) | st.sampled_from([
    "", "\u0000", "a\u0000b", "\r\n", "\ud800", "\udfff", "x" * 5000, "2026-06-01T07:00:00Z", "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00", "99999999.00:00:00", "24:00:00", "01:00:00", "physical", "Reserved", b.ANNA, b.ROOM_1,
])
SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from([1e308, -1e308, 5e-324]) | TEXT)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8)


def _replace(body, path: tuple, value):
    """`body` with the value at `path` (keys and list indexes) replaced; the whole body for ()."""
    if not path:
        return value
    out = copy.deepcopy(body)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


def _check(status: int, body) -> None:
    assert status < 500, (status, body)
    if status >= 400:
        assert isinstance(body, dict) and set(body) <= {"code", "message", "errors"}, body
        assert body["code"] in CODES and isinstance(body["message"], str) and body["message"], body
        for item in body.get("errors", []):
            assert set(item) == {"field", "message"} and all(isinstance(v, str) for v in item.values()), body


def fields(base, paths: list[tuple]):
    """Bodies: `base` with one of `paths` (a field, a nested object, or the whole body) replaced."""
    return st.builds(_replace, st.just(base), st.sampled_from(paths), JSON)


def _fuzz(connection: Connection, method: str, url: str, bodies) -> None:
    @PROFILE
    @given(body=bodies)
    def run(body):
        _check(*connection.send(method, url, body))

    run()


def test_arbitrary_json_in_any_body_field_is_never_a_5xx(app, token, load_bank):
    load_bank(b.bank())
    customer, employee = token(subject="customer-1"), token("employee")
    with live_server(app) as port:
        mine, staff = Connection(port, customer), Connection(port, employee)
        try:
            status, slots = mine.send("GET", f"/bookme/time-slots/available?requireEmployeeParticipation=true&topic={b.T_HOUSING}"
                                              "&meetingTypes=physical&customerLocation=Copenhagen")
            assert status == 200 and len(slots) > 3
            first = {k: slots[0][k] for k in ("startDate", "endDate", "employeeId")}
            reserve = {"timeSlot": {**first, "status": "Reserved", "roomId": None, "serviceGroup": "desk",
                                    "ignoreTimeSlotConflicts": False}, "token": str(uuid.uuid4()), "existingMeetingId": None}
            _fuzz(mine, "POST", "/bookme/time-slots/reserve", fields(
                reserve, [(), ("timeSlot",), ("token",), ("existingMeetingId",)] + [("timeSlot", k) for k in reserve["timeSlot"]]))

            # a hold to book, and a meeting to change (from other slots, so the fuzzing above cannot take them)
            def hold(slot):
                body = {"timeSlot": {k: slot[k] for k in ("startDate", "endDate", "employeeId")}, "token": str(uuid.uuid4())}
                status, held = mine.send("POST", "/bookme/time-slots/reserve", body)
                assert status == 200, held
                return held

            booking = {"bookedBy": "customer", "timeSlotId": hold(slots[-1])["id"], "type": "physical", "themeId": b.T_HOUSING,
                       "topicId": b.T_HOUSING, "customerCategoryId": b.CT_PRIVATE, "customerTypeId": b.CT_PRIVATE,
                       "employeeId": slots[-1]["employeeId"], "roomId": None, "customerId": "customer-1", "title": "t",
                       "description": "d", "salesforceId": "s", "videoLink": "v", "additionalEmployees": [],
                       "customerName": "n", "customerEmail": "a@b.dk", "customerPhone": "+45 1234 5678"}
            status, meeting = mine.send("POST", "/bookme/meetings", {**booking, "timeSlotId": hold(slots[-3])["id"],
                                                                     "employeeId": slots[-3]["employeeId"]})
            assert status == 201, meeting
            _fuzz(mine, "POST", "/bookme/meetings", fields(booking, [()] + [(k,) for k in booking]))

            url = f"/bookme/meetings/{meeting['id']}"
            changeable = ["title", "description", "videoLink", "additionalEmployees", "timeSlotId", "customerName",
                          "customerEmail", "customerPhone"]
            # a patch of any changeable field to any value, or any part of a patch document replaced
            operation = st.fixed_dictionaries({"op": st.sampled_from(["replace", "add", "remove", "test"]) | JSON,
                                               "path": st.sampled_from([f"/{f}" for f in changeable]) | TEXT, "value": JSON})
            patch = [{"op": "replace", "path": "/description", "value": "d", "from": None}]
            _fuzz(mine, "PATCH", url, st.lists(operation, min_size=1, max_size=2) | fields(patch, [(), (0,), (0, "from")]))
            _fuzz(mine, "PUT", url, fields({f: None for f in changeable if f != "timeSlotId"}, [()] + [(k,) for k in changeable]))

            busy = {"startDate": "2026-06-02T07:00:00Z", "endDate": "2026-06-02T08:00:00Z", "status": "Busy", "employeeId": b.ANNA,
                    "roomId": None, "serviceGroup": None, "ignoreTimeSlotConflicts": False}
            _fuzz(staff, "POST", "/bookme/time-slots", fields(busy, [()] + [(k,) for k in busy]))

            for connection in (mine, staff):
                assert connection.send("GET", "/healthz") == (200, {"status": "ok"})
        finally:
            mine.close()
            staff.close()
