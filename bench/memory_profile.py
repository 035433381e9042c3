"""What holds a worker's memory: `python -m bench.memory_profile [--advisors 2000] [--days 30]`.

Runs the real application in this process (create_app, its lifespan), as bench.profile_search
does, against a generated bank on PostgreSQL, with tracemalloc on from before meetbook is imported,
and reports:

1. RSS at each step: the interpreter with the benchmark's own modules, meetbook's application
   imported, its lifespan started, after the warm-up searches, after every search kind (the
   all-advisors answer included), after a forced collection.
2. Python allocations alive after the searches, by where they were made: at import (per imported
   top-level package: the first package frame below the import machinery) and after it (per meetbook
   module, or the third-party package that made them).
3. The engine's per-bank caches: the bank snapshot (`catalog.snapshot`), the memo (`availability.memo`):
   its values and cohorts, with the bytes of their numpy arrays.
4. Top-level packages imported in the process, and the ones the worker need not import.

tracemalloc's own bookkeeping inflates RSS (about 2x the traced size), so read RSS from step 1's
first columns or from `python -m bench.run --only memory`, and the split from 2 and 3.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

MB = 1024 * 1024


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _package(filename: str) -> str | None:
    """'meetbook/availability/advisors.py' -> 'meetbook.availability.advisors'; a third-party file ->
    its top-level package; the standard library -> 'stdlib <module>'; None for import machinery."""
    if filename.startswith("<frozen") or filename == "<string>":
        return None
    f = filename.replace(os.sep, "/")
    if "/meetbook/" in f:
        return "meetbook." + f.rsplit("/meetbook/", 1)[1].removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    for marker in ("/site-packages/", "/dist-packages/"):
        if marker in f:
            return f.split(marker, 1)[1].split("/", 1)[0].removesuffix(".py")
    if "/lib/python3" in f:
        return "stdlib " + f.rsplit("/", 1)[1].removesuffix(".py")
    return f


def where(tb: tracemalloc.Traceback, meetbook_detail: bool) -> str:
    """The most recent frame that is a package's code (not the import machinery): at import, the
    package being imported; after it, meetbook's module (or the library that allocated)."""
    found = None
    for frame in reversed(tb):  # most recent last in tracemalloc's order
        pkg = _package(frame.filename)
        if pkg is None:
            continue
        found = pkg
        break
    if found is None:
        return "import machinery (code objects, module dicts)"
    if found.startswith("meetbook.") and not meetbook_detail:
        return "meetbook (its own modules)"
    return found


def by_place(snapshot: tracemalloc.Snapshot, meetbook_detail: bool) -> Counter:
    out: Counter = Counter()
    for stat in snapshot.statistics("traceback"):
        out[where(stat.traceback, meetbook_detail)] += stat.size
    return out


def array_bytes(value, seen: set[int]) -> int:
    """numpy bytes reachable from a value (NamedTuples, tuples, lists, dicts), each array once."""
    import numpy as np

    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        base = value if value.base is None else value.base
        if isinstance(base, np.ndarray) and id(base) not in seen and base is not value:
            seen.add(id(base))
            return base.nbytes
        return value.nbytes
    if isinstance(value, dict):
        return sum(array_bytes(v, seen) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(array_bytes(v, seen) for v in value)
    return 0


def deep_size(value, seen: set[int]) -> int:
    """sys.getsizeof over everything reachable through containers and objects' attributes."""
    import numpy as np

    stack = [value]
    total = 0
    while stack:
        v = stack.pop()
        if id(v) in seen or isinstance(v, type) or callable(v) and not hasattr(v, "__dict__"):
            continue
        seen.add(id(v))
        total += v.nbytes if isinstance(v, np.ndarray) and v.base is None else sys.getsizeof(v)
        if isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, (list, tuple, set, frozenset)):
            stack.extend(v)
        elif isinstance(v, np.ndarray):
            if v.dtype == object:
                stack.extend(v.ravel().tolist())
        elif hasattr(v, "__dict__") and not isinstance(v, type(sys)):
            stack.append(vars(v))
        elif hasattr(v, "__slots__"):
            stack.extend(getattr(v, s) for s in v.__slots__ if hasattr(v, s))
    return total


def caches_report() -> list[str]:
    from meetbook.availability import memo as memo_mod

    lines = []
    seen: set[int] = set()
    for memo in list(memo_mod._BANKS.values()):
        bank_bytes = deep_size(memo.bank, seen)
        lines.append(f"bank snapshot (availability Bank: {len(memo.bank.advisors)} advisors): {bank_bytes / MB:.1f} MB")
        kinds: Counter = Counter()
        sizes: Counter = Counter()
        for key, value in memo._values.items():
            kind = key[0] if isinstance(key[0], str) else type(value).__name__
            kinds[kind] += 1
            sizes[kind] += deep_size(value, seen)
        lines.append(f"memo values: {len(memo._values)} entries, {sum(sizes.values()) / MB:.1f} MB beyond the bank")
        for kind, size in sizes.most_common(8):
            lines.append(f"  {kind!s:40} {kinds[kind]:6} entries {size / MB:7.2f} MB")
        cohort_total = cohort_arrays = 0
        for key, cohort in memo._cohorts.items():
            arrays = array_bytes(cohort, set())
            size = deep_size(cohort, seen)
            cohort_total += size
            cohort_arrays += arrays
            lines.append(f"  cohort {len(cohort.advisors):5} advisors, {len(cohort.open_time)} day ranges: "
                         f"{size / MB:6.2f} MB (numpy {arrays / MB:.2f} MB)")
        lines.append(f"cohorts: {len(memo._cohorts)} kept (at most {memo_mod._COHORTS_KEPT}), {cohort_total / MB:.1f} MB "
                     f"(numpy arrays {cohort_arrays / MB:.1f} MB)")
        others = deep_size(memo, seen)
        lines.append(f"the rest of the bank's memo (group tree, members, caps): {others / MB:.1f} MB")
    return lines


