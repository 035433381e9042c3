"""The benchmark: `python -m bench.run [options]`.

1. Generates a synthetic bank (bench.bankgen), writes its bank definition file and loads it with
   `meetbook import`, then bulk-inserts booked meetings, live holds and their claims.
2. Starts `meetbook serve --workers N` on PostgreSQL (MEETBOOK_LOG_LEVEL=WARNING), a bare ASGI
   app under uvicorn with the same worker count, and a null server.
3. Measures the load generator's own ceiling, then every scenario with its floors, and prints one
   table. With --sqlite (the default) the search scenarios run again on SQLite.
4. Stops every server and drops every database it made, also on Ctrl-C or failure.

`--tiny` runs every scenario at a tiny size with a few requests each (a smoke test, well under a
minute); any 5xx, load-generator failure or unexpected answer makes the exit status non-zero.
`--scaling` runs the scaling grid instead (see bench.scaling).
`--replica` adds the searches and the full booking with searches on a private streaming replica (bench.replica).
The memory scenario (bench.memory) loads a 2,000-advisor bank into its own database and server and
reports each worker's RSS, PSS, USS and peak RSS after the warm-up and after every search kind;
the main server's workers are reported too. `--only memory` runs it alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import load, memory, scenarios
from bench.bankgen import Size, SyntheticBank, generate, write
from bench.floors import bare_floor, null_ceiling
from bench.loadgen import Run, close_all, new_loop_runner, open_connections
from bench.progress import Bar, Status, say
from bench.servers import Cleanup, app_server, bare_server, meetbook_server, null_server

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description="Benchmark meetbook over HTTP against its floors.")
    p.add_argument("--advisors", type=int, default=500, help="bank size (default 500)")
    p.add_argument("--days", type=int, default=30, help="horizon of the generated activity and of the whole-bank searches (default 30)")
    p.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    p.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    p.add_argument("--duration-per-scenario", type=float, default=10.0, metavar="S", help="measured seconds per scenario (default 10)")
    p.add_argument("--search-clients", type=int, default=1, help="concurrent clients in the search scenarios (default 1: latency)")
    p.add_argument("--scaling", action="store_true", help="run the scaling grid (100/500/2000 advisors x 7/30/90 days) instead")
    p.add_argument("--tiny", action="store_true", help="every scenario at a tiny size, a few requests each (smoke test)")
    p.add_argument("--sqlite", dest="sqlite", action="store_true", default=True, help="also run the searches on SQLite (default)")
    p.add_argument("--no-sqlite", dest="sqlite", action="store_false")
    p.add_argument("--quiet-wait", type=float, default=30.0, metavar="S",
                   help="before each scenario, wait up to S seconds for other processes to leave the CPU idle (default 30)")
    p.add_argument("--live-src", action="store_true",
                   help="serve src/ as it is on disk at each server start, instead of a copy taken when the run starts")
    p.add_argument("--server-app", metavar="MODULE:ATTR",
                   help="experiments: serve this ASGI app under uvicorn instead of `meetbook serve` (e.g. a wrapper "
                        "that prototypes a fix); the database is migrated by the import as usual")
    p.add_argument("--server-path", metavar="DIR", help="experiments: prepended to PYTHONPATH for --server-app")
    p.add_argument("--only", metavar="KEYS", help="experiments: only these scenarios, comma-separated "
                   "(one, pool, bank, all, reserve, race, booking, memory)")
    p.add_argument("--memory-advisors", type=int, default=None, metavar="N",
                   help="bank size of the memory scenario (default 2000; 20 with --tiny)")
    p.add_argument("--replica", action="store_true",
                   help="also run the searches and the full booking with searches on a private PostgreSQL streaming replica "
                        "(bench.replica: started with the installed server's initdb, pg_basebackup and pg_ctl)")
    p.add_argument("--json", type=Path, default=None, help="where to write the results (default bench/results/latest[-tiny|-scaling].json)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (bank file, server logs)")
    args = p.parse_args(argv)
    if args.tiny:
        args.advisors, args.days = min(args.advisors, 10), min(args.days, 7)
        args.duration_per_scenario = min(args.duration_per_scenario, 0.5)
        args.quiet_wait = 0.0
    if args.memory_advisors is None:
        args.memory_advisors = 20 if args.tiny else memory.MEMORY_ADVISORS
    return args


# -- machine -------------------------------------------------------------------------------------


def src_digest() -> str:
    """A digest of the service's source being measured: the pinned copy (see pin_source), else
    the working tree as it is on disk now. Same paths, same digest for the same files."""
    import hashlib

    import meetbook

    package = Path(meetbook.__file__).resolve().parent
    digest = hashlib.sha256()
    for f in sorted(package.rglob("*.py")):
        digest.update(("src/meetbook/" + f.relative_to(package).as_posix()).encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()[:12]


def machine_info() -> dict:
    def meminfo() -> str:
        try:
            for line in Path("/proc/meminfo").read_text().splitlines():
                if line.startswith("MemTotal"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        except OSError:
            pass
        return "?"

    def cpu_model() -> str:
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return platform.processor() or "?"

    def git(*cmd: str) -> str:
        try:
            return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except Exception:  # noqa: BLE001
            return "?"

    import fastapi
    import sqlalchemy
    import uvicorn

    try:
        pg = load.pg_version()
    except Exception:  # noqa: BLE001
        pg = "?"
    dirty = git("status", "--porcelain", "--", "src")
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "memory": meminfo(),
        "python": platform.python_version(),
        "postgresql": pg,
        "sqlite": __import__("sqlite3").sqlite_version,
        "os": platform.platform(),
        "fastapi": fastapi.__version__,
        "uvicorn": uvicorn.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "commit": git("rev-parse", "--short", "HEAD") + (" + uncommitted changes in src/" if dirty else ""),
        "meetbook_from": str(Path(__import__("meetbook").__file__).resolve().parent),
        "src_digest": src_digest(),  # of src/meetbook/**/*.py as measured
    }


# -- loading ----------------------------------------------------------------------------------------


def make_bank(size: Size, seed: int) -> SyntheticBank:
    resolved = size.resolved()
    total = resolved.advisors + (resolved.calendar_entries or 0) + (resolved.meetings or 0)
    with Bar(f"Generating a bank of {resolved.advisors} advisors over {resolved.days} days (seed {seed})", total) as bar:
        bank = generate(size, seed, progress=bar.update)
    say("  " + ", ".join(f"{k} {v}" for k, v in bank.counts().items()))
    return bank


def load_database(url: str, bank: SyntheticBank, bank_file: Path, label: str) -> None:
    say(f"Importing the bank definition into {label} (meetbook import {bank_file.name})")
    started = time.perf_counter()
    load.import_bank_file(url, bank_file)
    say(f"  imported in {time.perf_counter() - started:.1f} s")
    load.insert_activity(url, bank)


def tokens(n: int) -> list[str]:
    from meetbook.auth.tokens import issue_token
    from meetbook.core.config import Settings

    settings = Settings()
    return [issue_token(settings, "customer employee", f"bench-customer-{i}", ttl=12 * 3600) for i in range(n)]


async def warm_up(port: int, toks: list[str], paths: list[str], connections: int = 8) -> None:
    """Every worker loads its bank snapshot and opens database connections before measuring."""
    conns = await open_connections("127.0.0.1", port, connections, lambda i: {"Authorization": "Bearer " + toks[i % len(toks)]})
    try:
        for path in paths:
            await asyncio.gather(*(c.get(path) for c in conns))
    finally:
        close_all(conns)


# -- the table ----------------------------------------------------------------------------------------


def ms(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:
        return "-"
    return f"{seconds * 1000:.1f}" if seconds < 10 else f"{seconds * 1000:.0f}"


def other_load(run: Run) -> str:
    """CPU other processes on the machine took during the scenario, in cores."""
    cpu = run.extra.get("cpu")
    return f"{cpu['other_cores']:.2f}" if cpu else "-"


def service_cpu(run: Run) -> str:
    """CPU milliseconds the service (its processes and its database backends) spent per operation:
    what throughput on this machine's cores can be at best, whatever the noise on the clock."""
    cpu = scenarios.cpu_ms_per_op(run)
    return "-" if cpu is None else f"{cpu:.1f}"


