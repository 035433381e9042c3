"""Prometheus metrics: the definitions (here, at the bottom layer, so any layer can count), the HTTP
latency middleware and the text exposition.

Several worker processes add up when PROMETHEUS_MULTIPROC_DIR names an empty, writable directory
before the processes start (prometheus_client reads it at import): each process writes its counts
there and a scrape of any one process reads them all. Without it each process counts for itself.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from starlette.routing import Match

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUEST_SECONDS = Histogram(
    "meetbook_http_request_duration_seconds",
    "Time to answer a request, by route template (never the raw path), method and status class",
    ["route", "method", "status"],
)
BOOKINGS = Counter("meetbook_bookings", "Meetings booked (counted once the booking's transaction committed)")
RESCHEDULES = Counter("meetbook_reschedules", "Meetings moved to another time (counted after commit)")
CANCELLATIONS = Counter("meetbook_cancellations", "Meetings cancelled (counted after commit)")
HOLDS_GRANTED = Counter("meetbook_holds_granted", "Time slots held by POST /bookme/time-slots/reserve (after commit)")
HOLDS_REFUSED = Counter("meetbook_holds_refused", "Reservations refused with 409 (slot taken, too many holds)")
RATE_LIMITED = Counter("meetbook_rate_limited", "Requests refused with 429 because their client was over a rate limit")
RATE_LIMIT_FAIL_OPEN = Counter(
    "meetbook_rate_limit_fail_open", "Requests let through unlimited because the rate limits' storage (Redis) did not answer"
)
SEARCH_REPLICA_FALLBACKS = Counter(
    "meetbook_search_replica_fallbacks", "Searches read from the primary because the replica (MEETBOOK_DATABASE_REPLICA_URL) did not answer"
)
# Per process; with several workers the live processes' values are summed.
DB_POOL_IN_USE = Gauge(
    "meetbook_db_pool_in_use", "Database connections checked out of the pool", multiprocess_mode="livesum"
)

# Outbox event kinds (tables.outbox) that count as one of the above, once their transaction committed.
EVENT_COUNTERS: dict[str, Counter] = {
    "meeting.booked": BOOKINGS,
    "meeting.rescheduled": RESCHEDULES,
    "meeting.cancelled": CANCELLATIONS,
}

UNMATCHED = "unmatched"  # every path no route serves: one label, however many such paths clients try
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_template(scope) -> str:
    """The template of the route that served (or would serve) the request: `/bookme/meetings/{id}`.
    A request refused before routing (a 429, a 413) is matched here, so it is labelled the same way."""
    route = scope.get("route")
    if route is None:
        app = scope.get("app")
        for candidate in getattr(getattr(app, "router", None), "routes", ()):
            match, _ = candidate.matches(scope)
            if match is not Match.NONE:
                route = candidate
                break
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) and template else UNMATCHED


class HttpMetrics:
    """Times every HTTP request; outermost, so it also sees the answers the other middleware give."""

    def __init__(self, app, after: Callable[[], None] | None = None):
        self.app = app
        self.after = after  # per-request sampling of per-process gauges (the pool)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500

        async def observed(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            method = scope["method"] if scope["method"] in _METHODS else "other"
            REQUEST_SECONDS.labels(route_template(scope), method, f"{status // 100}xx").observe(time.perf_counter() - started)
            if self.after is not None:
                self.after()


class Fixed(Collector):
    """Gauges whose values were read just before the scrape (from the database)."""

    def __init__(self, read: Callable[[], Iterable[tuple[str, str, float]]]):
        self.read = read

    def collect(self) -> Iterable[Metric]:
        for name, documentation, value in self.read():
            yield GaugeMetricFamily(name, documentation, value=value)


class _Counted(Collector):
    """This process's metrics, or every worker's in multiprocess mode."""

    def collect(self) -> Iterable[Metric]:
        if MULTIPROCESS:
            merged = CollectorRegistry()
            MultiProcessCollector(merged)
            return merged.collect()
        return REGISTRY.collect()


def scrape_registry(read: Callable[[], Iterable[tuple[str, str, float]]]) -> CollectorRegistry:
    """A registry that collects the counted metrics and, at each scrape, the values `read` returns."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Counted())
    registry.register(Fixed(read))
    return registry


def exposition(gauges: Iterable[tuple[str, str, float]]) -> bytes:
    """The text format of everything counted plus `gauges`, already read."""
    values = list(gauges)
    return generate_latest(scrape_registry(lambda: values))


def process_exited() -> None:
    """In multiprocess mode, drop this process's live gauges from the sums (its counters stay)."""
    if MULTIPROCESS:
        mark_process_dead(os.getpid())
