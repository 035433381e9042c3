"""Settings from the environment (prefix MEETBOOK_), with defaults that run on a laptop."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "meetbook-development-secret-change-me-0123456789"


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
    # Clients of the development token endpoint, "id:secret:scope" separated by commas.
    dev_clients: str = "demo-integrator:demo-secret:customer employee,demo-admin:admin-secret:admin"

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
    def _no_default_secret_in_production(self) -> "Settings":
        if self.environment == "production" and self.jwks_url is None and self.auth_secret == DEV_SECRET:
            raise ValueError(
                "MEETBOOK_AUTH_SECRET is the development default; set a secret of your own "
                "or MEETBOOK_JWKS_URL for production"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def clients(self) -> dict[str, tuple[str, str]]:
        """client_id -> (secret, scopes) for the development token endpoint."""
        out: dict[str, tuple[str, str]] = {}
        for entry in filter(None, (e.strip() for e in self.dev_clients.split(","))):
            client_id, secret, scope = entry.split(":", 2)
            out[client_id] = (secret, scope)
        return out


@lru_cache
def get_settings() -> Settings:
    return Settings()
