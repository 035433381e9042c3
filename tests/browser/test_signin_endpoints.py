"""The development issuer's authorization code flow with PKCE, over HTTP (no browser needed): what
the booking page relies on, and what it must refuse."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import jwt

PAGE = "http://testserver/"
VERIFIER = secrets.token_urlsafe(48)
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


def authorize_params(**changes) -> dict[str, str]:
    return {"response_type": "code", "client_id": "booking-page", "redirect_uri": PAGE, "code_challenge": CHALLENGE,
            "code_challenge_method": "S256", "state": "s-123", "scope": "customer", **changes}


def get_code(client, number: str = "1234567890", **changes) -> str:
    response = client.post("/oauth/authorize", data={**authorize_params(**changes), "customer_number": number, "name": "Karen Jensen"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == changes.get("redirect_uri", PAGE)
    assert query["state"] == ["s-123"]
    return query["code"][0]


def redeem(client, code: str, verifier: str = VERIFIER, redirect_uri: str = PAGE, client_id: str = "booking-page"):
    return client.post("/oauth/token", data={"grant_type": "authorization_code", "client_id": client_id, "code": code,
                                             "code_verifier": verifier, "redirect_uri": redirect_uri})


def test_the_sign_in_form_and_the_code_for_a_customer_token(client, settings):
    form = client.get("/oauth/authorize", params=authorize_params(ui_locales="en"))
    assert form.status_code == 200 and form.headers["content-type"].startswith("text/html")
    assert 'lang="en"' in form.text and "Customer number" in form.text and CHALLENGE in form.text
    assert "frame-ancestors *" in form.headers["content-security-policy"]
    assert "Kundenummer" in client.get("/oauth/authorize", params=authorize_params()).text  # Danish by default

    answer = redeem(client, get_code(client))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "customer" and body["name"] == "Karen Jensen"
    assert answer.headers["cache-control"] == "no-store"
    claims = jwt.decode(body["access_token"], settings.auth_secret, algorithms=["HS256"], audience=settings.auth_audience)
    assert claims["sub"] == "1234567890" and claims["scope"] == "customer" and claims["iss"] == settings.auth_issuer
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/bookme/meetings", headers=headers).status_code == 200
    assert client.get("/config/customer-types", headers=headers).status_code == 200


def test_a_code_works_once_with_its_own_verifier_redirect_and_client_within_two_minutes(client, clock):
    code = get_code(client)
    assert redeem(client, code, verifier=secrets.token_urlsafe(48)).status_code == 400
    assert redeem(client, code).status_code == 400, "a failed attempt uses the code up"

    code = get_code(client)
    assert redeem(client, code).status_code == 200
    assert redeem(client, code).status_code == 400, "one time only"

    code = get_code(client)
    assert redeem(client, code, redirect_uri="http://testserver/other").status_code == 400

    code = get_code(client)
    assert redeem(client, code, client_id="demo-integrator").status_code == 400

    code = get_code(client)
    clock.advance(minutes=2, seconds=1)
    refused = redeem(client, code)
    assert refused.status_code == 400 and refused.json()["code"] == "BAD_REQUEST"

    assert client.post("/oauth/token", data={"grant_type": "authorization_code", "client_id": "booking-page"}).status_code == 400


def test_only_the_booking_page_on_this_origin_with_s256_may_ask(client):
    def ask(**changes):
        return client.get("/oauth/authorize", params=authorize_params(**changes), follow_redirects=False)

    # Before the redirect_uri is trusted: an error page, never a redirect.
    assert ask(client_id="someone-else").status_code == 400
    foreign = ask(redirect_uri="https://evil.example/")
    assert foreign.status_code == 400 and "same origin" in foreign.text
    assert ask(redirect_uri="http://testserver:8080/").status_code == 400
    # After: the error goes back to the page, with the state.
    for changes, error in (
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "customer admin"}, "invalid_scope"),
    ):
        answer = ask(**changes)
        assert answer.status_code == 303, changes
        query = parse_qs(urlsplit(answer.headers["location"]).query)
        assert query["error"] == [error] and query["state"] == ["s-123"]
    bad_number = client.post("/oauth/authorize", data={**authorize_params(), "customer_number": "12 34", "name": "Karen"})
    assert bad_number.status_code == 400 and 'aria-invalid="true"' in bad_number.text
    # The page finds the endpoints here.
    config = client.get("/booking-config.json").json()
    # (besides the sign-in: sendsInvitations, and the bank's name and logo for the header)
    assert config.items() >= {"authorizationEndpoint": "oauth/authorize", "tokenEndpoint": "oauth/token",
                              "clientId": "booking-page", "scope": "customer"}.items()
    metadata = client.get("/.well-known/oauth-authorization-server").json()
    assert metadata["code_challenge_methods_supported"] == ["S256"] and metadata["token_endpoint"].endswith("/oauth/token")


def test_client_credentials_still_need_their_secret(client):
    ok = client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": "demo-integrator", "client_secret": "demo-secret"})
    assert ok.status_code == 200
    assert client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": "demo-integrator"}).status_code == 401
    assert client.post("/oauth/token", data={"grant_type": "password", "client_id": "demo-integrator"}).status_code == 400


def test_the_development_sign_in_is_off_in_production(database_url, clock):
    from fastapi.testclient import TestClient

    from meetbook.app import create_app
    from meetbook.core.config import Settings

    production = Settings(environment="production", database_url=database_url, auth_secret="x" * 40, sweep_interval_seconds=0)
    with TestClient(create_app(production, clock)) as client:
        assert client.get("/oauth/authorize", params=authorize_params()).status_code == 404
        assert client.post("/oauth/authorize", data={**authorize_params(), "customer_number": "1", "name": "x"}).status_code == 404
        assert redeem(client, "any-code").status_code == 404
        assert client.get("/.well-known/oauth-authorization-server").status_code == 404


def test_the_page_signs_in_at_the_banks_identity_provider_when_configured(database_url):
    from fastapi.testclient import TestClient

    from meetbook.app import create_app
    from meetbook.core.config import Settings

    settings = Settings(
        environment="development", database_url=database_url, sweep_interval_seconds=0,
        page_authorization_endpoint="https://idp.bank.example/authorize",
        page_token_endpoint="https://idp.bank.example/token", page_client_id="bank-booking-page",
    )
    with TestClient(create_app(settings)) as client:
        config = client.get("/booking-config.json").json()
        csp = client.get("/").headers["content-security-policy"]
    assert "connect-src 'self' https://idp.bank.example" in csp
    assert config.items() >= {
        "authorizationEndpoint": "https://idp.bank.example/authorize",
        "tokenEndpoint": "https://idp.bank.example/token",
        "clientId": "bank-booking-page",
        "scope": "customer",
    }.items()
