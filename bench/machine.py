"""Is the machine quiet? CPU accounting from /proc, so a run on a shared machine says how much of
the CPU something else took while it measured.

- `wait_for_quiet()`: before a scenario, wait (a bounded time) until the machine is mostly idle.
- `CpuWatch`: during a scenario, the CPU used by the whole machine, by this benchmark's own
  processes (the load generator, the server's process group) and by the PostgreSQL backends
  serving its database; the rest is "other load", reported next to the figures.

On systems without /proc this reports nothing and never waits.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import psycopg

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PROC = Path("/proc")


def _machine() -> tuple[int, int] | None:
    """(busy, total) jiffies of all CPUs."""
    try:
        fields = [int(x) for x in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal
    return total - idle, total


def _stat(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2:].split()  # fields from "state" on


def process_jiffies(pids) -> int:
    total = 0
    for pid in pids:
        st = _stat(pid)
        if st:
            total += int(st[11]) + int(st[12])  # utime, stime
    return total


def group_pids(pgid: int) -> list[int]:
    out = []
    for entry in PROC.glob("[0-9]*"):
        st = _stat(int(entry.name))
        if st and int(st[2]) == pgid:
            out.append(int(entry.name))
    return out


def busy_share(seconds: float = 1.0) -> float | None:
    """Share of all CPUs busy over the next `seconds`."""
    a = _machine()
    time.sleep(seconds)
    b = _machine()
    if a is None or b is None or b[1] == a[1]:
        return None
    return (b[0] - a[0]) / (b[1] - a[1])


def wait_for_quiet(threshold: float = 0.25, max_wait: float = 60.0) -> float | None:
    """Wait until less than `threshold` of the machine's CPU is busy (this process is idle
    meanwhile), at most `max_wait` seconds. Returns the last busy share seen."""
    deadline = time.monotonic() + max_wait
    share = busy_share(0.5)
    while share is not None and share > threshold and time.monotonic() < deadline:
        share = busy_share(1.0)
    return share


def pg_backend_pids(db_url: str) -> list[int]:
    if not db_url.startswith("postgresql"):
        return []
    url = db_url.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            return [r[0] for r in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]
    except Exception:  # noqa: BLE001
        return []


class CpuWatch:
    """CPU use during a phase, in cores: the machine, this benchmark, and everything else."""

    def __init__(self, server_pgid: int | None, db_url: str, replica_url: str | None = None) -> None:
        self.server_pgid, self.db_url, self.replica_url = server_pgid, db_url, replica_url
        self.cores = os.cpu_count() or 1
        self.result: dict[str, float] | None = None

    def _own(self) -> dict[str, dict[int, int]]:
        """Jiffies so far of the load generator, the server's processes and its backends."""
        groups = {
            "lg": [os.getpid()],
            "server": group_pids(self.server_pgid) if self.server_pgid else [],
            "pg": pg_backend_pids(self.db_url),
            "replica": pg_backend_pids(self.replica_url) if self.replica_url else [],
        }
        return {name: {pid: process_jiffies([pid]) for pid in pids} for name, pids in groups.items()}

    def start(self) -> None:
        self.t0 = time.perf_counter()
        self.m0 = _machine()
        self.own0 = self._own()

    def stop(self) -> dict[str, float] | None:
        elapsed = time.perf_counter() - self.t0
        m1 = _machine()
        own1 = self._own()
        if self.m0 is None or m1 is None or elapsed <= 0:
            return None
        # Processes started meanwhile count whole; ones that ended meanwhile are lost (counted as
        # other load). The server's workers and its pooled backends live through the phase.
        used = {name: max(0, sum(j - self.own0[name].get(pid, 0) for pid, j in pids.items())) / TICK
                for name, pids in own1.items()}
        machine = (m1[0] - self.m0[0]) / TICK / elapsed
        own_cores = sum(used.values()) / elapsed
        self.result = {"machine_cores": machine, "own_cores": own_cores,
                       "other_cores": max(0.0, machine - own_cores), "cores": self.cores,
                       # CPU seconds the service spent: its processes and its database backends
                       "server_cpu_s": used["server"], "pg_cpu_s": used["pg"] + used["replica"],
                       "replica_cpu_s": used["replica"]}  # of pg_cpu_s: the replica's backends (searches on it)
        return self.result
