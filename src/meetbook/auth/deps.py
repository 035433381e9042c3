"""The FastAPI side of authentication: who is calling, and may they."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from meetbook.auth.tokens import Principal
from meetbook.core.actor import ACTOR, Actor
from meetbook.core.errors import Forbidden, Unauthorized
from meetbook.core.ratelimit import VERIFIED_TOKEN

bearer = HTTPBearer(auto_error=False, description="An OAuth2 access token (see POST /oauth/token)")


async def principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("an access token is required: Authorization: Bearer <token>")
    verified = getattr(request.state, VERIFIED_TOKEN, None)  # the rate limiter verified it to know whose budget to count
    if verified is not None and verified[0] == credentials.credentials:
        return verified[1]
    return await request.app.state.verifier.verify(credentials.credentials)


def scoped(scope: str):
    async def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if scope not in who.scopes:
            raise Forbidden(f"this needs the '{scope}' scope")
        ACTOR.set(Actor(who.subject, " ".join(sorted(who.scopes))))  # who the audit trail names for this request's changes
        return who

    return check


# Anyone signed in: every scope implies customer (an employee can do what a customer can).
SignedIn = Annotated[Principal, Depends(scoped("customer"))]
Employee = Annotated[Principal, Depends(scoped("employee"))]
Admin = Annotated[Principal, Depends(scoped("admin"))]
