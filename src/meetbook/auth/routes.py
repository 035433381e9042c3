"""The development issuer's token endpoint (OAuth2 client credentials)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request

from meetbook.auth.tokens import issue_token
from meetbook.errors import Invalid, Unauthorized
from meetbook.http import json

router = APIRouter(tags=["Authentication"])


@router.post(
    "/oauth/token",
    summary="Get an access token from the development issuer (client credentials)",
    responses={400: {"description": "Unsupported grant or scope"}, 401: {"description": "Unknown client"}},
)
async def token(
    request: Request,
    grant_type: Annotated[str, Form()],
    client_id: Annotated[str, Form()],
    client_secret: Annotated[str, Form()],
    scope: Annotated[str | None, Form()] = None,
    subject: Annotated[str | None, Form(description="The customer id the token speaks for")] = None,
):
    settings = request.app.state.settings
    if grant_type != "client_credentials":
        raise Invalid("grant_type must be client_credentials")
    client = settings.clients().get(client_id)
    if client is None or not secrets.compare_digest(client[0], client_secret):
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
