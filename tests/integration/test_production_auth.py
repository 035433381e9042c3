"""Production with the built-in issuer: only the operator's clients get tokens, and no published
secret (the README's demo clients, the development signing secret) is accepted."""

from __future__ import annotations

import jwt
import pytest
from fastapi.testclient import TestClient

from meetbook.app import create_app
from meetbook.auth.tokens import issue_token
from meetbook.core.config import DEV_SECRET, Settings
from tests.integration.helpers import refused as refusal

BANK_SECRET = "the-banks-own-signing-secret-4f9c2a7e1b"
CLIENT_SECRET = "crm-client-secret-0b8e6d2f9a4c7e1d3f5a"


def _production(database_url: str, **extra) -> Settings:
    return Settings(environment="production", database_url=database_url, auth_secret=BANK_SECRET, sweep_interval_seconds=0, **extra)


def _client_credentials(client: TestClient, client_id: str, secret: str, **extra):
    return client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, **extra})


def test_the_demo_clients_do_not_exist_in_production(database_url):
    with TestClient(create_app(_production(database_url)), raise_server_exceptions=False) as client:
        for client_id, secret in (("demo-admin", "admin-secret"), ("demo-integrator", "demo-secret")):
            refused = _client_credentials(client, client_id, secret)
            assert refused.status_code == 401, refused.text
            assert refused.json()["code"] == "UNAUTHORIZED"
        # Nor does a token signed with the development secret mean anything.
        forged = issue_token(Settings(), "admin", "intruder")
        answer = client.post("/config/customer-types", json={"name": "Forged"}, headers={"Authorization": f"Bearer {forged}"})
        assert answer.status_code == 401
        assert client.get("/config/customer-types", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
        # The password-less development sign-in of the booking page is off.
        # Its routes answer that it is off (a 404 of theirs, not a missing route's "no such endpoint").
        page = client.get("/oauth/authorize")
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "the development sign-in is off" in page.text
        refusal(client.get("/.well-known/oauth-authorization-server"), 404, "the development sign-in is off")


def test_an_operators_client_gets_tokens_the_service_accepts(database_url):
    settings = _production(database_url, oauth_clients=f"bank-crm:{CLIENT_SECRET}:customer employee")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        issued = _client_credentials(client, "bank-crm", CLIENT_SECRET)
        assert issued.status_code == 200, issued.text
        assert issued.json()["scope"] == "customer employee"
        headers = {"Authorization": "Bearer " + issued.json()["access_token"]}
        assert client.get("/config/customer-types", headers=headers).status_code == 200
        # Its scopes, no more: configuration writes need admin.
        assert client.post("/config/customer-types", json={"name": "Private"}, headers=headers).status_code == 403
        assert _client_credentials(client, "bank-crm", CLIENT_SECRET, scope="admin").status_code == 400
        assert _client_credentials(client, "bank-crm", CLIENT_SECRET[:-1]).status_code == 401


@pytest.mark.parametrize(
    "clients, problem",
    [
        ("demo-admin:admin-secret:admin", "secret of its own"),
        ("bank-crm:short-secret:admin", "at least 32"),
        (f"bank-crm:{CLIENT_SECRET}:superuser", "unknown scope"),
        (f"bank-crm:{CLIENT_SECRET}", "id:secret:scope"),
    ],
)
def test_weak_or_malformed_clients_are_refused_at_start_up(clients, problem):
    with pytest.raises(ValueError, match=problem):
        Settings(environment="production", auth_secret=BANK_SECRET, oauth_clients=clients)


@pytest.mark.parametrize("secret, problem", [(DEV_SECRET, "development default"), ("admin-secret", "development default"), ("short", "at least 32")])
def test_a_published_or_short_signing_secret_is_refused_outside_development(secret, problem):
    for environment in ("production", "test"):
        with pytest.raises(ValueError, match=problem):
            Settings(environment=environment, auth_secret=secret)


def test_development_keeps_the_demo_clients(database_url):
    settings = Settings(environment="development", database_url=database_url, sweep_interval_seconds=0)
    with TestClient(create_app(settings)) as client:
        issued = _client_credentials(client, "demo-admin", "admin-secret")
        assert issued.status_code == 200
        claims = jwt.decode(issued.json()["access_token"], options={"verify_signature": False})
        assert claims["scope"] == "admin"
