"""A private PostgreSQL primary and its streaming replica, started from the installed server's
binaries (initdb, pg_basebackup -R, pg_ctl) on their own ports and data directories.

For the replica tests (tests/integration/test_replica.py) and the benchmark's replica scenario;
standard library and psycopg only, no pytest. The server refuses to run as root, so as root every
command runs as the `postgres` user (`runuser`), in a directory it owns. Every wait is bounded, and
`stop()` stops both servers by their data directory, whatever state they were left in.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

DATABASE = "meetbook"
# Nothing here needs to survive a crash of the machine: no fsync, smaller WAL.
SERVER_SETTINGS = """
listen_addresses = '127.0.0.1'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
full_page_writes = off
max_connections = 200
"""


def bin_dir() -> Path | None:
    """The newest installed server's binaries (Debian's /usr/lib/postgresql/N/bin), or those on the PATH."""
    versions = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/pg_ctl") if Path(p).parent.parent.name.isdigit()]
    if versions:
        return max(versions, key=lambda b: int(b.parent.name))
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def missing() -> str | None:
    """Why a cluster cannot be started here, or None."""
    where = bin_dir()
    if where is None:
        return "no PostgreSQL server binaries (pg_ctl) under /usr/lib/postgresql/*/bin or on the PATH"
    for tool in ("initdb", "pg_ctl", "pg_basebackup", "postgres"):
        if not (where / tool).exists():
            return f"{where / tool} is missing"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root and runuser is missing (the server refuses to run as root)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """`with Cluster() as c:` a primary with database `meetbook` and a replica streaming from it."""

    def __init__(self, root: Path | None = None, start_timeout: float = 30.0) -> None:
        problem = missing()
        if problem:
            raise RuntimeError(f"cannot start a private PostgreSQL cluster: {problem}")
        self.bin = bin_dir()
        self.timeout = start_timeout
        self.root = Path(root or tempfile.mkdtemp(prefix="meetbook-pg-"))
        self.primary_dir, self.replica_dir = self.root / "primary", self.root / "replica"
        self.primary_port, self.replica_port = free_port(), free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:  # the data directories are made by the postgres user, under a root it owns
            self.root.chmod(0o755)
            shutil.chown(self.root, "postgres", "postgres")

    # -- URLs ---------------------------------------------------------------------------------

    def url(self, port: int, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://postgres@127.0.0.1:{port}/{DATABASE}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica_url(self) -> str:
        return self.url(self.replica_port)

    def connect(self, port: int) -> psycopg.Connection:
        return psycopg.connect(self.url(port, "postgresql"), autocommit=True, connect_timeout=5)

    # -- lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        self._run("initdb", "-D", str(self.primary_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        own = f"port = {self.primary_port}\nunix_socket_directories = '{self.root}'\n"
        self._append(self.primary_dir / "postgresql.conf", SERVER_SETTINGS + own)
        self._append(self.primary_dir / "pg_hba.conf", "host replication all 127.0.0.1/32 trust\n")
        self._pg_ctl_start(self.primary_dir, "primary")
        with self.connect_admin(self.primary_port) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        # -R writes the standby's primary_conninfo and standby.signal; -X stream copies the WAL it needs.
        self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres", "-D", str(self.replica_dir),
                  "-R", "-X", "stream", "--no-sync", "--checkpoint=fast")
        self._append(self.replica_dir / "postgresql.conf", f"port = {self.replica_port}\n")  # the last setting wins
        self.start_replica()

    def start_replica(self) -> None:
        self._pg_ctl_start(self.replica_dir, "replica")
        self._wait(lambda: self._answers(self.replica_port), "the replica to accept connections")

    def stop_replica(self) -> None:
        self._pg_ctl_stop(self.replica_dir)

    def stop(self) -> None:
        for data in (self.replica_dir, self.primary_dir):
            self._pg_ctl_stop(data)
        shutil.rmtree(self.root, ignore_errors=True)

    # -- replication ------------------------------------------------------------------------------

    def pause_replay(self) -> None:
        """The replica keeps receiving WAL but applies none of it: it lags the primary for as long as wanted."""
        with self.connect(self.replica_port) as conn:
            conn.execute("SELECT pg_wal_replay_pause()")
            state = "SELECT pg_get_wal_replay_pause_state()"
            self._wait(lambda: conn.execute(state).fetchone()[0] == "paused", "replay to pause")

    def resume_replay(self) -> None:
        with self.connect(self.replica_port) as conn:
            conn.execute("SELECT pg_wal_replay_resume()")

    def wait_caught_up(self, timeout: float | None = None) -> None:
        """Until the replica has replayed everything the primary had written when this was called."""
        with self.connect(self.primary_port) as conn:
            target = conn.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
        with self.connect(self.replica_port) as conn:
            self._wait(
                lambda: conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)).fetchone()[0],
                "the replica to catch up", timeout,
            )

    # -- plumbing ------------------------------------------------------------------------------

    def connect_admin(self, port: int) -> psycopg.Connection:
        return psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True, connect_timeout=5)

    def _answers(self, port: int) -> bool:
        try:
            with self.connect(port) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False

    def _wait(self, done, what: str, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout or self.timeout)
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError(f"gave up waiting for {what} after {timeout or self.timeout:.0f} s")
            time.sleep(0.05)

    def _pg_ctl_start(self, data: Path, name: str) -> None:
        log = self.root / f"{name}.log"
        self._run("pg_ctl", "-D", str(data), "-l", str(log), "-w", "-t", str(int(self.timeout)), "start")

    def _pg_ctl_stop(self, data: Path) -> None:
        if not (data / "postmaster.pid").exists():
            return
        try:
            self._run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "-t", "20", "stop")
        except (RuntimeError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "-t", "10", "stop", check=False)

    def _append(self, path: Path, lines: str) -> None:
        with path.open("a") as f:  # root may write the postgres user's files; the owner stays postgres
            f.write(lines)

    def _run(self, tool: str, *args: str, check: bool = True) -> None:
        argv = [str(self.bin / tool), *args]
        if self._as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        result = subprocess.run(argv, cwd=self.root, capture_output=True, text=True, timeout=self.timeout + 30,
                                stdin=subprocess.DEVNULL)
        if check and result.returncode != 0:
            raise RuntimeError(f"{tool} failed ({result.returncode}): {(result.stderr or result.stdout).strip()[-2000:]}")
