"""The scaling run: `python -m bench.run --scaling`.

The whole-bank search with best-slot selection at 100, 500 and 2,000 advisors, each over 7, 30
and 90 days (a 3 x 3 grid), on PostgreSQL with the same server settings as the main run. One bank
per advisor count, with activity over a 90-day horizon at the default density (about 1.3 booked
meetings per advisor and day), so a longer window means proportionally more data. Each cell is
measured with one client, next to the read floor of its window. Writes bench/results/
latest-scaling.json and plots docs/performance.png.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import load, scenarios
from bench.bankgen import Size, write
from bench.loadgen import new_loop_runner
from bench.progress import Status, say
from bench.servers import Cleanup, bare_server, meetbook_server

ADVISORS = (100, 500, 2000)
DAYS = (7, 30, 90)
HORIZON = 90
PLOT = Path(__file__).resolve().parent.parent / "docs" / "performance.png"


async def measure_cell(ctx: scenarios.Ctx, days: int, max_ops: int) -> dict:
    spec = next(s for s in scenarios.search_specs(ctx.bank) if s.key == "bank")
    spec.params["lookForwardTime"] = scenarios.days_text(days)
    spec.days = days
    spec.name = f"whole bank ({ctx.bank.size.advisors}), {days} d, best-slot"
    saved = ctx.max_ops
    ctx.max_ops = max_ops
    try:
        row = await scenarios.run_search(ctx, spec)
    finally:
        ctx.max_ops = saved
    run = row.run
    read = ctx.floor_cache.get(("read", ctx.db, scenarios.search_path(**spec.params), ctx.search_clients))
    return {
        "advisors": ctx.bank.size.advisors, "days": days, "requests": run.count,
        "p50_ms": run.p50 * 1000 if run.count else None, "p99_ms": run.p99 * 1000 if run.count else None,
        "read_floor_ms": read.p50 * 1000 if read and read.count else None,
        "rows_read": read.extra.get("rows") if read else None,
        "floor_ms": row.floor_s * 1000 if row.floor_s else None, "body_bytes": run.body_bytes,
        "statuses": {str(k): v for k, v in run.statuses.items()}, "failures": run.failures[:3],
        "other_cores": (run.extra.get("cpu") or {}).get("other_cores"), "notes": row.notes,
    }


def main(args) -> int:
    from bench.run import RESULTS, load_database, machine_info, make_bank, src_digest, tokens, warm_up

    problem = load.pg_reachable()
    if problem:
        say(f"error: PostgreSQL is not reachable at {load.PG_ADMIN}: {problem}")
        return 2
    machine = machine_info()
    advisors = (10, 20) if args.tiny else ADVISORS
    days_grid = (2, 7) if args.tiny else DAYS
    horizon = max(days_grid) if args.tiny else HORIZON
    cells: list[dict] = []
    failed: list[str] = []
    started = time.perf_counter()
    toks = tokens(4)
    with Cleanup() as cleanup:
        tmp = Path(tempfile.mkdtemp(prefix="meetbook-scaling-"))
        cleanup.later("remove the temporary directory", lambda: shutil.rmtree(tmp, ignore_errors=True))
        for name in load.drop_orphaned_databases():
            say(f"dropped {name}, left behind by a benchmark run that no longer exists")
        bare = cleanup.server(bare_server(args.workers, tmp / "bare.log")).start()
        for n in advisors:
            bank = make_bank(Size(n, horizon), args.seed)
            bank_file = tmp / f"bank-{n}.json"
            write(bank, bank_file)
            db_name = f"{load.DB_PREFIX}{os.getpid()}_{n}"
            cleanup.later(f"drop database {db_name}", lambda name=db_name: load.drop_pg_database(name))
            url = load.create_pg_database(db_name).replace("postgresql://", "postgresql+psycopg://", 1)
            load_database(url, bank, bank_file, f"PostgreSQL ({db_name})")
            digest = src_digest()
            with Status(f"Starting meetbook serve --workers {args.workers} ({n} advisors)"):
                server = cleanup.server(meetbook_server(f"meetbook ({n})", load.meetbook_env(url), args.workers, tmp / f"server-{n}.log")).start()
            ctx = scenarios.Ctx(bank=bank, server=server, bare_port=bare.port, db_url=url, db="PostgreSQL",
                                duration=args.duration_per_scenario, max_ops=None, tokens=toks, search_clients=1,
                                quiet_wait=args.quiet_wait)
            with new_loop_runner() as runner:
                with Status("Warming up"):
                    runner.run(warm_up(server.port, toks, [scenarios.search_path(
                        requireEmployeeParticipation="true", lookForwardTime=scenarios.days_text(d),
                        topic=bank.general_topic, getBestTimeSlots="true") for d in days_grid], connections=4))
                for d in days_grid:
                    cell = runner.run(measure_cell(ctx, d, 3 if args.tiny else 200))
                    cell["src_digest"] = digest
                    cells.append(cell)
                    if cell["failures"] or any(int(s) >= 500 for s in cell["statuses"]) or not cell["requests"]:
                        failed.append(f"{n} advisors x {d} days: {cell['statuses']} {cell['failures']}")
                failed += ctx.floor_failures
            cleanup.stop(server)
            load.drop_pg_database(db_name)

    print()
    print(f"meetbook scaling: whole-bank search, best-slot, 1 client, {args.workers} workers; "
          f"{machine['nproc']} CPUs, {machine['memory']}, Python {machine['python']}, PostgreSQL {machine['postgresql']}")
    print(scaling_table(cells))
    print(f"\ntotal time {time.perf_counter() - started:.0f} s")
    out = args.json or RESULTS / ("latest-scaling-tiny.json" if args.tiny else "latest-scaling.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"command": "python -m bench.run " + " ".join(sys.argv[1:]), "machine": machine,
                               "when": time.strftime("%Y-%m-%d %H:%M:%S %z"), "workers": args.workers,
                               "cells": cells, "failed": failed}, indent=1, default=str))
    print(f"results: {out}")
    if not args.tiny:
        plot(cells, PLOT, machine)
        print(f"plot: {PLOT}")
    if failed:
        print("FAILED:\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    return 0


def scaling_table(cells: list[dict]) -> str:
    head = f"{'advisors':>8}  {'days':>4}  {'advisor-days':>12}  {'requests':>8}  {'p50 ms':>8}  {'p99 ms':>8}  " \
           f"{'read floor ms':>13}  {'rows read':>9}  {'us per advisor-day':>18}  {'answer':>8}  {'other load':>10}"
    lines = [head, "-" * len(head)]
    for c in cells:
        ad = c["advisors"] * c["days"]
        per = c["p50_ms"] * 1000 / ad if c["p50_ms"] else float("nan")
        lines.append(
            f"{c['advisors']:>8}  {c['days']:>4}  {ad:>12,}  {c['requests']:>8}  {_f(c['p50_ms']):>8}  {_f(c['p99_ms']):>8}  "
            f"{_f(c['read_floor_ms']):>13}  {c['rows_read'] or 0:>9,}  {per:>18.1f}  {scenarios._kb(c['body_bytes']):>8}  "
            f"{(c['other_cores'] or 0):>10.2f}")
    return "\n".join(lines)


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}" if x < 100 else f"{x:.0f}"


def plot(cells: list[dict], path: Path, machine: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    for i, d in enumerate(sorted({c["days"] for c in cells})):
        row = sorted((c for c in cells if c["days"] == d and c["p50_ms"]), key=lambda c: c["advisors"])
        color = f"C{i}"
        left.plot([c["advisors"] for c in row], [c["p50_ms"] for c in row], marker="o", color=color,
                  label=f"{d} days: search p50")
        left.plot([c["advisors"] for c in row], [c["read_floor_ms"] for c in row], marker=".", linestyle=":", color=color,
                  label=f"{d} days: read floor p50")
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("advisors")
    left.set_ylabel("p50 latency (ms)")
    left.set_title("Whole-bank search, best-slot, by bank size")
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=7)

    pts = sorted((c["advisors"] * c["days"], c["p50_ms"], c["read_floor_ms"]) for c in cells if c["p50_ms"])
    xs = [p[0] for p in pts]
    right.scatter(xs, [p[1] for p in pts], label="search p50 (HTTP, end to end)", zorder=3)
    right.scatter(xs, [p[2] for p in pts], marker="x", label="read floor p50 (same SQL on psycopg)", zorder=3)
    if pts:
        # the line through the middle point with slope 1: what linear cost would look like
        mid = pts[len(pts) // 2]
        lo, hi = min(xs), max(xs)
        right.plot([lo, hi], [mid[1] * lo / mid[0], mid[1] * hi / mid[0]], linestyle="--", color="grey",
                   label="linear in advisors x days")
    for c in cells:
        if c["p50_ms"]:
            right.annotate(f"{c['advisors']}x{c['days']}", (c["advisors"] * c["days"], c["p50_ms"]), fontsize=7,
                           xytext=(4, -10), textcoords="offset points")
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("advisors x days")
    right.set_ylabel("p50 latency (ms)")
    right.set_title("Cost against advisors x days")
    right.grid(True, which="both", alpha=0.3)
    right.legend(fontsize=7)
    fig.suptitle(f"meetbook {machine.get('commit', '')} (source {machine.get('src_digest', '?')}), 2 workers; "
                 f"PostgreSQL {machine['postgresql'].split()[0]}, {machine['nproc']} CPUs, Python {machine['python']}", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
