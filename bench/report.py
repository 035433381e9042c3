"""Markdown tables from a results file, for docs/performance.md.

    python -m bench.report bench/results/latest.json
    python -m bench.report bench/results/latest-scaling.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _ms(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.1f}" if x < 100 else f"{x:,.0f}"


def run_table(data: dict) -> str:
    lines = [
        "| scenario | db | clients | ops | p50 ms | p99 ms | ops/s | floor p50 ms | ratio | target | met |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for r in data["rows"]:
        ops = f"{r['ops']:,}" + (" bookings" if r["unit"] == "booking" else "")
        met = "" if r["ok"] is None else ("yes" if r["ok"] else "**no**")
        ratio = f"{r['ratio']:.1f}x" if r["ratio"] else "-"
        db = "PG" if r["db"] == "PostgreSQL" else r["db"]
        lines.append(f"| {r['scenario']} | {db} | {r['clients']} | {ops} | {_ms(r['p50_ms'])} | {_ms(r['p99_ms'])} | "
                     f"{r['throughput']:,.0f} | {_ms(r['floor_ms'])} | {ratio} | {r['target']} | {met} |")
    lines.append("")
    lines.append("| scenario | db | floor (p50 ms) and notes | CPU ms/op | LG cpu | other load (cores) |")
    lines.append("|---|---|---|--:|--:|--:|")
    for r in data["rows"]:
        db = "PG" if r["db"] == "PostgreSQL" else r["db"]
        detail = "; ".join(([f"floor = {r['floor']}"] if r["floor"] else []) + r["notes"])
        cpu = r.get("cpu") or {}
        other = f"{cpu['other_cores']:.2f}" if cpu else "-"
        # the service's CPU (its processes and PostgreSQL backends) per operation; older runs lack it
        per_op = f"{(cpu['server_cpu_s'] + cpu['pg_cpu_s']) * 1000 / r['ops']:.1f}" if "server_cpu_s" in cpu and r["ops"] else "-"
        lines.append(f"| {r['scenario']} | {db} | {detail} | {per_op} | {r['lg_cpu']:.0%} | {other} |")
    c = data.get("ceiling") or {}
    if c:
        lines.append("")
        lines.append(f"Load generator ceiling: {c['null_rps']:,.0f} req/s against a null server (p50 {c['null_p50'] * 1000:.1f} ms, "
                     f"64 connections); bare ASGI under uvicorn with {c['workers']} workers: {c['bare_rps']:,.0f} req/s "
                     f"(p50 {c['bare_p50'] * 1000:.1f} ms). Highest scenario rate {c['max_rps']:,.0f} req/s; the load "
                     f"generator's CPU use peaked at {c['max_cpu']:.0%} of one core.")
    return "\n".join(lines)


def scaling_table(data: dict) -> str:
    lines = [
        "| advisors | days | advisor-days | requests | p50 ms | p99 ms | read floor p50 ms | rows read | µs per advisor-day | answer | other load |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for c in data["cells"]:
        ad = c["advisors"] * c["days"]
        per = c["p50_ms"] * 1000 / ad if c["p50_ms"] else None
        size = c["body_bytes"]
        answer = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"
        lines.append(f"| {c['advisors']:,} | {c['days']} | {ad:,} | {c['requests']} | {_ms(c['p50_ms'])} | {_ms(c['p99_ms'])} | "
                     f"{_ms(c['read_floor_ms'])} | {c['rows_read'] or 0:,} | {per:.1f} | {answer} | {(c['other_cores'] or 0):.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    data = json.loads(Path(args[0]).read_text())
    m = data["machine"]
    print(f"<!-- {data['command']} | {data['when']} | meetbook {m['commit']} (source {m['src_digest']}) -->")
    print(scaling_table(data) if "cells" in data else run_table(data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