def table(rows: list[scenarios.Row], ceiling: dict) -> str:
    head = ("scenario", "db", "clients", "ops", "p50 ms", "p99 ms", "ops/s", "floor p50 ms", "ratio", "CPU ms/op", "LG cpu",
            "other load", "target", "ok")
    lines = []
    data = []
    for r in rows:
        run = r.run
        ok = "" if r.ok is None else ("yes" if r.ok else "NO")
        data.append((
            r.name, "PG" if r.db == "PostgreSQL" else r.db, str(r.clients),
            f"{run.count}" + (" bookings" if r.unit == "booking" else ""),
            ms(run.p50), ms(run.p99), f"{run.throughput:,.0f}", ms(r.floor_s),
            f"{r.ratio:.1f}x" if r.ratio else "-", service_cpu(run), f"{run.cpu_share:.0%}", other_load(run), r.target, ok,
        ))
    widths = [max(len(h), *(len(d[i]) for d in data)) if data else len(h) for i, h in enumerate(head)]
    right = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11}

    def fmt(cells) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    lines.append(fmt(head))
    lines.append(fmt(["-" * w for w in widths]))
    lines += [fmt(d) for d in data]
    lines.append("")
    for i, r in enumerate(rows, 1):
        detail = [f"floor = {r.floor_label}"] if r.floor_label else []
        detail += r.notes
        if detail:
            lines.append(f"  {r.name} [{r.db}]: " + "; ".join(detail))
    if ceiling:
        lines.append("")
        lines.append(
            f"load generator ceiling: {ceiling['null_rps']:,.0f} req/s against a null server "
            f"(p50 {ms(ceiling['null_p50'])} ms, 64 connections); bare ASGI under uvicorn x{ceiling['workers']}: "
            f"{ceiling['bare_rps']:,.0f} req/s (p50 {ms(ceiling['bare_p50'])} ms). Highest scenario rate: "
            f"{ceiling['max_rps']:,.0f} req/s = {ceiling['max_rps'] / ceiling['null_rps']:.0%} of the load generator's ceiling; "
            f"its CPU use peaked at {ceiling['max_cpu']:.0%} of one core."
        )
        lines.append("CPU ms/op: CPU time of the server's processes and its PostgreSQL backends per operation (the "
                     "cores divided by it bound the throughput); LG cpu: the load generator's own CPU time per wall second; "
                     "other load: CPU cores used during the scenario by processes other than this benchmark, its servers "
                     "and its PostgreSQL backends.")
    return "\n".join(lines)


