"""A small HTTP/1.1 load generator on asyncio (uvloop when present).

Why not httpx: at a few thousand requests a second httpx itself uses most of a core, and on a
two-core machine every cycle the load generator spends is taken from the server it measures.
This client keeps one persistent connection per simulated client, writes prebuilt request bytes
and parses only the status line and the framing headers (Content-Length or chunked), so its
cost per request is a few tens of microseconds. Its own ceiling is measured in every run
against a null server and a bare ASGI app (see bench.run), and its CPU use is reported per
scenario.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import orjson


class HTTPError(Exception):
    pass


@dataclass
class Response:
    status: int
    body: bytes  # empty when sent with keep_body=False
    headers: dict[bytes, bytes]
    size: int = 0  # body length in bytes

    def json(self):
        return orjson.loads(self.body)


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.waiter: asyncio.Future | None = None
        self.closed: BaseException | None = None
        self._reset()

    def _reset(self) -> None:
        self.head: tuple[int, dict[bytes, bytes]] | None = None
        self.body_at = 0
        self.length = -1
        self.chunked = False
        self.skipped = 0  # body bytes counted and dropped (keep_body=False)
        self.keep_body = True

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.closed = exc or ConnectionResetError("server closed the connection")
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(HTTPError(f"connection lost: {self.closed}"))

    def data_received(self, data: bytes) -> None:
        if not self.keep_body and self.head is not None and not self.chunked:
            # A large answer we only need the size of: count it instead of copying it around.
            want = self.length - self.skipped
            take = min(want, len(data))
            self.skipped += take
            data = data[take:]
            if self.skipped < self.length:
                return
        self.buf += data
        if self.waiter is not None and not self.waiter.done():
            self._parse()

    def _parse(self) -> None:
        buf = self.buf
        if self.head is None:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = bytes(buf[:end]).split(b"\r\n")
            parts = lines[0].split(b" ", 2)
            if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
                self.waiter.set_exception(HTTPError(f"bad status line {lines[0]!r}"))
                return
            headers = {}
            for line in lines[1:]:
                k, _, v = line.partition(b":")
                headers[k.strip().lower()] = v.strip()
            self.head = (int(parts[1]), headers)
            self.body_at = end + 4
            if b"content-length" in headers:
                self.length = int(headers[b"content-length"])
            elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
                self.chunked = True
            else:
                self.length = 0
        if self.chunked:
            body = self._chunks()
            if body is None:
                return
            consumed, payload = body
        elif not self.keep_body:
            take = min(self.length - self.skipped, len(buf) - self.body_at)
            self.skipped += take
            del buf[self.body_at:self.body_at + take]
            if self.skipped < self.length:
                return
            status, headers = self.head
            del buf[:self.body_at]
            size = self.skipped
            self._reset()
            response = Response(status, b"", headers)
            response.size = size
            self.waiter.set_result(response)
            return
        else:
            if len(buf) - self.body_at < self.length:
                return
            consumed = self.body_at + self.length
            payload = bytes(buf[self.body_at:consumed])
        status, headers = self.head
        del buf[:consumed]
        self._reset()
        response = Response(status, payload, headers)
        response.size = len(payload)
        self.waiter.set_result(response)

    def _chunks(self) -> tuple[int, bytes] | None:
        buf, at, out = self.buf, self.body_at, []
        while True:
            eol = buf.find(b"\r\n", at)
            if eol < 0:
                return None
            size = int(bytes(buf[at:eol]).split(b";")[0], 16)
            start = eol + 2
            if size == 0:
                end = buf.find(b"\r\n", start)  # no trailers expected
                if end < 0:
                    return None
                return end + 2, b"".join(out)
            if len(buf) < start + size + 2:
                return None
            out.append(bytes(buf[start:start + size]))
            at = start + size + 2


class Connection:
    """One keep-alive connection; one request at a time."""

    def __init__(self, host: str, port: int, headers: dict[str, str] | None = None) -> None:
        self.host, self.port = host, port
        self.base_headers = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.proto: _Protocol | None = None

    async def open(self) -> Connection:
        loop = asyncio.get_running_loop()
        _, self.proto = await loop.create_connection(_Protocol, self.host, self.port)
        return self

    def close(self) -> None:
        if self.proto is not None and self.proto.transport is not None:
            self.proto.transport.close()
        self.proto = None

    def build(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> bytes:
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self.base_headers}{extra}"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        return head.encode() + b"\r\n" + (body or b"")

    async def send(self, raw: bytes, timeout: float = 120.0, keep_body: bool = True) -> Response:
        """One request, one answer. keep_body=False counts the body's bytes without keeping them."""
        if self.proto is None or self.proto.closed is not None:
            await self.open()
        proto = self.proto
        proto.waiter = asyncio.get_running_loop().create_future()
        proto.keep_body = keep_body
        proto.transport.write(raw)
        if proto.buf:
            proto._parse()
        try:
            return await asyncio.wait_for(proto.waiter, timeout)
        finally:
            proto.waiter = None

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return await self.send(self.build("GET", path, headers=headers))

    async def post(self, path: str, payload, headers: dict[str, str] | None = None) -> Response:
        return await self.send(self.build("POST", path, orjson.dumps(payload), headers))


