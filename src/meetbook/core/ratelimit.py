"""Per-client rate limits (MEETBOOK_RATE_LIMITS) with the `limits` library, as ASGI middleware.

Moving window, not fixed: "100 a minute" then holds for every 60 seconds, where a fixed window lets a
client send 100 at 11:59:59 and 100 more at 12:00:00. It costs one timestamp per request in the
window (memory or a Redis list per client), which at a bank's request rates is small.

Counted in this process's memory, or in Redis (MEETBOOK_REDIS_URL) so that every process and host
shares one count. When Redis does not answer, requests are let through (fail open: a counter outage
must never stop bookings), logged once per outage and counted in meetbook_rate_limit_fail_open_total.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter

from meetbook.core import metrics
from meetbook.core.http import code_for

log = logging.getLogger("meetbook")

# Probes, the scrape and the booking page's files are never limited: a monitor or a page load must not
# use up (or be refused by) a client's budget.
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
EXEMPT_PREFIXES = ("/static/",)
# After Redis failed, requests skip it for this long instead of each waiting for a connection to fail.
RETRY_STORAGE_SECONDS = 2.0
REDIS_TIMEOUT_SECONDS = 0.5
# scope["state"] key: the bearer token the limiter verified and its principal, so auth.deps need not verify it again.
VERIFIED_TOKEN = "verified_token"


def is_exempt(path: str) -> bool:
    return path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int  # of the tightest limit: the one with the fewest requests left
    remaining: int
    reset: float  # epoch seconds when the tightest limit frees a request again

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
            (b"x-ratelimit-reset", str(math.ceil(self.reset)).encode()),
        ]


class RateLimiter:
    def __init__(self, items: list[RateLimitItem], redis_url: str | None = None, key_prefix: str = "meetbook"):
        # Shortest window first: a client over its minute is refused without touching its hour.
        self.items = sorted(items, key=lambda item: item.get_expiry())
        if redis_url:
            uri = redis_url if redis_url.startswith("async+") else "async+" + redis_url
            storage = RedisStorage(
                uri, implementation="redispy", key_prefix=f"{key_prefix}:ratelimit", wrap_exceptions=True,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS,
            )
        else:
            storage = MemoryStorage()
        self.shared = bool(redis_url)
        self.strategy = MovingWindowRateLimiter(storage)
        self._down_since: float | None = None  # monotonic time the current outage began
        self._retry_at = 0.0

    async def check(self, key: str) -> Decision | None:
        """Count one request of `key`; None when the storage does not answer (let it through)."""
        now = time.monotonic()
        if self._down_since is not None and now < self._retry_at:
            metrics.RATE_LIMIT_FAIL_OPEN.inc()
            return None
        try:
            decision = await self._count(key)
        except Exception as exc:  # noqa: BLE001 - any storage failure fails open
            if self._down_since is None:
                log.warning("rate limits are not applied: their storage does not answer (%s); requests pass until it does", exc)
                self._down_since = now
            self._retry_at = now + RETRY_STORAGE_SECONDS
            metrics.RATE_LIMIT_FAIL_OPEN.inc()
            return None
        if self._down_since is not None:
            log.warning("rate limits apply again: their storage answers after %.0f s", now - self._down_since)
            self._down_since = None
        return decision

    async def _count(self, key: str) -> Decision:
        for item in self.items:
            if not await self.strategy.hit(item, key):
                stats = await self.strategy.get_window_stats(item, key)
                return Decision(False, item.amount, 0, stats.reset_time)
        stats = await asyncio.gather(*(self.strategy.get_window_stats(item, key) for item in self.items))
        item, tightest = min(zip(self.items, stats), key=lambda pair: (pair[1].remaining, -pair[1].reset_time))
        return Decision(True, item.amount, tightest.remaining, tightest.reset_time)


class RateLimit:
    """Counts each request against its client's limits; every answer carries X-RateLimit-*."""

    def __init__(self, app, limiter: RateLimiter, verify: Callable[[str], Awaitable[Any]]):
        self.app = app
        self.limiter = limiter
        self.verify = verify  # token -> principal (with .subject), raising when the token is not valid

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or is_exempt(scope["path"]):
            return await self.app(scope, receive, send)
        decision = await self.limiter.check(await self._client(scope))
        if decision is None:
            return await self.app(scope, receive, send)
        if not decision.allowed:
            metrics.RATE_LIMITED.inc()
            wait = max(1, math.ceil(decision.reset - time.time()))
            message = f"too many requests: this client may make {decision.limit} in the window; retry in {wait} s"
            return await _refuse(send, 429, message, decision.headers() + [(b"retry-after", str(wait).encode())])

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + decision.headers()
            await send(message)

        await self.app(scope, receive, with_headers)

    async def _client(self, scope) -> str:
        """Whose budget a request uses. A token's subject only once the token verified: anyone can
        write an unsigned token naming someone else's subject, and counting it would let a stranger
        use up (and so lock out) that client's budget. A request without a valid token counts against
        the address it came from (behind a proxy, run uvicorn with --proxy-headers so that is the client's)."""
        authorization = dict(scope.get("headers") or ()).get(b"authorization", b"").decode("latin-1")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and token:
            try:
                who = await self.verify(token)
            except Exception:  # noqa: BLE001 - refused by the route's own authentication, with its reason
                pass
            else:
                scope.setdefault("state", {})[VERIFIED_TOKEN] = (token, who)
                return "sub:" + who.subject
        client = scope.get("client")
        return "ip:" + (client[0] if client else "unknown")


async def _refuse(send, status: int, message: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"code": code_for(status), "message": message}).encode()
    start = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": body})
