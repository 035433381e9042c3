"""The benchmark still runs end to end: `python -m bench.run --tiny` on PostgreSQL (and SQLite).

Every scenario at a tiny size with a few requests: the synthetic bank is generated, imported with
`meetbook import`, the server started with several workers and driven over HTTP. The run must exit
0 (no 5xx, no load-generator failure, no unexpected answer) and print its table. No timing is
asserted: figures from a test machine mean nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.conftest import IN_CI, PG_ADMIN, _pg_reachable

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_tiny_benchmark_runs_and_prints_its_table(tmp_path):
    problem = _pg_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and is not reachable at {PG_ADMIN}: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN}: {problem}")
    results = tmp_path / "tiny.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETBOOK_")}
    env["MEETBOOK_BENCH_PG"] = PG_ADMIN
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--tiny", "--json", str(results)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "meetbook benchmark:" in result.stdout, output[-4000:]
    for scenario in ("search: one advisor", "search: local pool", "search: whole bank", "reserve: uncontended",
                     "clients racing for the same slots", "full booking"):
        assert scenario in result.stdout, f"no '{scenario}' row in the table:\n{result.stdout}"
    assert "SQLite" in result.stdout
    assert "p50 ms" in result.stdout and "floor p50 ms" in result.stdout
    assert results.exists()
    # The memory scenario: every worker of its own bank's server measured after warm-up and searches.
    assert "Memory of the server's processes" in result.stdout, output[-4000:]
    phases = json.loads(results.read_text())["memory"]
    assert {(p["bank"], p["phase"]) for p in phases} >= {("20 advisors", "after warm-up"), ("20 advisors", "after the searches")}
    for p in phases:
        workers = [proc for proc in p["processes"] if proc["role"] == "worker"]
        assert len(workers) == 2 and all(w["rss_mb"] > 0 and w["hwm_mb"] >= w["rss_mb"] for w in workers), p
    # The run cleans up after itself: its database is gone.
    made = set(re.findall(r"\((meetbook_bench_\d+)\)", output))
    assert made, output[-4000:]
    with psycopg.connect(PG_ADMIN) as conn:
        left = {r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'meetbook_bench_%'")}
    assert not made & left, f"the benchmark left its database behind: {made & left}"