def row_json(r: scenarios.Row) -> dict:
    run = r.run
    return {
        "scenario": r.name, "db": r.db, "clients": r.clients, "unit": r.unit, "ops": run.count,
        "p50_ms": run.p50 * 1000 if run.count else None, "p99_ms": run.p99 * 1000 if run.count else None,
        "throughput": run.throughput, "floor_ms": r.floor_s * 1000 if r.floor_s else None, "floor": r.floor_label,
        "ratio": r.ratio, "lg_cpu": run.cpu_share, "target": r.target, "ok": r.ok, "notes": r.notes,
        "statuses": {str(k): v for k, v in sorted(run.statuses.items())}, "deadlocks": r.deadlocks,
        "failures": run.failures[:5], "body_bytes": run.body_bytes, "cpu": run.extra.get("cpu"),
        "busy_before": run.extra.get("busy_before"),
    }


def request_rate(r: scenarios.Row) -> float:
    """Requests per second this row made the load generator send."""
    total = sum(r.run.statuses.values())
    return total / r.run.elapsed if r.run.elapsed else 0.0


# -- the run ------------------------------------------------------------------------------------------


async def measure_ceiling(null_port: int, bare_port: int, workers: int, duration: float, max_ops: int | None) -> dict:
    with Status("Load generator ceiling (null server, bare ASGI; 64 connections)") as status:
        null = await null_ceiling(null_port, concurrency=64, duration=duration, max_ops=max_ops)
        bare = await bare_floor(bare_port, 64, concurrency=64, duration=duration, max_ops=max_ops)
        status.show(f"null {null.throughput:,.0f} req/s, bare ASGI {bare.throughput:,.0f} req/s")
    failures = null.failures + bare.failures
    return {"null_rps": null.throughput, "null_p50": null.p50, "bare_rps": bare.throughput, "bare_p50": bare.p50,
            "workers": workers, "failures": failures, "null_cpu": null.cpu_share}


def make_server(args, db: str, url: str, log_path: Path):
    if args.server_app:
        return app_server(f"{args.server_app} ({db})", args.server_app, load.meetbook_env(url), args.workers, log_path,
                          args.server_path)
    return meetbook_server(f"meetbook ({db})", load.meetbook_env(url), args.workers, log_path)


async def pg_scenarios(ctx: scenarios.Ctx, only_searches: bool = False, only: set[str] | None = None) -> list[scenarios.Row]:
    rows = []
    for spec in scenarios.search_specs(ctx.bank):
        if only is None or spec.key in only:
            rows.append(await scenarios.run_search(ctx, spec))
    if only_searches:
        return rows
    for key, run in (("reserve", scenarios.run_reserve_uncontended), ("race", scenarios.run_reserve_race),
                     ("booking", scenarios.run_booking)):
        if only is None or key in only:
            rows.append(await run(ctx))
    return rows


