"""Searches on a PostgreSQL streaming replica (MEETBOOK_DATABASE_REPLICA_URL), and on the primary
while the replica does not answer.

Only what a search offers is read there: it may lag the primary by the replication delay, which is
harmless because reserving and booking check the exact slot again on the primary, under the
advisor's lock and the exclusion constraint. A slot the replica still offers but the primary has
given away is refused at reserve with 409, never booked twice. See docs/deployment.md.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from meetbook.core import metrics
from meetbook.core.db import make_engine, make_sessionmaker

log = logging.getLogger("meetbook")

# session.info key: the primary's read sessions, on a session of the replica. What must not lag
# (the configuration snapshot, shared with reserves: catalog.snapshot) is read through them.
PRIMARY_READS = "meetbook.primary_reads"

# A replica that is gone (host down, not refused) would otherwise hold each search for the
# driver's default: no timeout at all.
CONNECT_TIMEOUT_SECONDS = 2
# After a failed connection, searches go to the primary for this long before the replica is tried
# again: one slow failure per interval, not one per search.
RETRY_SECONDS = 5.0


def make_replica_engine(url: str) -> AsyncEngine:
    # Pinged on every checkout (not only after a quiet second, as the primary's): a search finds a
    # replica gone when it opens its session, and reads the primary instead (see `open`).
    return make_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS}, pool_pre_ping=True)


class SearchSessions:
    """Sessions for searches: the replica's read-only ones while it answers, else the primary's."""

    def __init__(
        self,
        primary: async_sessionmaker[AsyncSession],
        replica: AsyncEngine | None = None,
        retry_seconds: float = RETRY_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.replica_engine = replica
        self.replica = make_sessionmaker(replica, read_only=True) if replica is not None else None
        self.retry_seconds = retry_seconds
        self._monotonic = monotonic
        self._retry_at = -math.inf
        self._down = False

    async def open(self) -> AsyncSession:
        """A session to search with, already connected when it is the replica's (a connection that
        fails later, mid-search, is that request's 500)."""
        if self.replica is None:
            return self.primary()
        if self._monotonic() >= self._retry_at:
            session = self.replica()
            try:
                await session.connection()  # the pool's pre-ping: a dead server is found here, not mid-search
            except (DBAPIError, OSError) as exc:
                await session.close()
                self._went_down(exc)
            else:
                if self._down:
                    self._down = False
                    log.warning("the database replica answers again; searches read it")
                session.info[PRIMARY_READS] = self.primary
                return session
        metrics.SEARCH_REPLICA_FALLBACKS.inc()
        return self.primary()

    def _went_down(self, exc: BaseException) -> None:
        self._retry_at = self._monotonic() + self.retry_seconds
        if not self._down:  # one line per outage, not one per search
            self._down = True
            log.warning("the database replica does not answer (%s); searches read the primary, the replica is tried again "
                        "every %.0f s", _first_line(exc), self.retry_seconds)

    async def replica_state(self) -> str | None:
        """For /readyz: None without a replica, else "ok" or "unreachable"."""
        if self.replica_engine is None:
            return None
        try:
            async with self.replica_engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (DBAPIError, OSError) as exc:
            log.warning("readiness: the database replica does not answer: %s", _first_line(exc))
            return "unreachable"
        return "ok"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