# -- closed-loop runs --------------------------------------------------------------------------


@dataclass
class Run:
    """What one measured phase produced."""

    latencies: list[float] = field(default_factory=list)  # seconds, one per operation
    statuses: Counter = field(default_factory=Counter)  # every HTTP status seen
    failures: list[str] = field(default_factory=list)  # load-generator failures: connection errors, timeouts
    elapsed: float = 0.0
    cpu: float = 0.0  # this process's CPU seconds during the phase
    body_bytes: int = 0  # size of one successful answer
    extra: dict = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.latencies)

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        k = min(len(xs) - 1, max(0, int(round(q / 100 * len(xs) + 0.5)) - 1))
        return xs[k]

    @property
    def p50(self) -> float:
        return self.pct(50)

    @property
    def p99(self) -> float:
        return self.pct(99)

    @property
    def throughput(self) -> float:
        return self.count / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)

    @property
    def cpu_share(self) -> float:
        return self.cpu / self.elapsed if self.elapsed > 0 else 0.0


Operation = Callable[[Connection, int, Run], Awaitable[None]]


async def closed_loop(
    connections: list[Connection],
    operation: Operation,
    *,
    duration: float,
    max_ops: int | None = None,
    warmup_ops: int = 1,
    on_progress: Callable[[Run], None] | None = None,
) -> Run:
    """Every connection runs `operation(conn, i, run)` back to back until `duration` seconds have
    passed or `max_ops` operations have been started. The operation appends its own latency (and
    statuses) to `run`: one operation may be several requests (the booking flow). The first
    `warmup_ops` per connection are not measured."""
    warm = Run()
    await asyncio.gather(*(_warm(c, operation, warmup_ops, warm, i) for i, c in enumerate(connections)))
    if warm.failures:
        run = Run(failures=warm.failures)
        return run
    run = Run()
    counter = iter(range(10**12))
    started = time.perf_counter()
    cpu0 = time.process_time()
    deadline = started + duration

    async def worker(conn: Connection) -> None:
        while time.perf_counter() < deadline:
            i = next(counter)
            if max_ops is not None and i >= max_ops:
                return
            try:
                await operation(conn, i, run)
            except Exception as exc:  # noqa: BLE001
                run.failures.append(f"{type(exc).__name__}: {exc}")
                closing = conn.close()
                if asyncio.iscoroutine(closing):
                    await closing
                if len(run.failures) > 20:
                    return

    async def report() -> None:
        while True:
            await asyncio.sleep(0.25)
            on_progress(run)

    reporter = asyncio.create_task(report()) if on_progress else None
    try:
        await asyncio.gather(*(worker(c) for c in connections))
    finally:
        if reporter:
            reporter.cancel()
    run.elapsed = time.perf_counter() - started
    run.cpu = time.process_time() - cpu0
    return run


async def _warm(conn: Connection, operation: Operation, n: int, warm: Run, i: int) -> None:
    for k in range(n):
        try:
            await operation(conn, -1 - (i * n + k), warm)
        except Exception as exc:  # noqa: BLE001
            warm.failures.append(f"warm-up: {type(exc).__name__}: {exc}")
            return


async def open_connections(host: str, port: int, n: int, headers_for: Callable[[int], dict[str, str]]) -> list[Connection]:
    return list(await asyncio.gather(*(Connection(host, port, headers_for(i)).open() for i in range(n))))


def close_all(connections: list[Connection]) -> None:
    for c in connections:
        c.close()


def new_loop_runner():
    """asyncio.Runner on uvloop when it is installed (as uvicorn uses on the server side)."""
    try:
        import uvloop

        return asyncio.Runner(loop_factory=uvloop.new_event_loop)
    except ImportError:
        return asyncio.Runner()
