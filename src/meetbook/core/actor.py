"""Who is acting and for which request, as the audit trail records it (meetbook.tables.audit).

Context variables, so the database's session events can read them without every use case passing
them on: the request log sets the request id, the auth dependency the token's subject and scope,
and a job that is no request (the sweeper, the command line) names itself with `acting_as`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    subject: str | None
    scope: str


# No token seen: the process itself (a background round, a script).
SYSTEM = Actor(None, "system")

ACTOR: contextvars.ContextVar[Actor] = contextvars.ContextVar("meetbook_actor", default=SYSTEM)
# session.info key: the injected clock (meetbook.core.clock), so an audit row's time is the app's "now".
CLOCK = "meetbook.clock"
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("meetbook_request_id", default=None)


@contextmanager
def acting_as(subject: str | None, scope: str) -> Iterator[None]:
    reset = ACTOR.set(Actor(subject, scope))
    try:
        yield
    finally:
        ACTOR.reset(reset)
