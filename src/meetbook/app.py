"""The FastAPI application: routers, error bodies, middleware, and the process's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from sqlalchemy import text

from meetbook import __version__, docs_ui, monitoring, openapi
from meetbook.auth.pkce import router as pkce_router
from meetbook.auth.routes import router as auth_router
from meetbook.auth.tokens import TokenVerifier
from meetbook.calendarsync.consumer import CalDavConsumer
from meetbook.calendarsync.routes import router as calendarsync_router
from meetbook.calendarsync.sync import Syncer
from meetbook.catalog.admin.routes import router as admin_router
from meetbook.catalog.routes import router as catalog_router
from meetbook.catalog.snapshot import SnapshotCache
from meetbook.compliance.retention import apply_retention
from meetbook.compliance.routes import router as compliance_router
from meetbook.core import idempotency
from meetbook.core.actor import CLOCK, acting_as
from meetbook.core.addresses import Policy as WebhookPolicy
from meetbook.core.clock import Clock, SystemClock
from meetbook.core.config import Settings, get_settings, parsed_rate_limits
from meetbook.core.db import make_engine, make_sessionmaker, unit_of_work
from meetbook.core.http import error, install_error_handlers, json
from meetbook.core.metrics import HttpMetrics
from meetbook.core.middleware import BodyLimit, RequestLog, TargetLimit
from meetbook.core.query import plain_parameters
from meetbook.core.ratelimit import RateLimit, RateLimiter
from meetbook.core.replica import SearchSessions, make_replica_engine
from meetbook.events.dispatcher import Dispatcher
from meetbook.feeds.routes import router as feeds_router
from meetbook.meetings.routes import router as meetings_router
from meetbook.notifications.consumer import MailConsumer
from meetbook.notifications.routes import router as notifications_router
from meetbook.notifications.transport import MailDirTransport, SmtpServer, SmtpTransport
from meetbook.reservations.routes import router as reservations_router
from meetbook.slots.routes import router as slots_router
from meetbook.tables.audit import chain_pending
from meetbook.tables.claiming import prune_past_claims, sweep_expired
from meetbook.web.routes import router as web_router
from meetbook.webhooks.consumer import WebhookConsumer
from meetbook.webhooks.routes import router as webhooks_router

log = logging.getLogger("meetbook")

DESCRIPTION = """
Customers book meetings with the bank's advisors: pick a topic, see free time slots, hold one for
five minutes, confirm it as a meeting and download it as an .ics file.

Every endpoint needs an OAuth2 bearer token (`Authorization: Bearer <token>`). On a laptop, get one
from `meetbook token --scope customer` or `POST /oauth/token` with the development client.
Times are ISO 8601 (UTC output with `Z`); durations are `[d.]hh:mm:ss`.
"""


async def _sweeper(app: FastAPI) -> None:
    """Expired holds never block anyone, and past meetings' claims are never read; this tidies
    them away, so that the tables a search reads stay the size of the future, not of the past.
    The bank's retention periods are applied too, at most once per RETENTION_EVERY."""
    last_retention = None
    while True:
        await asyncio.sleep(app.state.settings.sweep_interval_seconds)
        try:
            async with unit_of_work(app.state.sessions) as session:
                now = app.state.clock.now()
                await sweep_expired(session, now)
                await prune_past_claims(session, now)
                await idempotency.forget_old(session, now)
                await chain_pending(session)  # the audit entries requests wrote, onto the hash chain
        except Exception:  # keep sweeping; the next round will try again
            log.exception("sweeping expired holds failed")
        now = app.state.clock.now()
        if last_retention is None or now - last_retention >= RETENTION_EVERY:
            try:
                await retention_round(app)
                last_retention = now
            except Exception:
                log.exception("applying the retention periods failed")


# Retention periods are days long: once every ten minutes is plenty, and spares each sweep a scan of past meetings.
RETENTION_EVERY = dt.timedelta(minutes=10)


async def retention_round(app: FastAPI):
    """One round of the bank's retention periods in its own transaction, recorded in the audit trail as the sweeper's."""
    with acting_as(None, "sweeper"):
        async with unit_of_work(app.state.sessions) as session:
            session.info[CLOCK] = app.state.clock
            return await apply_retention(session, app.state.clock.now())


