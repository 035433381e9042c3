"""The built-in issuer's token endpoint: client credentials for integrators, and (in development)
the authorization code with PKCE for the booking page (see pkce.py).

It is mounted only when no identity provider's JWKS is configured. Its clients are the operator's
(`MEETBOOK_OAUTH_CLIENTS`); the demo clients, whose secrets the README publishes, exist only in
development."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request

from meetbook.auth import pkce
from meetbook.auth.staff import router as staff_router
from meetbook.auth.tokens import issue_token
from meetbook.core.errors import Invalid, Unauthorized
from meetbook.core.http import Now, json

router = APIRouter(tags=["Authentication"])
router.include_router(staff_router)  # the staff workspace's development sign-in (only where this issuer exists)


@router.post(
    "/oauth/token",
    summary="Get an access token from the development issuer (client credentials, or authorization code with PKCE)",
    description=(
        "`grant_type=client_credentials` with `client_id`, `client_secret` (and optionally `scope`, `subject`) "
        "for integrators. `grant_type=authorization_code` with `code`, `code_verifier`, `redirect_uri` and "
        "`client_id=booking-page` for the booking page: the code comes from `/oauth/authorize`, and the "
        "token is a customer token whose subject is the customer number. `client_id=staff-workspace`: the code comes "
        "from `/oauth/staff/authorize`, and the token is an employee (or admin) token whose subject is the employee's id."
    ),
    responses={
        400: {"description": "Unsupported grant or scope, or a bad code"},
        401: {"description": "Unknown client"},
        404: {"description": "authorization_code while the development sign-in is off"},
    },
)
async def token(
    now: Now,
    request: Request,
    grant_type: Annotated[str, Form(json_schema_extra={"enum": ["client_credentials", "authorization_code"]})],
    client_id: Annotated[str, Form(json_schema_extra={"minLength": 1})],  # an empty field is a missing one
    client_secret: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form()] = None,
    subject: Annotated[str | None, Form(description="The customer id the token speaks for")] = None,
    code: Annotated[str | None, Form(description="authorization_code: the code from /oauth/authorize")] = None,
    code_verifier: Annotated[str | None, Form(description="authorization_code: the PKCE verifier")] = None,
    redirect_uri: Annotated[str | None, Form(description="authorization_code: the redirect_uri given to /oauth/authorize")] = None,
):
    settings = request.app.state.settings
    if grant_type == "authorization_code":
        return _authorization_code(request, now, client_id, code, code_verifier, redirect_uri)
    if grant_type != "client_credentials":
        raise Invalid("grant_type must be client_credentials or authorization_code")
    client = settings.token_clients().get(client_id)
    if client is None or client_secret is None or not secrets.compare_digest(client[0], client_secret):
        raise Unauthorized("unknown client or wrong secret")
    allowed = set(client[1].split())
    wanted = set((scope or client[1]).split())
    if not wanted <= allowed:
        raise Invalid(f"client '{client_id}' may ask only for: {' '.join(sorted(allowed))}")
    access = issue_token(settings, " ".join(sorted(wanted)), subject or client_id)
    return json(
        {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": settings.token_ttl_seconds,
            "scope": " ".join(sorted(wanted)),
        },
        headers={"Cache-Control": "no-store"},
    )


def _authorization_code(request: Request, now: dt.datetime, client_id: str, code: str | None, verifier: str | None, redirect_uri: str | None):
    settings = request.app.state.settings
    pkce._enabled(request)
    if not code or not verifier or not redirect_uri:
        raise Invalid("authorization_code needs code, code_verifier and redirect_uri")
    pkce.check_client(request, client_id, redirect_uri, (pkce.PUBLIC_CLIENT, pkce.STAFF_CLIENT))
    grant = pkce.codes.redeem(code, now)
    # One answer for every reason a code is refused, so a caller learns nothing from which check failed.
    refused = Invalid("the code is unknown, expired, already used, or was issued for another client, redirect_uri or verifier")
    if grant is None or grant.client_id != client_id or grant.redirect_uri != redirect_uri:
        raise refused
    if not pkce.check_verifier(verifier) or not secrets.compare_digest(pkce.s256(verifier), grant.code_challenge):
        raise refused
    access = issue_token(settings, grant.scope, grant.subject)
    return json(
        {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": settings.token_ttl_seconds,
            "scope": grant.scope,
            # Not part of OAuth: the name given at sign-in, so the page can fill in the booking form.
            "name": grant.name,
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )
