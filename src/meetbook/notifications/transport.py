"""Where messages go: an SMTP server (aiosmtplib), or `.eml` files in a folder on a laptop."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from meetbook.events.dispatcher import Outcome

SMTP_TIMEOUT_SECONDS = 30.0
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False  # smtps: TLS from the first byte
    start_tls: bool = False  # smtp with STARTTLS (?starttls=true)
    validate_certs: bool = True

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """`smtp://host:port`, `smtps://user:password@host:465`, `smtp://host:587?starttls=true`
        (`&verify=false` accepts a self-signed certificate). Refused with a message saying how to
        write it."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(
                "MEETBOOK_SMTP_URL must be smtp://host:port, smtps://user:password@host:465 or smtp://host:587?starttls=true"
            )
        query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
        unknown = set(query) - {"starttls", "verify"}
        if unknown:
            raise ValueError(f"MEETBOOK_SMTP_URL: unknown option(s) {', '.join(sorted(unknown))}; use starttls=true, verify=false")
        use_tls = parts.scheme == "smtps"
        start_tls = query.get("starttls", "false") in _TRUE
        if use_tls and start_tls:
            raise ValueError("MEETBOOK_SMTP_URL: smtps is TLS already; starttls=true is for smtp://")
        try:
            port = parts.port or (465 if use_tls else 587 if start_tls else 25)
        except ValueError:
            raise ValueError("MEETBOOK_SMTP_URL: the port must be a number from 1 to 65535") from None
        return cls(
            host=parts.hostname, port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=use_tls, start_tls=start_tls, validate_certs=query.get("verify", "true") in _TRUE,
        )

    def __repr__(self) -> str:  # never the password, in logs or errors
        scheme = "smtps" if self.use_tls else "smtp"
        return f"SmtpServer({scheme}://{self.username + '@' if self.username else ''}{self.host}:{self.port})"


class SmtpTransport:
    def __init__(self, server: SmtpServer, timeout: float = SMTP_TIMEOUT_SECONDS):
        self.server = server
        self.timeout = timeout

    async def send(self, message: EmailMessage, recipient: str) -> Outcome:
        server = self.server
        started = time.monotonic()
        try:
            await aiosmtplib.send(
                message, recipients=[recipient], hostname=server.host, port=server.port, username=server.username,
                password=server.password, use_tls=server.use_tls, start_tls=server.start_tls,
                validate_certs=server.validate_certs, timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refusal = exc.recipients[0] if exc.recipients else None
            code = getattr(refusal, "code", None)
            # 5xx for this recipient: the mailbox will not take it, however often we try.
            return Outcome.failed(f"the server refused {recipient}: {code} {getattr(refusal, 'message', exc)}",
                                  permanent=code is not None and code >= 500, response_code=code, duration_ms=_ms(started))
        except aiosmtplib.SMTPResponseException as exc:
            return Outcome.failed(f"SMTP {exc.code} {exc.message}", response_code=exc.code, duration_ms=_ms(started))
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return Outcome.failed(f"{server!r}: {type(exc).__name__}: {exc}", duration_ms=_ms(started))
        return Outcome(ok=True, response_code=250, duration_ms=_ms(started))


class MailDirTransport:
    """The laptop default: each message an `.eml` file (any mail program opens it). A message sent
    again overwrites its own file: one file per message."""

    def __init__(self, folder: Path):
        self.folder = folder

    async def send(self, message: EmailMessage, recipient: str) -> Outcome:
        started = time.monotonic()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = message["Message-ID"].strip("<>").split("@")[0]
            target = self.folder / f"{name}.eml"
            partial = target.with_suffix(".eml.partial")
            partial.write_bytes(bytes(message))
            os.replace(partial, target)  # a reader never sees half a message
        except OSError as exc:
            return Outcome.failed(f"could not write to {self.folder}: {exc}", duration_ms=_ms(started))
        return Outcome(ok=True, duration_ms=_ms(started), detail={"file": str(target)})


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
