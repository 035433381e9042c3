"""Production mode: tokens signed by an identity provider, checked against its JWKS URL."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from jwt.algorithms import RSAAlgorithm

from meetbook.app import create_app
from meetbook.config import Settings

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


def _token(key, kid="key-1", **claims):
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "customer-1", "scope": "customer", "iat": now, "exp": now + 300, **claims}
    return {"Authorization": "Bearer " + jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})}


def test_tokens_are_checked_against_the_providers_keys(identity_provider, database_url):
    key, jwks_url = identity_provider
    settings = Settings(
        environment="production", database_url=database_url, jwks_url=jwks_url,
        auth_issuer=ISSUER, auth_audience=AUDIENCE, sweep_interval_seconds=0,
    )
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
