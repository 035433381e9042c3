"""Floors for the HTTP side.

- `app`: a bare ASGI application (no framework, no middleware, no database) for uvicorn.
  `GET /size/<n>` answers 200 with a JSON body of exactly n bytes, built once and cached, so
  a scenario's floor is "uvicorn returning a body as large as the scenario's answer".
- `python -m bench.bare_asgi --null --port P`: not even ASGI, one asyncio protocol answering
  every request with a canned response: the most the load generator can drive on this machine.
"""

from __future__ import annotations

import argparse
import asyncio

_bodies: dict[int, bytes] = {}


def body_of(n: int) -> bytes:
    body = _bodies.get(n)
    if body is None:
        n = max(n, 2)
        body = _bodies[n] = b"[]" if n == 2 else b'["' + b"x" * (n - 4) + b'"]' if n >= 4 else b"[" + b" " * (n - 2) + b"]"
    return body


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope["path"]
    if path.startswith("/size/"):
        body = body_of(int(path[6:]))
    else:
        body = b'{"status":"ok"}'
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class _Null(asyncio.Protocol):
    RESPONSE = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"

    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""

    def data_received(self, data):
        self.buffer += data
        count = self.buffer.count(b"\r\n\r\n")
        if count:
            self.buffer = self.buffer[self.buffer.rfind(b"\r\n\r\n") + 4:]
            self.transport.write(self.RESPONSE * count)


async def _serve_null(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Null, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--null", action="store_true", required=True)
    p.add_argument("--port", type=int, required=True)
    args = p.parse_args()
    from bench.loadgen import new_loop_runner

    try:
        with new_loop_runner() as runner:
            runner.run(_serve_null(args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
