"""Settings from the environment (prefix MEETBOOK_), with defaults that run on a laptop."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "meetbook-development-secret-change-me-0123456789"
# The development issuer's clients; their secrets are in the README, so they exist only in development.
DEV_CLIENTS = "demo-integrator:demo-secret:customer employee,demo-admin:admin-secret:admin"
# Secrets that anyone can read (the README, this file): never accepted outside development.
PUBLISHED_SECRETS = frozenset({DEV_SECRET, "demo-secret", "admin-secret", "change-me", "secret", "password"})
MIN_SECRET_LENGTH = 32
SCOPES = ("customer", "employee", "admin")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEETBOOK_", env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = "sqlite+aiosqlite:///./meetbook.db"

    # Tokens: the built-in development issuer signs with HS256 and this secret; production
    # points `jwks_url` at the identity provider and never uses the secret.
    auth_secret: str = DEV_SECRET
    auth_issuer: str = "http://127.0.0.1:8000"
    auth_audience: str = "meetbook"
    jwks_url: str | None = None
    jwt_algorithms: list[str] = ["RS256", "ES256"]
    token_ttl_seconds: int = 3600
    # Clients of the built-in issuer's token endpoint, "id:secret:scope scope" separated by commas.
    # Unset: the demo clients in development, none anywhere else.
    oauth_clients: str | None = None

    # The right-hand side of every .ics UID: fixed, so a meeting keeps one UID however it is reached.
    ical_uid_domain: str = "meetbook"
    # Where the booking page signs customers in (authorization code with PKCE). Unset: the
    # development issuer of this process; in production, your identity provider's endpoints.
    page_authorization_endpoint: str | None = None
    page_token_endpoint: str | None = None
    page_client_id: str | None = None
    page_scope: str = "customer"
    hold_seconds: int = 300
    # How long a process serves its snapshot of the bank's configuration before checking the
    # version again (a round trip per request otherwise). Its own writes are seen at once;
    # other processes' within this many seconds.
    config_recheck_seconds: float = 1.0
    sweep_interval_seconds: float = 30.0
    max_body_bytes: int = 1_000_000
    log_level: str = "INFO"

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        # Accept the usual spellings and pick the async drivers the service runs on.
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
            url = "sqlite+aiosqlite://" + url[len("sqlite://") :]
        return url

    @model_validator(mode="after")
    def _no_published_secrets_outside_development(self) -> "Settings":
        if self.jwks_url is not None:
            if self.oauth_clients:
                raise ValueError(
                    "MEETBOOK_OAUTH_CLIENTS is for the built-in issuer; with MEETBOOK_JWKS_URL your identity "
                    "provider issues the tokens: configure its clients there"
                )
            return self
        if not self.is_development:
            if self.auth_secret in PUBLISHED_SECRETS:
                raise ValueError(
                    "MEETBOOK_AUTH_SECRET is the development default; set a secret of your own "
                    "or MEETBOOK_JWKS_URL for production"
                )
            if len(self.auth_secret) < MIN_SECRET_LENGTH:
                raise ValueError(f"MEETBOOK_AUTH_SECRET must be at least {MIN_SECRET_LENGTH} characters outside development")
        self.token_clients()  # refuse a malformed or weak client list at start-up, not at the first request
        return self

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def builtin_issuer(self) -> bool:
        """The process issues its own tokens (no identity provider's JWKS configured)."""
        return self.jwks_url is None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def token_clients(self) -> dict[str, tuple[str, str]]:
        """client_id -> (secret, scopes) of the built-in issuer's token endpoint."""
        if not self.builtin_issuer:
            return {}
        raw = self.oauth_clients if self.oauth_clients is not None else (DEV_CLIENTS if self.is_development else "")
        out: dict[str, tuple[str, str]] = {}
        for entry in filter(None, (e.strip() for e in raw.split(","))):
            client_id, _, rest = entry.partition(":")
            secret, _, scope = rest.partition(":")
            if not client_id or not secret or not scope.split():
                raise ValueError(f"MEETBOOK_OAUTH_CLIENTS: '{client_id or entry[:20]}' must be written id:secret:scope")
            unknown = set(scope.split()) - set(SCOPES)
            if unknown:
                raise ValueError(f"MEETBOOK_OAUTH_CLIENTS: client '{client_id}' has unknown scope(s) {', '.join(sorted(unknown))}; use {', '.join(SCOPES)}")
            if not self.is_development and (secret in PUBLISHED_SECRETS or len(secret) < MIN_SECRET_LENGTH):
                raise ValueError(
                    f"MEETBOOK_OAUTH_CLIENTS: client '{client_id}' needs a secret of its own of at least "
                    f"{MIN_SECRET_LENGTH} characters outside development (not a published default)"
                )
            out[client_id] = (secret, " ".join(scope.split()))
        return out


@lru_cache
def get_settings() -> Settings:
    return Settings()
