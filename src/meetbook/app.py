"""The FastAPI application: routers, error bodies, middleware, and the process's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from sqlalchemy import text

from meetbook import __version__, docs_ui, openapi
from meetbook.auth.pkce import router as pkce_router
from meetbook.auth.routes import router as auth_router
from meetbook.auth.tokens import TokenVerifier
from meetbook.catalog.admin.routes import router as admin_router
from meetbook.catalog.routes import router as catalog_router
from meetbook.catalog.snapshot import SnapshotCache
from meetbook.core import idempotency
from meetbook.core.clock import Clock, SystemClock
from meetbook.core.config import Settings, get_settings
from meetbook.core.db import make_engine, make_sessionmaker, unit_of_work
from meetbook.core.http import error, install_error_handlers, json
from meetbook.core.middleware import BodyLimit, RequestLog, TargetLimit
from meetbook.core.query import plain_parameters
from meetbook.meetings.routes import router as meetings_router
from meetbook.reservations.routes import router as reservations_router
from meetbook.slots.routes import router as slots_router
from meetbook.tables.claiming import prune_past_claims, sweep_expired
from meetbook.web.routes import router as web_router

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
    them away, so that the tables a search reads stay the size of the future, not of the past."""
    while True:
        await asyncio.sleep(app.state.settings.sweep_interval_seconds)
        try:
            async with unit_of_work(app.state.sessions) as session:
                now = app.state.clock.now()
                await sweep_expired(session, now)
                await prune_past_claims(session, now)
                await idempotency.forget_old(session, now)
        except Exception:  # keep sweeping; the next round will try again
            log.exception("sweeping expired holds failed")


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.engine = make_engine(settings.database_url)
        app.state.sessions = make_sessionmaker(app.state.engine)
        app.state.read_sessions = make_sessionmaker(app.state.engine, read_only=True)
        sweeper = asyncio.create_task(_sweeper(app)) if settings.sweep_interval_seconds > 0 else None
        try:
            yield
        finally:
            if sweeper:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper
            await app.state.engine.dispose()

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
    for router in (slots_router, reservations_router, meetings_router, catalog_router, admin_router):
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
        return json({"status": "ok"})

    if settings.builtin_issuer:
        app.include_router(pkce_router)
    app.include_router(web_router)  # the booking page at /

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(TargetLimit)
    app.add_middleware(RequestLog)
    return app
