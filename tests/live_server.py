"""A real uvicorn server on 127.0.0.1 and one keep-alive HTTP connection to it: what a TestClient
cannot show (a server that answers an error and then drops the connection)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


@contextmanager
def live_server(app) -> Iterator[int]:
    """Serve `app` on a free port in a thread; yields the port, stops the server on exit."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", timeout_keep_alive=60))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        yield listener.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(30)
        listener.close()


class Connection:
    """One HTTP/1.1 connection that must stay open: a request on a new socket is a failure."""

    def __init__(self, port: int, headers: dict[str, str]):
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = headers
        self.http.connect()
        self.socket = self.http.sock

    def send(self, method: str, path: str, body: Any = None, raw: bytes | None = None) -> tuple[int, Any]:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        headers = {**self.headers, **({"Content-Type": "application/json"} if data is not None else {})}
        self.http.request(method, path, body=data, headers=headers)
        assert self.http.sock is self.socket, "the client had to open a new connection"
        response = self.http.getresponse()
        content = response.read()
        assert not response.will_close, f"the server closed the connection after {response.status}"
        kind = response.getheader("Content-Type") or ""
        return response.status, json.loads(content) if kind.startswith("application/json") and content else content

    def close(self) -> None:
        self.http.close()
