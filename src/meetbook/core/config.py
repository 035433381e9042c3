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
DEFAULT_MAIL_FROM = "meetbook@localhost"
SCOPES = ("customer", "employee", "admin")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEETBOOK_", env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = "sqlite+aiosqlite:///./meetbook.db"
    # A PostgreSQL streaming replica that searches read from (reserves and bookings check and write on
    # the primary); while it does not answer, searches read the primary. See docs/deployment.md.
    database_replica_url: str | None = None

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
    # The same for the staff workspace at /staff/ (unset: the development issuer's staff sign-in). The
    # identity provider's tokens must carry the employee (or, for managers, admin) scope.
    staff_authorization_endpoint: str | None = None
    staff_token_endpoint: str | None = None
    staff_client_id: str | None = None
    staff_scope: str = "employee"
    hold_seconds: int = 300
    # How long a process serves its snapshot of the bank's configuration before checking the
    # version again (a round trip per request otherwise). Its own writes are seen at once;
    # other processes' within this many seconds.
    config_recheck_seconds: float = 1.0
    sweep_interval_seconds: float = 30.0
    max_body_bytes: int = 1_000_000

    # Messages. With no SMTP server, each e-mail is written as an .eml file to `mail_dir`.
    smtp_url: str | None = None
    mail_from: str = DEFAULT_MAIL_FROM
    mail_dir: str = "./mail"
    # The outbox is delivered by every server process (off: only `meetbook worker` delivers),
    # woken by each commit that wrote an event and at least every `dispatch_poll_seconds`.
    dispatch_in_server: bool = True
    dispatch_poll_seconds: float = 5.0
    # In production a webhook URL must reach a public address; true lets it reach the bank's own network.
    webhook_allow_private: bool = False
    # The same for advisors' CalDAV calendars (a bank's own calendar gateway).
    calendar_allow_private: bool = False
    # Advisors' calendars (CalDAV) are read every this many seconds by every server process and
    # `meetbook worker` (0: only on demand); one request to a calendar server waits at most the timeout.
    calendar_sync_seconds: float = 60.0
    calendar_timeout_seconds: float = 20.0
    # The key that calendar connections' passwords are encrypted with (HKDF-derived Fernet key); unset
    # in development: a published default, with a warning; unset elsewhere: no connection can be saved.
    secret_key: str | None = None
    log_level: str = "INFO"

    # Per-client request limits in the `limits` library's syntax, ";"-separated; empty switches them off.
    rate_limits: str = "100/minute;1000/hour"
    # Unset: counted in this process's memory. Set (redis://host:port/db): shared by every process and host.
    redis_url: str | None = None
    redis_key_prefix: str = "meetbook"
    # Set: /metrics is served without a token on this port (and host) only, not on the API's.
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"

    @field_validator("database_url", "database_replica_url")
    @classmethod
    def _async_driver(cls, url: str | None) -> str | None:
        # Accept the usual spellings and pick the async drivers the service runs on.
        if not url:
            return url
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
            url = "sqlite+aiosqlite://" + url[len("sqlite://") :]
        return url

    @field_validator("secret_key")
    @classmethod
    def _secret_key_strength(cls, key: str | None) -> str | None:
        if key is not None and (len(key) < MIN_SECRET_LENGTH or key in PUBLISHED_SECRETS):
            raise ValueError(f"MEETBOOK_SECRET_KEY must be a secret of your own of at least {MIN_SECRET_LENGTH} characters")
        return key

    @field_validator("rate_limits")
    @classmethod
    def _rate_limits_parse(cls, text: str) -> str:
        parsed_rate_limits(text)  # a typo is refused at start-up, not discovered when a client is never limited
        return text

    @model_validator(mode="after")
    def _replica_on_postgresql(self) -> "Settings":
        if self.database_replica_url == "":  # an empty variable: no replica
            self.database_replica_url = None
        if self.database_replica_url and (self.is_sqlite or self.database_replica_url.startswith("sqlite")):
            raise ValueError(
                "MEETBOOK_DATABASE_REPLICA_URL is a PostgreSQL streaming replica of a PostgreSQL MEETBOOK_DATABASE_URL; "
                "SQLite has no replicas: unset it, or run on PostgreSQL"
            )
        return self

    @model_validator(mode="after")
    def _no_published_secrets_outside_development(self) -> "Settings":
        if self.jwks_url is not None:
            self._mail_settings()
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
        self._mail_settings()
        self.token_clients()  # refuse a malformed or weak client list at start-up, not at the first request
        return self

    def _mail_settings(self) -> None:
        if "@" not in self.mail_from or any(c in self.mail_from for c in " <>\r\n"):
            raise ValueError(f"MEETBOOK_MAIL_FROM must be a bare e-mail address such as bookings@bank.example, not '{self.mail_from}'")
        if self.smtp_url:
            from urllib.parse import urlsplit

            if urlsplit(self.smtp_url).scheme not in ("smtp", "smtps") or not urlsplit(self.smtp_url).hostname:
                raise ValueError(
                    "MEETBOOK_SMTP_URL must be smtp://host:port, smtps://user:password@host:465 or smtp://host:587?starttls=true"
                )
            if not self.is_development and self.mail_from == DEFAULT_MAIL_FROM:
                raise ValueError("MEETBOOK_MAIL_FROM: set the bank's mailbox that invitations come from (the organizer)")
        if self.dispatch_poll_seconds <= 0:
            raise ValueError("MEETBOOK_DISPATCH_POLL_SECONDS must be more than 0")

    @property
    def message_domain(self) -> str:
        """The right-hand side of every Message-ID: the sending mailbox's domain."""
        return self.mail_from.rpartition("@")[2]

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


def parsed_rate_limits(text: str) -> list:
    """MEETBOOK_RATE_LIMITS as `limits` items ("100/minute;1000/hour"); empty: none."""
    from limits import parse_many

    if not text.strip():
        return []
    try:
        items = parse_many(text)
    except ValueError:
        raise ValueError(
            f"MEETBOOK_RATE_LIMITS: '{text[:60]}' is not a list of rate limits; write them like 100/minute;1000/hour "
            "(amount/second|minute|hour|day, separated by ;), or leave it empty to switch limits off"
        ) from None
    if any(item.amount < 1 for item in items):
        raise ValueError("MEETBOOK_RATE_LIMITS: every limit must allow at least 1 request")
    return items


@lru_cache
def get_settings() -> Settings:
    return Settings()
