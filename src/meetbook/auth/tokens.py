"""Access tokens: the built-in development issuer and validation (development secret or JWKS)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass

import jwt

from meetbook.core.config import SCOPES, Settings
from meetbook.core.errors import Unauthorized
from meetbook.core.wire import plain_line

# What each scope may also do: an admin can do what an employee can, an employee what a customer can.
IMPLIED = {"admin": {"admin", "employee", "customer"}, "employee": {"employee", "customer"}, "customer": {"customer"}}
# Clock skew allowed between the token's issuer and this service when checking `exp` and `nbf`.
LEEWAY_SECONDS = 5


@dataclass(frozen=True)
class Principal:
    subject: str
    scopes: frozenset[str]

    @property
    def is_employee(self) -> bool:
        return "employee" in self.scopes


def issue_token(settings: Settings, scope: str, subject: str | None = None, ttl: int | None = None) -> str:
    """A token from the development issuer (HS256 with the configured secret)."""
    unknown = set(scope.split()) - set(SCOPES)
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(sorted(unknown))}; use {', '.join(SCOPES)}")
    lifetime = ttl if ttl is not None else settings.token_ttl_seconds
    if lifetime <= 0:  # such a token has expired before anyone can use it
        raise ValueError(f"a token's lifetime (ttl) must be at least 1 second, not {lifetime}")
    now = int(time.time())
    claims = {
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "sub": subject or f"dev-{uuid.uuid4()}",
        "scope": scope,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, settings.auth_secret, algorithm="HS256")


# Our own words for each failure (the library's texts name codecs and padding), most specific first.
_REFUSALS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, "the access token has expired"),
    (jwt.ImmatureSignatureError, "the access token is not valid yet"),
    (jwt.InvalidSignatureError, "the access token's signature does not match"),
    (jwt.DecodeError, "the access token is malformed"),
    (jwt.InvalidAudienceError, "the access token is meant for another audience"),
    (jwt.InvalidIssuerError, "the access token is from another issuer"),
    (jwt.MissingRequiredClaimError, "the access token lacks the '{claim}' claim"),
    (jwt.InvalidAlgorithmError, "the access token is signed with an algorithm this service does not accept"),
    (jwt.PyJWKClientConnectionError, "the identity provider's signing keys could not be fetched to check the access token"),
    (jwt.PyJWKClientError, "the access token is signed with a key the identity provider does not list"),
    (jwt.InvalidTokenError, "the access token is invalid"),
)


def _refusal(exc: Exception) -> str:
    message = next(text for kind, text in _REFUSALS if isinstance(exc, kind))
    return message.format(claim=getattr(exc, "claim", ""))


# Tokens already verified, until they expire: a client sends the same token with every request,
# and checking it again cost about a tenth of a reserve's CPU. Bounded; the oldest go first.
VERIFIED_CACHE_SIZE = 10_000


class TokenVerifier:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url, cache_keys=True) if settings.jwks_url else None
        self._verified: OrderedDict[str, tuple[Principal, float, float]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None:
            principal, not_before, expires = known
            if not_before - LEEWAY_SECONDS <= time.time() < expires + LEEWAY_SECONDS:
                return principal
            del self._verified[token]
        principal, claims = await self._verify(token)
        self._verified[token] = (principal, float(claims.get("nbf") or claims.get("iat") or 0), float(claims["exp"]))
        if len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, dict]:
        try:
            if self._jwks is not None:
                signing_key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
                key, algorithms = signing_key.key, self.settings.jwt_algorithms
            else:
                key, algorithms = self.settings.auth_secret, ["HS256"]
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.settings.auth_audience,
                issuer=self.settings.auth_issuer,
                options={"require": ["exp", "sub"]},
                leeway=LEEWAY_SECONDS,
            )
        except (jwt.InvalidTokenError, jwt.PyJWKClientError) as exc:
            raise Unauthorized(_refusal(exc)) from None
        granted: set[str] = set()
        raw = claims.get("scope") or claims.get("scp") or ""
        # A space-separated string (RFC 8693) or a list of strings (Azure's scp); anything else grants nothing.
        scopes = raw.split() if isinstance(raw, str) else raw if isinstance(raw, list) else []
        for scope in scopes:
            if isinstance(scope, str):
                granted |= IMPLIED.get(scope, set())
        subject = str(claims["sub"])
        # Stored as a hold's owner and a meeting's customer id: a NUL or an overlong one was a 500 on PostgreSQL.
        if not 1 <= len(subject) <= 200 or not plain_line(subject):
            raise Unauthorized("the access token's subject must be one line of 1 to 200 characters")
        return Principal(subject=subject, scopes=frozenset(granted)), claims