def pin_source() -> Path | None:
    """Copy src/meetbook to a temporary directory and put it first on the import path of this
    process and of every process it starts (servers, `meetbook import`), so one run measures one
    version of the service even while someone edits the working tree. Returns the directory."""
    if "meetbook" in sys.modules:  # too late to pin this process; servers would differ from it
        return None
    pinned = Path(tempfile.mkdtemp(prefix="meetbook-bench-src-"))
    shutil.copytree(ROOT / "src" / "meetbook", pinned / "meetbook", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    sys.path.insert(0, str(pinned))
    os.environ["PYTHONPATH"] = str(pinned) + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")
    return pinned


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    pinned = None if args.live_src else pin_source()
    try:
        if args.scaling:
            from bench import scaling

            return scaling.main(args)
        return run_main(args, argv)
    finally:
        if pinned is not None:
            shutil.rmtree(pinned, ignore_errors=True)


def run_main(args, argv) -> int:
    problem = load.pg_reachable()
    if problem:
        say(f"error: PostgreSQL is not reachable at {load.PG_ADMIN}: {problem}")
        return 2
    machine = machine_info()
    say(f"Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory']}, Python {machine['python']}, "
        f"PostgreSQL {machine['postgresql']}, meetbook {machine['commit']}")
    max_ops = 5 if args.tiny else None
    only = set(args.only.split(",")) if args.only else None
    if only == {"memory"}:
        return memory_main(args, argv, machine)
    rows: list[scenarios.Row] = []
    mem_phases: list[dict] = []
    ceiling: dict = {}
    failed: list[str] = []
    sctx = None
    started = time.perf_counter()
    with Cleanup() as cleanup:
        tmp = Path(tempfile.mkdtemp(prefix="meetbook-bench-"))
        if not args.keep:
            cleanup.later("remove the temporary directory", lambda: shutil.rmtree(tmp, ignore_errors=True))
        for name in load.drop_orphaned_databases():
            say(f"dropped {name}, left behind by a benchmark run that no longer exists")
        bank = make_bank(Size(args.advisors, args.days), args.seed)
        bank_file = tmp / "bank.json"
        write(bank, bank_file)

        db_name = f"{load.DB_PREFIX}{os.getpid()}"
        cleanup.later(f"drop database {db_name}", lambda: load.drop_pg_database(db_name))
        pg_url = load.create_pg_database(db_name).replace("postgresql://", "postgresql+psycopg://", 1)
        load_database(pg_url, bank, bank_file, f"PostgreSQL ({db_name})")

        toks = tokens(64)
        with Status(f"Starting meetbook serve --workers {args.workers} (PostgreSQL), bare ASGI, null server"):
            server = cleanup.server(make_server(args, "PostgreSQL", pg_url, tmp / "server-pg.log")).start()
            bare = cleanup.server(bare_server(args.workers, tmp / "bare.log")).start()
            null = cleanup.server(null_server(tmp / "null.log")).start()
        specs = scenarios.search_specs(bank)
        with new_loop_runner() as runner:
            ceiling = runner.run(measure_ceiling(null.port, bare.port, args.workers, 0.5 if args.tiny else 3.0, 200 if args.tiny else None))
            if ceiling["failures"]:
                failed.append(f"load generator ceiling: {ceiling['failures'][0]}")
            with Status("Warming up the server (every worker loads the bank)"):
                runner.run(warm_up(server.port, toks, [scenarios.search_path(**s.params) for s in specs if s.key != "all"]))
            main_bank = f"{bank.size.advisors} advisors (main)"
            mem_phases.append(memory.phase(main_bank, "after warm-up", server.proc.pid, False))
            ctx = scenarios.Ctx(bank=bank, server=server, bare_port=bare.port, db_url=pg_url, db="PostgreSQL",
                                duration=args.duration_per_scenario, max_ops=max_ops, tokens=toks,
                                search_clients=args.search_clients, quiet_wait=args.quiet_wait)
            say("Scenarios on PostgreSQL")
            rows += runner.run(pg_scenarios(ctx, only=only))
            mem_phases.append(memory.phase(main_bank, "after the scenarios", server.proc.pid, False))
        cleanup.stop(server)  # frees the CPU; the bare ASGI server stays for the SQLite floors
        cleanup.stop(null)
        if only is None or "memory" in only:
            say(f"Memory of the workers with {args.memory_advisors} advisors")
            with new_loop_runner() as runner:
                phases, mem_failed = memory.run_memory(args, cleanup, tmp, toks, runner, warm_up)
            mem_phases += phases
            failed += mem_failed

        if args.replica:
            from bench import replica

            with new_loop_runner() as runner:
                rows += replica.run(args, bank, bank_file, toks, cleanup, tmp, only, ctx, runner, warm_up, failed)

        if args.sqlite:
            sqlite_url = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
            load_database(sqlite_url, bank, bank_file, "SQLite")
            with Status(f"Starting meetbook serve --workers {args.workers} (SQLite)"):
                server = cleanup.server(make_server(args, "SQLite", sqlite_url, tmp / "server-sqlite.log")).start()
            with new_loop_runner() as runner:
                with Status("Warming up the server"):
                    runner.run(warm_up(server.port, toks, [scenarios.search_path(**s.params) for s in specs if s.key != "all"]))
                sctx = scenarios.Ctx(bank=bank, server=server, bare_port=bare.port, db_url=sqlite_url, db="SQLite",
                                     duration=args.duration_per_scenario, max_ops=max_ops, tokens=toks,
                                     search_clients=args.search_clients, quiet_wait=args.quiet_wait, floor_cache={k: v for k, v in ctx.floor_cache.items() if k[0] == "json"})
                say("Scenarios on SQLite (searches)")
                rows += runner.run(pg_scenarios(sctx, only_searches=True, only=only))
            cleanup.stop_servers()
        if args.keep:
            say(f"kept {tmp} (bank.json, server logs)")

    ceiling["max_rps"] = max((request_rate(r) for r in rows), default=0.0)
    ceiling["max_cpu"] = max((r.run.cpu_share for r in rows), default=0.0)
    print()
    print(f"meetbook benchmark: {bank.size.advisors} advisors, {bank.size.days} days, seed {args.seed}, "
          f"{args.workers} workers; {machine['nproc']} CPUs, {machine['memory']}, Python {machine['python']}, "
          f"PostgreSQL {machine['postgresql']}")
    print(table(rows, ceiling))
    if mem_phases:
        print("\nMemory of the server's processes (MB; peak RSS = VmHWM since the process started):")
        print(memory.table(mem_phases))
    print(f"\ntotal time {time.perf_counter() - started:.0f} s")

    failed += ctx.floor_failures + (sctx.floor_failures if sctx else [])
    for r in rows:
        if r.run.server_errors:
            failed.append(f"{r.name} [{r.db}]: {r.run.server_errors} x 5xx")
        if r.run.failures:
            failed.append(f"{r.name} [{r.db}]: load generator failed: {r.run.failures[0]}")
        if r.unexpected:
            failed.append(f"{r.name} [{r.db}]: {r.unexpected} unexpected answers")
        if r.run.count == 0:
            failed.append(f"{r.name} [{r.db}]: no operation completed")
    return write_results(args, argv, machine, "latest", failed, size=bank.counts(), days=bank.size.days, ceiling=ceiling,
                         rows=[row_json(r) for r in rows], memory=mem_phases)


def memory_main(args, argv, machine: dict) -> int:
    """`--only memory`: the memory scenario alone (no main bank, no other server)."""
    started = time.perf_counter()
    failed: list[str] = []
    with Cleanup() as cleanup:
        tmp = Path(tempfile.mkdtemp(prefix="meetbook-bench-"))
        if not args.keep:
            cleanup.later("remove the temporary directory", lambda: shutil.rmtree(tmp, ignore_errors=True))
        for name in load.drop_orphaned_databases():
            say(f"dropped {name}, left behind by a benchmark run that no longer exists")
        toks = tokens(8)
        with new_loop_runner() as runner:
            phases, failed = memory.run_memory(args, cleanup, tmp, toks, runner, warm_up)
    print()
    print(f"meetbook memory: {args.memory_advisors} advisors, {args.days} days, seed {args.seed}, {args.workers} workers; "
          f"{machine['nproc']} CPUs, {machine['memory']}, Python {machine['python']}, PostgreSQL {machine['postgresql']}")
    print("Memory of the server's processes (MB; peak RSS = VmHWM since the process started):")
    print(memory.table(phases))
    print(f"\ntotal time {time.perf_counter() - started:.0f} s")
    return write_results(args, argv, machine, "latest-memory", failed, days=args.days, memory=phases)


def write_results(args, argv, machine: dict, default_name: str, failed: list[str], **fields) -> int:
    """The run's results file (--json, else bench/results/<default_name>[-tiny].json); the exit status."""
    out = args.json or RESULTS / (f"{default_name}-tiny.json" if args.tiny else f"{default_name}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "command": "python -m bench.run " + " ".join(sys.argv[1:] if argv is None else argv),
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"), "machine": machine, "workers": args.workers,
        "seed": args.seed, **fields, "failed": failed,
    }, indent=1, default=str))
    print(f"results: {out}")
    if failed:
        print("FAILED:\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; servers stopped and databases dropped", file=sys.stderr)
        sys.exit(130)
