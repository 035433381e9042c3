"""Server processes the benchmark starts, and the guarantee that they stop.

Every server runs in its own process group (`start_new_session`), so stopping it also stops the
uvicorn workers it forked. `Cleanup` stops them (SIGTERM, then SIGKILL after a grace period) and
drops the benchmark's databases when the run ends: normally, on an exception, on Ctrl-C, or on
SIGTERM/SIGHUP.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int, log_path: Path, ready_path: str = "/healthz"):
        self.name, self.argv, self.env, self.port, self.log_path = name, argv, env, port, log_path
        self.ready_path = ready_path
        self.proc: subprocess.Popen | None = None
        self._log = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> Server:
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.argv, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} while starting; see {self.log_path}:\n{self.log_tail()}")
            try:
                if httpx.get(self.base + self.ready_path, timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not answer {self.ready_path} within {timeout:.0f} s; see {self.log_path}")
            time.sleep(0.1)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self, grace: float = 10.0) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(proc.pid, sig)  # the group this run created: the server and its workers
                except ProcessLookupError:
                    break
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if proc is not None:
            # Workers may outlive a master that was killed; the group still names them.
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self._log:
            self._log.close()
            self._log = None


def meetbook_server(name: str, env: dict[str, str], workers: int, log_path: Path) -> Server:
    from bench.load import meetbook_command

    port = free_port()
    argv = meetbook_command() + ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    return Server(name, argv, env, port, log_path, ready_path="/readyz")


def app_server(name: str, app: str, env: dict[str, str], workers: int, log_path: Path, pythonpath: str | None = None) -> Server:
    """An ASGI app given as MODULE:ATTR under uvicorn with meetbook serve's settings (uvloop,
    httptools, no access log): to measure a candidate change (a wrapper module, a scratch copy)
    against `meetbook.asgi:app` on the same machine, same data, same load."""
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--log-level", "warning", "--no-access-log", "--timeout-graceful-shutdown", "30"]
    env = dict(env)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return Server(name, argv, env, port, log_path, ready_path="/readyz")


def bare_server(workers: int, log_path: Path) -> Server:
    """The bare ASGI floor: uvicorn (same loop and parser as meetbook's) serving bench.bare_asgi."""
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "bench.bare_asgi:app", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    env = {**os.environ, "PYTHONPATH": _repo_path()}
    return Server("bare ASGI", argv, env, port, log_path)


def null_server(log_path: Path) -> Server:
    """No ASGI, no framework: one process answering every request with a canned response.
    What the load generator can drive at most on this machine."""
    port = free_port()
    argv = [sys.executable, "-m", "bench.bare_asgi", "--null", "--port", str(port)]
    env = {**os.environ, "PYTHONPATH": _repo_path()}
    return Server("null server", argv, env, port, log_path)


def _repo_path() -> str:
    root = str(Path(__file__).resolve().parent.parent)
    existing = os.environ.get("PYTHONPATH")
    return f"{root}{os.pathsep}{existing}" if existing else root


class Cleanup:
    """Stop servers and drop databases whatever happens. Use as a context manager."""

    def __init__(self) -> None:
        self.servers: list[Server] = []
        self.actions: list[tuple[str, Callable[[], None]]] = []
        self._old: dict[int, object] = {}

    def server(self, server: Server) -> Server:
        self.servers.append(server)
        return server

    def later(self, what: str, action: Callable[[], None]) -> None:
        self.actions.append((what, action))

    def __enter__(self) -> Cleanup:
        for sig in (signal.SIGTERM, signal.SIGHUP):
            self._old[sig] = signal.signal(sig, self._raise)
        return self

    @staticmethod
    def _raise(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    def stop(self, server: Server) -> None:
        if server in self.servers:
            self.servers.remove(server)
        server.stop()

    def stop_servers(self) -> None:
        while self.servers:
            server = self.servers.pop()
            try:
                server.stop()
            except Exception as exc:  # noqa: BLE001
                print(f"warning: could not stop {server.name}: {exc}", file=sys.stderr)

    def __exit__(self, *exc) -> None:
        # Ctrl-C during cleanup must not leave things behind: ignore it until done.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            self.stop_servers()
            while self.actions:
                what, action = self.actions.pop()
                try:
                    action()
                except Exception as exc:  # noqa: BLE001
                    print(f"warning: could not {what}: {exc}", file=sys.stderr)
        finally:
            signal.signal(signal.SIGINT, previous)
            for sig, old in self._old.items():
                signal.signal(sig, old)
