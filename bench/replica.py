"""The replica scenarios (`python -m bench.run --replica`): searches served by a PostgreSQL streaming
replica while reserves and bookings read and write on the primary (MEETBOOK_DATABASE_REPLICA_URL).

A private primary and replica are started from the installed server's binaries (bench.pg_cluster),
the same bank is loaded into the primary and streamed to the replica, and `meetbook serve` runs with
both URLs. The search scenarios then read the replica (their read floors replay the service's SQL
there too), and the full booking searches on the replica and reserves and books on the primary. The
replica's replay lag is sampled during the booking scenario: it bounds how stale a search can be.
The private cluster runs initdb's defaults (and fsync off), not the tuning of the server at
MEETBOOK_BENCH_PG, so compare these rows with each other and with their floors, not with the PG rows.
"""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg

from bench import load, scenarios
from bench.pg_cluster import Cluster
from bench.progress import Status, say
from bench.servers import Cleanup, meetbook_server

DB = "PG replica"


class LagProbe:
    """Samples the replica's replay lag (pg_stat_replication on the primary) in a thread."""

    def __init__(self, cluster: Cluster, every: float = 0.2) -> None:
        self.cluster, self.every = cluster, every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LagProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            with self.cluster.connect(self.cluster.primary_port) as conn:
                while not self._stop.wait(self.every):
                    # NULL while nothing is waiting to be replayed: no lag then.
                    lag = conn.execute("SELECT COALESCE(max(extract(epoch FROM replay_lag)), 0) FROM pg_stat_replication")
                    self.samples.append(float(lag.fetchone()[0]))
        except psycopg.Error:
            pass

    def note(self) -> str:
        if not self.samples:
            return "replay lag: not sampled"
        ordered = sorted(self.samples)
        return (f"replica replay lag during the scenario: p50 {ordered[len(ordered) // 2] * 1000:.1f} ms, "
                f"max {ordered[-1] * 1000:.1f} ms ({len(ordered)} samples)")


def run(args, bank, bank_file: Path, toks: list[str], cleanup: Cleanup, tmp: Path, only: set[str] | None,
        main: scenarios.Ctx, runner, warm_up, failed: list[str]) -> list[scenarios.Row]:
    """The replica rows. `main` is the PostgreSQL scenarios' context (its bare ASGI server and JSON
    floors are reused), `runner` the run's event loop runner, `warm_up` bench.run's; problems go to `failed`."""
    cluster = Cluster()
    cleanup.later("stop the private PostgreSQL primary and replica", cluster.stop)
    with Status("Starting a private PostgreSQL primary and streaming replica (initdb, pg_basebackup -R, pg_ctl)"):
        cluster.start()
    say(f"Importing the bank definition into the private primary (port {cluster.primary_port})")
    load.import_bank_file(cluster.primary_url, bank_file)
    load.insert_activity(cluster.primary_url, bank)
    with Status("Waiting for the replica to replay the load"):
        cluster.wait_caught_up(timeout=300)
    env = load.meetbook_env(cluster.primary_url, MEETBOOK_DATABASE_REPLICA_URL=cluster.replica_url)
    with Status(f"Starting meetbook serve --workers {args.workers} (searches on the replica)"):
        server = cleanup.server(meetbook_server(f"meetbook ({DB})", env, args.workers, tmp / "server-replica.log")).start()
    specs = scenarios.search_specs(bank)
    with Status("Warming up the server (every worker loads the bank)"):
        runner.run(warm_up(server.port, toks, [scenarios.search_path(**s.params) for s in specs if s.key != "all"]))
    ctx = scenarios.Ctx(bank=bank, server=server, bare_port=main.bare_port, db_url=cluster.primary_url, db=DB,
                        replica_url=cluster.replica_url, duration=main.duration, max_ops=main.max_ops, tokens=toks,
                        search_clients=main.search_clients, quiet_wait=main.quiet_wait,
                        floor_cache={k: v for k, v in main.floor_cache.items() if k[0] == "json"})
    say("Scenarios with searches on the replica")
    rows = []
    for spec in specs:
        if only is None or spec.key in only:
            rows.append(runner.run(scenarios.run_search(ctx, spec)))
    if only is None or "booking" in only:
        with LagProbe(cluster) as probe:
            row = runner.run(scenarios.run_booking(ctx))
        row.notes.append(probe.note())
        rows.append(row)
    for row in rows:
        cpu = row.run.extra.get("cpu")
        if cpu and row.run.count:
            primary_s = cpu["pg_cpu_s"] - cpu["replica_cpu_s"]
            row.notes.append(f"database CPU ms/op: primary {primary_s * 1000 / row.run.count:.2f}, "
                             f"replica {cpu['replica_cpu_s'] * 1000 / row.run.count:.2f}")
    if "the database replica does not answer" in server.log_text():
        failed.append(f"[{DB}]: the server fell back to reading the primary; see {server.log_path}")
    failed += ctx.floor_failures
    cleanup.stop(server)
    return rows
