"""Watching the service run: GET /metrics (Prometheus text format) on the API behind the admin scope
or on a port of its own without a token (MEETBOOK_METRICS_PORT), the gauges read from the database
at each scrape, and optional OpenTelemetry traces (OTEL_EXPORTER_OTLP_ENDPOINT)."""

from __future__ import annotations

import asyncio
import logging
import os

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from prometheus_client import start_http_server
from sqlalchemy import func, select

from meetbook.auth.deps import Admin
from meetbook.calendarsync.sync import STALE_AFTER
from meetbook.core import metrics
from meetbook.core.db import unit_of_work
from meetbook.core.http import error_responses
from meetbook.tables.calendar import CalendarConnectionRow
from meetbook.tables.claims import HoldRow
from meetbook.tables.outbox import PENDING, DeliveryRow

log = logging.getLogger("meetbook")

router = APIRouter(tags=["Operations"])


@router.get(
    "/metrics",
    summary="Prometheus metrics (admin scope)",
    description=(
        "Request latency per route template, bookings, reschedules, cancellations, holds granted and refused, "
        "live holds, the outbox backlog, database connections in use, in the Prometheus text format. With "
        "MEETBOOK_METRICS_PORT set this is served on that port without a token instead, and not here."
    ),
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}, **error_responses(403)},
)
async def scrape(request: Request, _admin: Admin):
    body = metrics.exposition(await database_gauges(request.app))
    return Response(body, media_type=metrics.CONTENT_TYPE)


async def database_gauges(app: FastAPI) -> list[tuple[str, str, float]]:
    """What the database says now, in one statement. A database that does not answer leaves these
    out (the counters are still scraped; /readyz says the database is down)."""
    sample_pool(app)
    now = app.state.clock.now()
    pending = DeliveryRow.status == PENDING
    statement = select(
        select(func.count()).select_from(HoldRow).where(HoldRow.expires_at > now).scalar_subquery(),
        select(func.count()).select_from(DeliveryRow).where(pending).scalar_subquery(),
        select(func.min(DeliveryRow.due_at)).where(pending, DeliveryRow.next_attempt_at <= now).scalar_subquery(),
        select(func.count()).select_from(CalendarConnectionRow)
        .where(CalendarConnectionRow.consecutive_failures >= STALE_AFTER).scalar_subquery(),
    )
    try:
        async with unit_of_work(app.state.read_sessions) as session:
            live, backlog, oldest_due, stale = (await session.execute(statement)).one()
    except Exception:  # noqa: BLE001
        log.warning("metrics: the database gauges could not be read", exc_info=True)
        return []
    age = max(0.0, (now - oldest_due).total_seconds()) if oldest_due is not None else 0.0
    return [
        ("meetbook_holds_live", "Holds that have not expired", float(live or 0)),
        ("meetbook_outbox_pending", "Outbox deliveries (e-mails, webhook calls) not yet delivered", float(backlog or 0)),
        ("meetbook_outbox_oldest_due_seconds", "Seconds the longest-waiting due delivery has waited since it was due", age),
        ("meetbook_calendar_connections_stale", "Advisors' calendar connections whose last 3 or more syncs failed", float(stale or 0)),
    ]


def sample_pool(app: FastAPI) -> None:
    """This process's database connections in use (SQLite's and PostgreSQL's pools both count them)."""
    checkedout = getattr(getattr(getattr(app.state, "engine", None), "pool", None), "checkedout", None)
    if checkedout is not None:
        metrics.DB_POOL_IN_USE.set(checkedout())


class Operations:
    """What the lifespan starts for watching: the metrics port's server, when configured."""

    def __init__(self, server=None):
        self.server = server

    async def stop(self) -> None:
        if self.server is not None:
            await asyncio.to_thread(self.server.shutdown)
            self.server.server_close()
        metrics.process_exited()


async def start(app: FastAPI) -> Operations:
    settings = app.state.settings
    if settings.metrics_port is None:
        return Operations()
    loop = asyncio.get_running_loop()

    def read():
        # The scrape runs in the metrics server's thread; the database is read on the app's event loop.
        return asyncio.run_coroutine_threadsafe(database_gauges(app), loop).result(timeout=10)

    try:
        server, _thread = start_http_server(settings.metrics_port, settings.metrics_host, metrics.scrape_registry(read))
    except OSError as exc:
        # Several workers of one server share the port setting: the first binds it (with
        # PROMETHEUS_MULTIPROC_DIR its scrape covers every worker), the others carry on without.
        log.info("metrics: port %s:%s not bound by this process (%s)", settings.metrics_host, settings.metrics_port, exc)
        return Operations()
    log.info("metrics: served on http://%s:%s/metrics", settings.metrics_host, settings.metrics_port)
    return Operations(server)


_tracing_unavailable_logged = False


def trace(app: FastAPI) -> None:
    """OpenTelemetry traces of every request when OTEL_EXPORTER_OTLP_ENDPOINT is set (the standard
    OTEL_* variables configure the exporter). The packages are optional, not pinned: see the README."""
    global _tracing_unavailable_logged
    if not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return
    try:
        from opentelemetry import trace as otel
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        if not _tracing_unavailable_logged:
            _tracing_unavailable_logged = True
            log.warning(
                "OTEL_EXPORTER_OTLP_ENDPOINT is set but tracing needs opentelemetry-sdk, opentelemetry-exporter-otlp-proto-http "
                "and opentelemetry-instrumentation-fastapi (missing: %s); serving without traces", exc.name,
            )
        return
    if not isinstance(otel.get_tracer_provider(), TracerProvider):  # one provider per process, however many apps
        provider = TracerProvider()  # service.name from OTEL_SERVICE_NAME
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        otel.set_tracer_provider(provider)
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")
