"""Plain ASGI middleware: request ids with one structured log line per request, and size limits."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.exceptions import HTTPException

from meetbook.core.actor import ACTOR, REQUEST_ID, SYSTEM
from meetbook.core.http import MAX_TARGET_BYTES, code_for

access_log = logging.getLogger("meetbook.access")
error_log = logging.getLogger("meetbook")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._\-]{1,128}$")
# request.state key: a route whose path is a credential (a calendar feed's secret) names what to log instead.
LOGGED_PATH = "logged_path"


class RequestLog:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        incoming = dict(scope.get("headers") or ()).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        # For the audit trail; the actor stays the system's until a token is verified (auth.deps).
        REQUEST_ID.set(request_id)
        ACTOR.set(SYSTEM)
        started = time.perf_counter()
        status = 500
        answered = False

        async def send_with_id(message):
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status, answered = message["status"], True
                message["headers"] = list(message.get("headers", [])) + [(b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Answered here, not re-raised: Starlette's last-resort handler would answer and then re-raise,
            # and the server would drop the client's keep-alive connection with it.
            if answered:
                raise  # a response half sent cannot be mended; the server closes the connection
            error_log.exception("unhandled error", extra={"request_id": request_id})
            await refuse(send_with_id, 500, "the server could not complete the request")
        finally:
            if access_log.isEnabledFor(logging.INFO):  # the line costs a json.dumps per request
                access_log.info(
                    json.dumps(
                        {
                            "requestId": request_id,
                            "method": scope["method"],
                            "path": scope["state"].get(LOGGED_PATH) or scope["path"],
                            "status": status,
                            "ms": round((time.perf_counter() - started) * 1000, 2),
                        }
                    )
                )


class BodyLimit:
    """Refuse bodies over the limit with 413 before anything parses them."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or ()).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            return await refuse(send, 413, _too_large(self.max_bytes))
        received = 0

        async def limited():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge(413, _too_large(self.max_bytes))
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge as exc:  # read outside the routes' error handling
            await refuse(send, 413, exc.detail)


class _TooLarge(HTTPException):
    """An HTTPException, because FastAPI turns any other error while reading a body into a 400
    ("error parsing the body"); this one reaches the error handlers as the 413 it is."""


def _too_large(limit: int) -> str:
    return f"the request body is larger than {limit} bytes"


class TargetLimit:
    """Refuse a request whose path and query string are over the limit with a JSON 414.

    The HTTP server has larger limits of its own (httptools: 65,535 bytes of URL; h11: 16 kB of
    request head) and refuses past them before the application is called (meetbook.core.transport puts
    those refusals in the error body too). This limit, below both, has the application refuse a long
    URL itself, under any server."""

    def __init__(self, app, max_bytes: int = MAX_TARGET_BYTES):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            target = len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string") or b"")
            if target > self.max_bytes:
                message = f"the request's path and query string are longer than {self.max_bytes} bytes"
                return await refuse(send, 414, message)
        await self.app(scope, receive, send)


async def refuse(send, status: int, message: str) -> None:
    """The API's error body, sent from the ASGI layer (outside FastAPI's error handlers)."""
    body = json.dumps({"code": code_for(status), "message": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
