"""The thin HTTP layer's shared pieces: the session per request, JSON responses, error bodies."""

from __future__ import annotations

import datetime as dt
import json as stdlib_json
import logging
import re
from collections.abc import AsyncIterator, Iterable
from http import HTTPStatus
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException as StarletteHTTPException

from meetbook.core.actor import CLOCK
from meetbook.core.db import unit_of_work
from meetbook.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Unauthorized

log = logging.getLogger("meetbook")


class FastJSON(JSONResponse):
    """JSON through orjson: a month of a bank's slots serialises in a millisecond, not fifty."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:  # a lone surrogate from a request's JSON, echoed in a message: sent as "?"
            return stdlib_json.dumps(content, ensure_ascii=False).encode("utf-8", "replace")


class JSONParts(Response):
    """A JSON body of a known length sent in parts, each made as the previous one has gone out
    (uvicorn waits for the socket to drain between them): a 25 MB answer is never one 25 MB
    object, and each part reuses the memory of the one before."""

    media_type = "application/json"

    def __init__(self, length: int, parts: Iterable[bytes], status_code: int = 200) -> None:
        self.status_code = status_code
        self.background = None
        self._parts = parts
        self.init_headers({"content-length": str(length)})

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        for part in self._parts:
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with unit_of_work(request.app.state.sessions) as session:
        session.info[CLOCK] = request.app.state.clock
        yield session


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with unit_of_work(request.app.state.read_sessions) as session:
        yield session


async def _search_session(request: Request) -> AsyncIterator[AsyncSession]:
    opened = await request.app.state.search_sessions.open()
    async with unit_of_work(lambda: opened) as session:
        yield session


# Commits when the route function returns, before the response is sent, so the client never
# sees a success that was not stored.
async def _now(request: Request) -> dt.datetime:
    # Dependencies are async: a plain `def` one runs in the thread pool, a thread hop per request.
    return request.app.state.clock.now()


# The time as the app's injected clock tells it: the one way a route learns what "now" is.
Now = Annotated[dt.datetime, Depends(_now)]
Session = Annotated[AsyncSession, Depends(_session, scope="function")]
# For routes that only read: on SQLite they run beside writers instead of queueing behind them.
ReadSession = Annotated[AsyncSession, Depends(_read_session, scope="function")]
# For searches only: on the replica when one is configured and answers (core.replica), else a ReadSession.
# Nothing that reads what this request or the client's previous one wrote: the replica may lag.
SearchSession = Annotated[AsyncSession, Depends(_search_session, scope="function")]


# Declared on every creating POST so the header shows in the OpenAPI document; `idempotency.once` reads it.
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Retry-safe creation: the same key and body return the first answer for 24 hours",
        # Checked by idempotency (1 to 200 characters); a UUID is a good key.
        json_schema_extra={"minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"},
    ),
]


def json(content: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> FastJSON:
    return FastJSON(content, status_code=status_code, headers=headers)


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(by_alias=True, mode="json")


# --- errors -------------------------------------------------------------------------------------

# One code per status, so a client can tell a refusal's kind without parsing the message.
CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    414: "URI_TOO_LONG",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}

# Below the HTTP server's own limits (see middleware.TargetLimit), so the API answers a long URL itself.
MAX_TARGET_BYTES = 8192

# What each answers, for the OpenAPI document (per route and in its description).
MEANINGS = {
    400: "The request is not valid (the body lists each field)",
    401: "Missing or invalid access token",
    403: "The token lacks the scope this needs",
    404: "A referenced resource (topic, employee, room, time slot, meeting...) or the endpoint does not exist",
    405: "The endpoint does not take this method (the Allow header lists those it takes)",
    409: "Conflict with the bank's state (e.g. the time slot is taken)",
    413: "The request body is over 1 MB",
    414: f"The request's path and query string are over {MAX_TARGET_BYTES} bytes",
    429: "The client is over its rate limit (MEETBOOK_RATE_LIMITS); Retry-After says in how many seconds to retry",
    500: "Server-side error",
    503: "The database does not answer (it is restarting or down); retry after Retry-After seconds",
}


def code_for(status: int) -> str:
    """The error code of a status; one not listed above is named after its HTTP reason phrase."""
    if status in CODES:
        return CODES[status]
    try:
        return HTTPStatus(status).phrase.upper().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "BAD_REQUEST" if status < 500 else "INTERNAL_SERVER_ERROR"


class ErrorItem(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    code: str = Field(description="What kind of refusal: " + ", ".join(f"{c} ({s})" for s, c in CODES.items()))
    message: str = Field(description="What went wrong, for a person to read")
    errors: list[ErrorItem] | None = None


def error(status: int, message: str, errors: list[dict[str, str]] | None = None, headers=None) -> FastJSON:
    body: dict[str, Any] = {"code": code_for(status), "message": message}
    if errors:
        body["errors"] = errors
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return FastJSON(body, status_code=status, headers=headers)


def _status(exc: DomainError) -> int:
    for kind, status in ((Invalid, 400), (Unauthorized, 401), (Forbidden, 403), (NotFound, 404), (Conflict, 409)):
        if isinstance(exc, kind):
            return status
    return 500


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else ("." if out else "") + p
    return out or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError):
        return error(_status(exc), exc.message, exc.errors)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError):
        errors = []
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return error(400, "the request body is not valid JSON", [{"field": "body", "message": "not valid JSON"}])
        for e in exc.errors():
            message = e.get("msg", "invalid")
            if message.startswith("Value error, "):
                message = message[len("Value error, ") :]
            errors.append({"field": _field(tuple(e.get("loc", ()))), "message": message})
        fields = ", ".join(dict.fromkeys(x["field"] for x in errors))
        return error(400, f"the request is not valid: {fields}", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        headers = exc.headers
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": _allowed_methods(request, (headers or {}).get("Allow", ""))}
        allowed = (headers or {}).get("Allow", "")
        messages = {404: "no such endpoint", 405: f"{request.method} is not allowed on this endpoint; it accepts {allowed or 'other methods'}"}
        return error(exc.status_code, messages.get(exc.status_code, str(exc.detail)), headers=headers)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError):
        code = getattr(getattr(exc, "orig", None), "sqlstate", None)
        if code in ("23P01", "40P01", "40001"):  # overlap, deadlock, serialization: someone else won
            return error(409, "the time slot was taken by someone else at the same moment; pick another")
        if _unavailable(exc):
            log.warning("database unavailable: %s", exc.orig or exc,
                        extra={"request_id": getattr(request.state, "request_id", None)})
            return unavailable()
        log.exception("database error", extra={"request_id": getattr(request.state, "request_id", None)})
        return error(500, "the server could not complete the request")

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(request: Request, exc: PoolTimeout):  # every connection busy for pool_timeout seconds
        log.warning("no database connection free in time", extra={"request_id": getattr(request.state, "request_id", None)})
        return unavailable()

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error", extra={"request_id": getattr(request.state, "request_id", None)})
        return error(500, "the server could not complete the request")


# SQLSTATE classes of a database that went away: connection exceptions, and an administrator's or a crash's shutdown.
_GONE = ("08", "57P01", "57P02", "57P03")


def _unavailable(exc: DBAPIError) -> bool:
    """The database did not answer (down, restarting, the connection cut), not a refused statement: the
    client may retry the same request. A connection that never opened has no SQLSTATE."""
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    code = getattr(exc.orig, "sqlstate", None)
    return code is None or code.startswith(_GONE)


def unavailable() -> FastJSON:
    return error(503, "the database does not answer; retry shortly", headers={"Retry-After": "1"})


def _allowed_methods(request: Request, starlette_says: str) -> str:
    """Every method the path takes, as the published document lists them. Starlette's 405 names
    only those of the first route that matched the path, and GET and POST of one path are two
    routes here. A path the document leaves out (the page, its files) keeps Starlette's answer."""
    methods: set[str] = set()
    for template, item in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {m.upper() for m in item}
    return ", ".join(sorted(methods)) if methods else starlette_says


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers a route can give (the document adds those every
    route can give: see openapi._error_answers)."""
    out: dict[int | str, dict[str, Any]] = {}
    for s in (*statuses, 401, 500):
        out[s] = {
            "model": ErrorBody,
            "description": MEANINGS[s],
            "content": {"application/json": {"example": {"code": code_for(s), "message": MEANINGS[s]}}},
        }
    return out


def error_answer(status: int) -> dict[str, Any]:
    """The OpenAPI media type of an error answer: the error body, with an example."""
    return {
        "schema": {"$ref": "#/components/schemas/ErrorBody"},
        "example": {"code": code_for(status), "message": MEANINGS[status]},
    }
