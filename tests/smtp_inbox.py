"""A real SMTP server on the loopback (aiosmtpd) that keeps what it receives, for the e-mail tests.

It can be stopped and started again on the same port (the mail server is down for a while), and told
to refuse a mailbox with a 5xx or to answer a 4xx for a while.
"""

from __future__ import annotations

import email
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as DEFAULT_POLICY

from aiosmtpd.controller import Controller
from icalendar import Calendar


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]

    def part(self, content_type: str):
        return next((p for p in self.message.walk() if p.get_content_type() == content_type), None)

    @property
    def text(self) -> str:
        return self.part("text/plain").get_content()

    @property
    def html(self) -> str:
        return self.part("text/html").get_content()

    @property
    def calendar(self):
        part = self.part("text/calendar")
        return None if part is None else Calendar.from_ical(part.get_content())

    @property
    def event(self):
        return None if self.calendar is None else self.calendar.walk("VEVENT")[0]


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address -> SMTP answer to RCPT TO
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's hook name)
        answer = self.refuse.get(address.lower())
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=DEFAULT_POLICY)
        with self.lock:
            self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """`with Inbox() as inbox:` a server on 127.0.0.1:inbox.port; `inbox.url` for MEETBOOK_SMTP_URL."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = Handler()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, seconds: float = 30.0) -> list[Received]:
        """At least `count` messages, waiting at most `seconds` (for servers that deliver by themselves)."""
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received

    def __enter__(self) -> Inbox:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
