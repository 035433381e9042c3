"""A real CalDAV server for the tests: Radicale on the loopback, its own storage folder, a user per
advisor (htpasswd, plain passwords). Stopped by its pid; started again on the same port and storage."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import caldav


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Radicale:
    def __init__(self, folder: Path, users: dict[str, str]):
        self.folder = folder
        self.users = users
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        (folder / "users").write_text("".join(f"{user}:{password}\n" for user, password in users.items()))
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{self.port}",
             "--storage-filesystem-folder", str(self.folder / "storage"), "--auth-type", "htpasswd",
             "--auth-htpasswd-filename", str(self.folder / "users"), "--auth-htpasswd-encryption", "plain",
             "--logging-level", "warning"],
            stdout=subprocess.DEVNULL, stderr=(self.folder / "radicale.log").open("ab"),
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("radicale exited: " + (self.folder / "radicale.log").read_text())
                time.sleep(0.05)
        raise RuntimeError("radicale did not start listening")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def calendar(self, user: str, name: str = "calendar") -> caldav.Calendar:
        """The user's calendar, made the first time: the advisor's own client, as they would use it."""
        client = caldav.DAVClient(url=self.url, username=user, password=self.users[user], timeout=10)
        url = f"{self.url}{user}/{name}/"
        calendar = client.calendar(url=url)
        try:
            calendar.get_properties([caldav.elements.dav.DisplayName()])
        except Exception:  # noqa: BLE001  (not made yet)
            calendar = client.principal().make_calendar(name=name, cal_id=name)
        return calendar

    def __enter__(self) -> Radicale:
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()
