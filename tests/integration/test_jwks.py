"""Production mode: tokens signed by an identity provider, checked against its JWKS URL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from jwt.algorithms import RSAAlgorithm

from meetbook.app import create_app
from meetbook.core.config import Settings
from tests.integration.helpers import no_route

ISSUER = "https://idp.bank.example"
AUDIENCE = "meetbook-api"


@pytest.fixture
def identity_provider():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "key-1", "use": "sig", "alg": "RS256"})
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield key, f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()


def _production(database_url: str, jwks_url: str) -> Settings:
    return Settings(
        environment="production", database_url=database_url, jwks_url=jwks_url,
        auth_issuer=ISSUER, auth_audience=AUDIENCE, sweep_interval_seconds=0,
    )


def _token(key, kid="key-1", **claims):
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "customer-1", "scope": "customer", "iat": now, "exp": now + 300, **claims}
    return {"Authorization": "Bearer " + jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})}


def test_tokens_are_checked_against_the_providers_keys(identity_provider, database_url):
    key, jwks_url = identity_provider
    settings = _production(database_url, jwks_url)
    with TestClient(create_app(settings)) as client:
        assert client.get("/config/rooms", headers=_token(key)).status_code == 200
        other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        assert client.get("/config/rooms", headers=_token(other_key)).status_code == 401
        assert client.get("/config/rooms", headers=_token(key, aud="other")).status_code == 401
        assert client.get("/config/rooms", headers=_token(key, iss="https://evil.example")).status_code == 401
        assert client.get("/config/rooms", headers=_token(key, exp=int(time.time()) - 100)).status_code == 401
        assert client.get("/config/rooms", headers=_token(key, kid="unknown")).status_code == 401
        # The development issuer's HS256 tokens mean nothing in production.
        dev = jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "scope": "admin", "exp": int(time.time()) + 60}, settings.auth_secret, algorithm="HS256")
        assert client.get("/config/rooms", headers={"Authorization": f"Bearer {dev}"}).status_code == 401


def test_production_refuses_the_development_secret():
    with pytest.raises(ValueError, match="development default"):
        Settings(environment="production")


def test_with_a_jwks_the_built_in_issuer_does_not_exist(identity_provider, database_url):
    key, jwks_url = identity_provider
    settings = _production(database_url, jwks_url)
    with TestClient(create_app(settings)) as client:
        for client_id, secret in (("demo-admin", "admin-secret"), ("demo-integrator", "demo-secret")):
            answer = client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
            no_route(answer)
        no_route(client.get("/oauth/authorize"))
        no_route(client.post("/oauth/authorize", data={"customer_number": "1", "name": "x"}))
        no_route(client.get("/.well-known/oauth-authorization-server"))
        paths = client.get("/openapi.json").json()["paths"]
        assert not [p for p in paths if p.startswith("/oauth")]
        # The provider's tokens still work.
        assert client.get("/config/rooms", headers=_token(key)).status_code == 200


def test_with_a_jwks_no_built_in_clients_can_be_configured():
    with pytest.raises(ValueError, match="identity provider"):
        Settings(environment="production", jwks_url="https://idp.bank.example/jwks.json", oauth_clients=f"x:{'s' * 40}:admin")


def test_algorithm_confused_and_unsigned_tokens_are_refused(identity_provider, database_url):
    key, jwks_url = identity_provider
    settings = _production(database_url, jwks_url)
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "intruder", "scope": "admin", "iat": now, "exp": now + 300}
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = {"kid": "key-1"}
    # HS256 "signed" with the provider's public key (the classic confusion), and alg none.
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = b64(json.dumps({"alg": "HS256", "typ": "JWT", **header}).encode()) + "." + b64(json.dumps(claims).encode())
    confused = signing_input + "." + b64(hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest())
    unsigned = b64(json.dumps({"alg": "none", "typ": "JWT", **header}).encode()) + "." + b64(json.dumps(claims).encode()) + "."
    with TestClient(create_app(settings)) as client:
        for forged in (confused, unsigned, "not-a-token", "a.b.c"):
            answer = client.get("/config/rooms", headers={"Authorization": f"Bearer {forged}"})
            assert answer.status_code == 401, forged
            assert answer.json()["code"] == "UNAUTHORIZED"
            assert answer.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("scope", [7, {"admin": True}, [1, "customer"], None, True])
def test_a_signed_token_with_an_odd_scope_claim_grants_nothing_odd(identity_provider, database_url, scope):
    key, jwks_url = identity_provider
    settings = _production(database_url, jwks_url)
    with TestClient(create_app(settings)) as client:
        answer = client.get("/config/rooms", headers=_token(key, scope=scope))
    # A list keeps its strings ("customer"); anything else grants no scope at all.
    assert answer.status_code == (200 if isinstance(scope, list) else 403), answer.text