NOT_FOR_A_WORKER = ("caldav", "lxml", "requests", "vobject", "icalendar", "recurring_ical_events", "x_wr_timezone",
                    "babel", "rich", "pygments", "click", "typer", "playwright", "matplotlib", "alembic", "mako")


async def profile(url: str, toks: list[str], paths: list[str], rounds: int, out: list[str]) -> None:
    from bench import inproc

    steps: list[tuple[str, float]] = [("python + bench modules", rss_mb())]
    import meetbook.app  # noqa: F401

    gc.collect()
    steps.append(("meetbook.app imported", rss_mb()))
    imported = tracemalloc.take_snapshot()
    async with inproc.application(url) as app:
        steps.append(("lifespan started", rss_mb()))
        headers = inproc.bearer(toks[0])
        for path in paths[:-1]:
            answer = await inproc.call(app, path, headers, keep_body=False)
            assert answer.status == 200, (answer.status, path)
        gc.collect()
        steps.append(("after the warm-up searches", rss_mb()))
        for _ in range(rounds):
            for path in paths:
                answer = await inproc.call(app, path, headers, keep_body=False)
                assert answer.status == 200, (answer.status, path)
        steps.append(("after every search kind x%d" % rounds, rss_mb()))
        gc.collect()
        steps.append(("after a full collection", rss_mb()))
        searched = tracemalloc.take_snapshot()
        traced, peak = tracemalloc.get_traced_memory()
        out.append("RSS of this process (tracemalloc on, so higher than a worker's):")
        out += [f"  {name:40} {mb:7.1f} MB" for name, mb in steps]
        out.append(f"Python allocations alive (traced): {traced / MB:.1f} MB, peak {peak / MB:.1f} MB")
        out.append("")
        out.append("At import of meetbook.app, by package (traced MB):")
        at_import = by_place(imported, meetbook_detail=False)
        for place, size in at_import.most_common(25):
            out.append(f"  {size / MB:7.2f}  {place}")
        out.append(f"  {sum(at_import.values()) / MB:7.2f}  in all")
        out.append("")
        out.append("Made after the import and still alive after the searches, by place (traced MB):")
        diff: Counter = Counter()
        old = {st.traceback: st.size for st in imported.statistics("traceback")}
        for st in searched.statistics("traceback"):
            grown = st.size - old.get(st.traceback, 0)
            if grown > 0:
                diff[where(st.traceback, meetbook_detail=True)] += grown
        for place, size in diff.most_common(25):
            out.append(f"  {size / MB:7.2f}  {place}")
        out.append(f"  {sum(diff.values()) / MB:7.2f}  in all")
        out.append("")
        out.append("The engine's per-bank caches (sizes of what they reach, the bank counted once):")
        out += ["  " + line for line in caches_report()]
    tops = sorted({name.split(".")[0] for name in sys.modules})
    out.append("")
    out.append(f"{len(sys.modules)} modules imported, {len(tops)} top-level packages; of them a worker that serves "
               "HTTP with no calendar connection may not need: " + ", ".join(t for t in tops if t in NOT_FOR_A_WORKER))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.memory_profile", description=__doc__.split("\n\n")[0])
    p.add_argument("--advisors", type=int, default=2000)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rounds", type=int, default=1, help="every search kind this many times (default 1)")
    p.add_argument("--database-url", help="an already loaded bank (postgresql+psycopg://...) and --paths; "
                   "else a bank is generated, loaded, profiled in a fresh process and dropped")
    p.add_argument("--paths", type=Path, help="a JSON list of the search paths to run, the all-advisors one last")
    args = p.parse_args(argv)
    if args.database_url and args.paths:
        return profile_main(args)

    import json
    import subprocess

    from bench import load, scenarios
    from bench.bankgen import Size, write
    from bench.run import load_database, make_bank
    from bench.servers import Cleanup

    with Cleanup() as cleanup:
        tmp = Path(tempfile.mkdtemp(prefix="meetbook-memprof-"))
        bank = make_bank(Size(args.advisors, args.days), args.seed)
        paths = [scenarios.search_path(**s.params) for s in scenarios.search_specs(bank)]  # "all" last
        (tmp / "paths.json").write_text(json.dumps(paths))
        url = args.database_url
        if url is None:
            write(bank, tmp / "bank.json")
            db_name = f"{load.DB_PREFIX}{os.getpid()}_memprof"
            cleanup.later(f"drop database {db_name}", lambda: load.drop_pg_database(db_name))
            url = load.create_pg_database(db_name).replace("postgresql://", "postgresql+psycopg://", 1)
            load_database(url, bank, tmp / "bank.json", f"PostgreSQL ({db_name})")
        # A fresh process: this one holds the generated bank's garbage.
        return subprocess.run([sys.executable, "-m", "bench.memory_profile", "--advisors", str(args.advisors),
                               "--days", str(args.days), "--rounds", str(args.rounds), "--database-url", url,
                               "--paths", str(tmp / "paths.json")]).returncode


def profile_main(args) -> int:
    import json

    from bench.run import tokens

    started = time.perf_counter()
    paths = json.loads(args.paths.read_text())
    toks = tokens(1)
    gc.collect()
    out: list[str] = []
    tracemalloc.start(30)
    asyncio.run(profile(args.database_url, toks, paths, args.rounds, out))
    tracemalloc.stop()
    print(f"\nmeetbook memory profile: {args.advisors} advisors, {args.days} days, in process "
          f"({time.perf_counter() - started:.0f} s)\n")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
