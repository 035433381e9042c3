"""`meetbook serve` as an operator starts it: a child process on a free port of 127.0.0.1, with its
output kept, stopped by its handle. What a TestClient cannot show: the HTTP server's own behaviour
and the command's console."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

MEETBOOK = Path(sys.executable).with_name("meetbook")


@dataclass
class Served:
    url: str
    port: int
    output: Path  # what the command printed (stdout and stderr)
    env: dict[str, str]  # the environment it runs in, for commands that must agree with it (tokens)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def meetbook_serve(folder: Path, database_url: str, *args: str, extra_env: dict[str, str] | None = None) -> Iterator[Served]:
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETBOOK_")}
    env.update(MEETBOOK_DATABASE_URL=database_url, MEETBOOK_ENVIRONMENT="development", **(extra_env or {}))
    output = folder / "serve.log"
    with output.open("wb") as sink:
        server = subprocess.Popen([str(MEETBOOK), "serve", "--port", str(port), *args], cwd=folder, env=env,
                                  stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None and time.monotonic() < deadline, f"meetbook serve did not start:\n{output.read_text()}"
            try:
                if httpx.get(url + "/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield Served(url=url, port=port, output=output, env=env)
    finally:
        server.terminate()
        server.wait(timeout=40)
