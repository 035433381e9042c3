"""Every refusal is the API's JSON error body with a code that names it, through the test client and
through a real `meetbook serve` (the HTTP server has refusals of its own that the client never sees)."""

from __future__ import annotations

import socket

import httpx
import pytest

from meetbook.auth.tokens import issue_token
from meetbook.core.config import Settings
from tests.conftest import fresh_database
from tests.integration.meetbook_serve import meetbook_serve

MALFORMED_TOKENS = ["abc.def.ghi", "eyJ.eyJ.xx", "not-a-jwt", "e30.e30", "ÿÿÿ.ÿÿÿ.ÿÿÿ"]


def _refusal(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["message"], body
    return body


def test_wrong_method_is_405_naming_what_the_endpoint_accepts(client, token):
    body = _refusal(client.put("/config/rooms", headers=token()), 405, "METHOD_NOT_ALLOWED")
    assert "PUT" in body["message"]
    # every method of the path: GET lists the rooms, POST creates one (they are two routes)
    assert client.put("/config/rooms", headers=token()).headers["allow"] == "GET, POST"


def test_bodies_over_the_limit_are_413_with_or_without_a_length(client, token):
    big = b"{" + b" " * 1_100_000 + b"}"
    headers = {**token(), "Content-Type": "application/json"}
    _refusal(client.post("/bookme/time-slots/reserve", content=big, headers=headers), 413, "PAYLOAD_TOO_LARGE")
    chunked = client.post("/bookme/time-slots/reserve", content=iter([big[:600_000], big[600_000:]]), headers=headers)
    assert "content-length" not in chunked.request.headers
    _refusal(chunked, 413, "PAYLOAD_TOO_LARGE")


def test_a_very_long_query_is_414(client, token):
    _refusal(client.get("/config/rooms?x=" + "a" * 10_000, headers=token()), 414, "URI_TOO_LONG")
    # below the limit the query is the endpoint's business
    assert client.get("/config/rooms?x=" + "a" * 4_000, headers=token()).status_code == 200


@pytest.mark.parametrize("garbage", MALFORMED_TOKENS)
def test_a_malformed_token_is_401_in_plain_words(client, garbage):
    response = client.get("/config/rooms", headers={"Authorization": f"Bearer {garbage}".encode("latin-1")})
    body = _refusal(response, 401, "UNAUTHORIZED")
    assert body["message"] == "the access token is malformed"
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_database_that_does_not_answer_is_503(settings, tmp_path):
    from fastapi.testclient import TestClient

    from meetbook.app import create_app

    nowhere = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db"})
    with TestClient(create_app(nowhere), raise_server_exceptions=False) as client:
        _refusal(client.get("/readyz"), 503, "SERVICE_UNAVAILABLE")


def test_the_documented_codes_are_the_ones_answered(client):
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ErrorBody"]["properties"]["code"]
    for code in ("METHOD_NOT_ALLOWED", "PAYLOAD_TOO_LARGE", "URI_TOO_LONG", "SERVICE_UNAVAILABLE", "BAD_REQUEST"):
        assert code in schema["description"]


# --- a real server -------------------------------------------------------------------------------


@pytest.fixture
def served(request, tmp_path):
    """`meetbook serve` on SQLite (the transport is what is tested here) and a client of it."""
    url = fresh_database(request, "sqlite", tmp_path)
    with meetbook_serve(tmp_path / "server", url) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        yield client, {"Authorization": "Bearer " + issue_token(Settings(environment="development", database_url=url), "customer")}


def _raw(client: httpx.Client, request: bytes) -> tuple[bytes, dict]:
    """Send bytes no HTTP client would (httpx refuses URLs over 64 kB); the status line and JSON body."""
    with socket.create_connection((client.base_url.host, client.base_url.port), timeout=10) as raw:
        raw.sendall(request)
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower(), answer
    return head.split(b"\r\n")[0], httpx.Response(200, content=body).json()


def test_a_real_server_answers_every_refusal_in_json(served):
    client, auth = served
    big = b"{" + b" " * 1_100_000 + b"}"
    chunks = iter([big[i : i + 65536] for i in range(0, len(big), 65536)])
    chunked = client.post("/bookme/time-slots/reserve", content=chunks, headers={**auth, "Content-Type": "application/json"})
    assert "content-length" not in chunked.request.headers
    _refusal(chunked, 413, "PAYLOAD_TOO_LARGE")
    _refusal(client.get("/config/rooms?x=" + "a" * 10_000, headers=auth), 414, "URI_TOO_LONG")
    _refusal(client.get("/config/rooms", headers={"Authorization": "Bearer abc.def.ghi"}), 401, "UNAUTHORIZED")


def test_a_real_server_answers_what_it_cannot_parse_in_json(served):
    client, auth = served
    # Past the HTTP server's own URL limit (64 kB) the application is never called.
    long_url = b"GET /config/rooms?x=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    status, body = _raw(client, long_url)
    assert status.startswith(b"HTTP/1.1 414 ") and body["code"] == "URI_TOO_LONG", (status, body)
    status, body = _raw(client, b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 400 ") and body["code"] == "BAD_REQUEST", (status, body)
