"""The application in this process, called as an ASGI app (no socket): for capturing the SQL a
request issues (the read floors) and for profiling (bench.profile_search)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from urllib.parse import urlsplit


@asynccontextmanager
async def application(database_url: str):
    """meetbook's app with its lifespan running (engine, pools), sweeper off."""
    from meetbook.app import create_app
    from meetbook.core.config import Settings

    app = create_app(Settings(database_url=database_url, log_level="WARNING", sweep_interval_seconds=0))
    async with app.router.lifespan_context(app):
        yield app


class Answer:
    def __init__(self) -> None:
        self.status = 0
        self.size = 0
        self.chunks: list[bytes] = []

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


async def call(app, path: str, headers: list[tuple[bytes, bytes]], method: str = "GET", body: bytes = b"",
               keep_body: bool = True) -> Answer:
    parts = urlsplit(path)
    extra = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())] if body else []
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": parts.path, "raw_path": parts.path.encode(), "query_string": parts.query.encode(), "root_path": "",
        "headers": [(b"host", b"bench"), *headers, *extra], "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80),
    }
    answer = Answer()

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            answer.status = message["status"]
        elif message["type"] == "http.response.body":
            chunk = message.get("body", b"")
            answer.size += len(chunk)
            if keep_body:
                answer.chunks.append(chunk)

    await app(scope, receive, send)
    return answer


def bearer(token: str) -> list[tuple[bytes, bytes]]:
    return [(b"authorization", b"Bearer " + token.encode())]