def build_dispatcher(settings: Settings, sessions, clock: Clock) -> Dispatcher:
    """The outbox's consumers in this deployment and the dispatcher that feeds them (servers and
    `meetbook worker` alike)."""
    if settings.smtp_url:
        transport = SmtpTransport(SmtpServer.from_url(settings.smtp_url))
    else:  # the laptop default: what would be sent, as files
        transport = MailDirTransport(Path(settings.mail_dir))
    mail = MailConsumer(sessions, transport, mail_from=settings.mail_from, uid_domain=settings.ical_uid_domain)
    webhooks = WebhookConsumer(sessions, WebhookPolicy.of(settings.environment, settings.webhook_allow_private))
    return Dispatcher(sessions, [mail, webhooks, CalDavConsumer(sessions, settings)], clock)


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.engine = make_engine(settings.database_url)
        app.state.sessions = make_sessionmaker(app.state.engine)
        app.state.read_sessions = make_sessionmaker(app.state.engine, read_only=True)
        replica = make_replica_engine(settings.database_replica_url) if settings.database_replica_url else None
        app.state.search_sessions = SearchSessions(app.state.read_sessions, replica)
        app.state.dispatcher = build_dispatcher(settings, app.state.sessions, app.state.clock)
        tasks = []
        if settings.sweep_interval_seconds > 0:
            tasks.append(asyncio.create_task(_sweeper(app)))
        if settings.dispatch_in_server:
            tasks.append(asyncio.create_task(app.state.dispatcher.run_forever(settings.dispatch_poll_seconds)))
        if settings.calendar_sync_seconds > 0:  # advisors' calendars read on a timer (also by `meetbook worker`)
            tasks.append(asyncio.create_task(Syncer(app.state.sessions, settings, app.state.clock).run_forever()))
        operations = await monitoring.start(app)
        try:
            yield
        finally:
            await operations.stop()
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await app.state.engine.dispose()
            if replica is not None:
                await replica.dispose()

    app = FastAPI(
        title="meetbook: customer meeting booking",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # docs_ui serves /docs without a CDN
        redoc_url=None,
        dependencies=[Depends(plain_parameters)],  # no NUL or line break in any path or query parameter
        openapi_tags=[
            {"name": "BookMe", "description": "Topics, free time slots, holds and meetings"},
            {"name": "Organization Configuration", "description": "The bank's configuration"},
            {"name": "Authentication", "description": "The development token issuer"},
            {"name": "Operations", "description": "Health and readiness"},
        ],
    )
    app.state.settings = settings
    if not settings.is_development and not settings.page_authorization_endpoint:
        log.warning(
            "the booking page has no sign-in outside development: set MEETBOOK_PAGE_AUTHORIZATION_ENDPOINT, "
            "MEETBOOK_PAGE_TOKEN_ENDPOINT and MEETBOOK_PAGE_CLIENT_ID to your identity provider's"
        )
    app.state.clock = clock or SystemClock()
    app.state.snapshots = SnapshotCache(settings.config_recheck_seconds)
    app.state.verifier = TokenVerifier(settings)
    install_error_handlers(app)
    openapi.install(app)
    docs_ui.install(app)

    # Routes are matched in order: the booking flow's first, the hundred configuration routes after.
    for router in (slots_router, reservations_router, meetings_router, notifications_router, catalog_router, admin_router, feeds_router,
                   webhooks_router, calendarsync_router, compliance_router):
        app.include_router(router)
    if settings.builtin_issuer:  # with an identity provider's JWKS, tokens come from there only
        app.include_router(auth_router)

    @app.get("/healthz", tags=["Operations"], summary="The process answers")
    async def healthz():
        return json({"status": "ok"})

    @app.get("/readyz", tags=["Operations"], summary="The database answers")
    async def readyz(request: Request):
        try:
            async with request.app.state.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            log.exception("readiness check failed")
            return error(503, "the database does not answer")
        # Ready while the primary answers: searches read the primary while the replica does not.
        replica = await request.app.state.search_sessions.replica_state()
        return json({"status": "ok"} if replica is None else {"status": "ok", "replica": replica})

    if settings.metrics_port is None:  # else only on its own port, without a token (monitoring.start)
        app.include_router(monitoring.router)
    if settings.builtin_issuer:
        app.include_router(pkce_router)
    app.include_router(web_router)  # the booking page at /

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(TargetLimit)
    if rate_limits := parsed_rate_limits(settings.rate_limits):
        limiter = RateLimiter(rate_limits, settings.redis_url, settings.redis_key_prefix)
        app.add_middleware(RateLimit, limiter=limiter, verify=lambda token: app.state.verifier.verify(token))
    app.add_middleware(RequestLog)
    app.add_middleware(HttpMetrics, after=lambda: monitoring.sample_pool(app))  # outermost: times every answer
    monitoring.trace(app)
    return app
