"""Where a search's time goes: `python -m bench.profile_search [--scenario bank] [--requests 20]`.

Runs the real application in this process (create_app, its lifespan, its middleware) against a
generated bank on PostgreSQL (on SQLite with --sqlite), and calls it as an ASGI app, so no socket
and no load generator is involved. Two views:

1. Phases, timed without a profiler: the bank snapshot check, the busy-interval read
   (`load_occupancy`, split into the SQL itself, measured straight on psycopg or sqlite3, and the
   rest: the statement's parameters, its rows and building the engine's columns), the engine
   (`SearchPlan.columns`), the JSON (`answer_json_parts`: its fragments; the parts are joined while
   sent, in "the rest"), and everything else in-process
   (routing, auth, parameter parsing, middleware, the session). The HTTP share is what the
   end-to-end p50 of `bench.run` adds on top of the in-process total.
2. cProfile over the same requests, own time summed by module family, and the top functions.
   cProfile inflates pure-Python code more than C code, so use it for where, and view 1 for how much.

`--scenario reserve` profiles reserves; `--scenario booking` the full booking as the benchmark makes
it (a branch search, a reserve of one of its first slots, the create with an Idempotency-Key): CPU
of this process and of the database's backends per step and per booking, the create's phases in
CPU time, and cProfile (CPU time) of the creates.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench import load, scenarios
from bench.bankgen import Size, write
from bench.progress import say
from bench.servers import Cleanup

FAMILIES = (
    ("meetbook/availability/", "engine (availability)"),
    ("meetbook/slots/occupancy", "occupancy (rows -> Claim values)"),
    ("meetbook/slots/service", "slots service + answer_json"),
    ("meetbook/timefmt", "JSON (instant formatting)"),
    ("orjson", "JSON (orjson)"),
    ("meetbook/catalog/snapshot", "snapshot check"),
    ("meetbook/", "meetbook other (routes, auth, middleware, db)"),
    ("sqlalchemy", "SQLAlchemy"),
    ("psycopg", "psycopg (driver)"),
    ("fastapi", "FastAPI/Starlette/Pydantic"),
    ("starlette", "FastAPI/Starlette/Pydantic"),
    ("pydantic", "FastAPI/Starlette/Pydantic"),
    ("jwt", "auth (PyJWT)"),
    ("greenlet", "SQLAlchemy (greenlet)"),
    ("asyncio", "event loop (incl. waiting for PostgreSQL)"),
    ("selectors", "event loop (incl. waiting for PostgreSQL)"),
    ("{method 'poll'", "event loop (incl. waiting for PostgreSQL)"),
    ("epoll", "event loop (incl. waiting for PostgreSQL)"),
    ("{method 'select'", "event loop (incl. waiting for PostgreSQL)"),
)


def family(key: tuple) -> str:
    filename, _line, name = key
    text = filename if filename != "~" else name
    for needle, label in FAMILIES:
        if needle in text:
            return label
    if filename == "~":
        return "builtins (" + name.split(" of ")[0].strip("{<>") + ")" if name.startswith("{") else "builtins"
    return "other Python"


class GCTimer:
    """Time spent in the cyclic garbage collector (gc.callbacks), per generation."""

    def __init__(self) -> None:
        self.by_gen: dict[int, float] = defaultdict(float)
        self.count: dict[int, int] = defaultdict(int)
        self._t0 = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.by_gen[info["generation"]] += time.perf_counter() - self._t0
            self.count[info["generation"]] += 1

    def __enter__(self) -> GCTimer:
        import gc

        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc) -> None:
        import gc

        gc.callbacks.remove(self)


class Timer:
    """Accumulates time of wrapped coroutines/functions per request: wall time, or with
    `clock=time.process_time` this process's CPU time (one request at a time, nothing else running)."""

    def __init__(self, clock=time.perf_counter) -> None:
        self.clock = clock
        self.current: dict[str, float] = defaultdict(float)
        self.samples: list[dict[str, float]] = []

    def wrap_async(self, name: str, fn):
        async def wrapped(*a, **k):
            t0 = self.clock()
            try:
                return await fn(*a, **k)
            finally:
                self.current[name] += self.clock() - t0
        return wrapped

    def wrap(self, name: str, fn):
        def wrapped(*a, **k):
            t0 = self.clock()
            try:
                return fn(*a, **k)
            finally:
                self.current[name] += self.clock() - t0
        return wrapped

    def next(self, total: float) -> None:
        self.current["total"] = total
        self.samples.append(dict(self.current))
        self.current = defaultdict(float)

    def p50(self, name: str) -> float:
        return statistics.median(s.get(name, 0.0) for s in self.samples)


class _Patches:
    """Attributes replaced for the measurement, and put back afterwards."""

    def __init__(self) -> None:
        self._undo: list[tuple[object, str, object]] = []

    def __call__(self, owner, name: str, wrapped) -> None:
        self._undo.append((owner, name, getattr(owner, name)))
        setattr(owner, name, wrapped)

    def restore(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)


def instrument(timer: Timer):
    """Wrap the search's phases with timers; returns a function that undoes it."""
    from meetbook.availability import SearchPlan
    from meetbook.catalog.snapshot import SnapshotCache
    from meetbook.core.http import FastJSON
    from meetbook.slots import service

    patch = _Patches()
    patch(service, "load_occupancy", timer.wrap_async("read (load_occupancy)", service.load_occupancy))
    # rows() and slots() go through columns(); the search route calls columns() then answer_json_parts()
    patch(SearchPlan, "columns", timer.wrap("engine (compute_slots)", SearchPlan.columns))
    patch(service, "answer_json_parts", timer.wrap("JSON (slots_json)", service.answer_json_parts))
    patch(SnapshotCache, "get", timer.wrap_async("snapshot check", SnapshotCache.get))
    patch(FastJSON, "render", timer.wrap("JSON (orjson render)", FastJSON.render))
    return patch.restore


def instrument_reserve(timer: Timer):
    """Wrap the phases of a reserve; returns a function that undoes it."""
    from sqlalchemy.ext.asyncio import AsyncSession

    from meetbook.availability import SearchPlan
    from meetbook.catalog.snapshot import SnapshotCache
    from meetbook.core import db, locks
    from meetbook.reservations import service as reservations
    from meetbook.slots import check

    patch = _Patches()
    patch(check, "pipelined", timer.wrap_async("check: locks and read (one round trip)", check.pipelined))
    patch(SearchPlan, "slots", timer.wrap("check: engine", SearchPlan.slots))
    patch(reservations, "check_before_claiming", timer.wrap_async("check (total)", reservations.check_before_claiming))
    patch(locks, "lock", timer.wrap_async("advisory locks (a room the check picked)", locks.lock))
    patch(SnapshotCache, "get", timer.wrap_async("snapshot check", SnapshotCache.get))
    patch(db.pipeline, "commit", timer.wrap_async("commit (the hold's insert and COMMIT)", db.pipeline.commit))
    patch(AsyncSession, "get", timer.wrap_async("session.get", AsyncSession.get))
    return patch.restore


async def call(app, path: str, headers: list[tuple[bytes, bytes]], method: str = "GET", body: bytes = b"") -> tuple[int, int]:
    from bench.inproc import call as inproc_call

    answer = await inproc_call(app, path, headers, method, body)
    call.last_body = answer.body
    return answer.status, answer.size


async def profile(database_url: str, bank, scenario: str, requests: int, top: int, gc_freeze: bool = False,
                  cprofile: bool = True) -> str:
    from bench import floors
    from bench.run import tokens
    from meetbook.app import create_app
    from meetbook.core.config import Settings

    if scenario == "branch":
        spec = scenarios.SearchSpec("branch", "search: the full booking's (a branch, 7 d, best-slot)", {}, 7, 0, "")
        path = scenarios.booking_search_path(bank, bank.branches[0])
    else:
        spec = next(s for s in scenarios.search_specs(bank) if s.key == scenario)
        path = scenarios.search_path(**spec.params)
    settings = Settings(database_url=database_url, log_level="WARNING", sweep_interval_seconds=0, rate_limits="",
                        dispatch_in_server=False, mail_dir=os.path.join(tempfile.gettempdir(), "meetbook-profile-mail"))
    app = create_app(settings)
    headers = [(b"authorization", b"Bearer " + tokens(1)[0].encode())]
    timer = Timer()
    out = io.StringIO()
    async with app.router.lifespan_context(app):
        for _ in range(3):  # warm-up: snapshot, connection pool, prepared statements
            await call(app, path, headers)
        import gc

        heap = len(gc.get_objects())
        if gc_freeze:
            gc.collect()
            gc.freeze()  # prototype: what the service would gain from freezing its start-up heap
        restore = instrument(timer)
        timer.current.clear()
        status = size = 0
        cpu0 = time.process_time()
        with GCTimer() as gct:
            for _ in range(requests):
                t0 = time.perf_counter()
                status, size = await call(app, path, headers)
                timer.next(time.perf_counter() - t0)
        cpu = (time.process_time() - cpu0) / requests
        if status != 200:
            raise RuntimeError(f"the search answered {status}")
        statements = await floors.capture_request_reads(database_url, path, tokens(1)[0])
        if database_url.startswith("sqlite"):
            sql = floors.sqlite_read_floor(load.sqlite_path(database_url), statements, concurrency=1, duration=2.0,
                                           max_ops=requests)
        else:
            sql = await floors.pg_read_floor(database_url, statements, concurrency=1, duration=2.0, max_ops=requests)
        prof = cProfile.Profile()
        if cprofile:
            prof.enable()
            for _ in range(requests):
                await call(app, path, headers)
            prof.disable()
        restore()
        if gc_freeze:
            gc.unfreeze()

    total = timer.p50("total")
    read = timer.p50("read (load_occupancy)")
    engine = timer.p50("engine (compute_slots)")
    js = timer.p50("JSON (slots_json)") + timer.p50("JSON (orjson render)")
    snap = timer.p50("snapshot check")
    driver = "sqlite3" if database_url.startswith("sqlite") else "psycopg"
    print(f"{spec.name}: {requests} requests in-process, answer {size:,} bytes ({scenarios._kb(size)}); "
          f"{heap:,} objects tracked by the GC after warm-up{' (frozen)' if gc_freeze else ''}", file=out)
    print(f"  in-process total p50        {total * 1000:8.1f} ms  (CPU of this process: {cpu * 1000:.1f} ms per request, "
          f"{'SQLite included' if driver == 'sqlite3' else 'PostgreSQL not included'})", file=out)
    print(f"  snapshot check              {snap * 1000:8.1f} ms", file=out)
    print(f"  busy-interval read          {read * 1000:8.1f} ms  (of which the SQL on {driver}: {sql.p50 * 1000:.1f} ms, "
          f"{sql.extra.get('rows', 0)} rows; the rest (parameters, rows to columns): {(read - sql.p50) * 1000:.1f} ms)", file=out)
    print(f"  engine (compute_slots)      {engine * 1000:8.1f} ms", file=out)
    print(f"  JSON (answer_json_parts)    {js * 1000:8.1f} ms", file=out)
    print(f"  the rest in-process         {(total - read - engine - js - snap) * 1000:8.1f} ms  (routing, auth, query parsing, "
          "middleware, session, customer-type check)", file=out)
    gc_ms = {g: gct.by_gen[g] * 1000 / requests for g in sorted(gct.by_gen)}
    print("  garbage collector (mean, spread over the phases above): " + (", ".join(
        f"gen{g} {ms_:.1f} ms/request ({gct.count[g] / requests:.1f} runs)" for g, ms_ in gc_ms.items()) or "none"), file=out)

    if cprofile:
        print(_families(prof, requests, top), file=out)
    return out.getvalue()


async def profile_reserve(database_url: str, bank, requests: int, top: int, gc_freeze: bool = False,
                          cprofile: bool = True) -> str:
    """POST /bookme/time-slots/reserve on distinct free slots, one at a time, in-process."""
    import gc
    import random
    import uuid

    import orjson

    from bench.run import tokens
    from meetbook.app import create_app
    from meetbook.core.config import Settings

    settings = Settings(database_url=database_url, log_level="WARNING", sweep_interval_seconds=0, rate_limits="",
                        dispatch_in_server=False, mail_dir=os.path.join(tempfile.gettempdir(), "meetbook-profile-mail"))
    app = create_app(settings)
    headers = [(b"authorization", b"Bearer " + tokens(1)[0].encode())]
    spec = next(s for s in scenarios.search_specs(bank) if s.key == "all")
    timer = Timer()
    out = io.StringIO()
    async with app.router.lifespan_context(app):
        status, _ = await call(app, scenarios.search_path(**spec.params), headers)
        slots = orjson.loads(call.last_body)
        targets = scenarios.pick_distinct(slots, set(bank.advisor_ids), 3 * requests + 10, random.Random(3))

        async def reserve(slot) -> int:
            body = orjson.dumps(scenarios.reserve_body(slot, str(uuid.uuid4())))
            return (await call(app, scenarios.RESERVE, headers, "POST", body))[0]

        for slot in targets[:3]:
            await reserve(slot)
        if gc_freeze:
            gc.collect()
            gc.freeze()
        restore = instrument_reserve(timer)
        timer.current.clear()
        statuses = []
        with GCTimer() as gct:
            for slot in targets[3:3 + requests]:
                t0 = time.perf_counter()
                statuses.append(await reserve(slot))
                timer.next(time.perf_counter() - t0)
        restore()
        prof = cProfile.Profile()
        if cprofile:
            prof.enable()
            for slot in targets[3 + requests:3 + 2 * requests]:
                await reserve(slot)
            prof.disable()
        if gc_freeze:
            gc.unfreeze()
    print(f"reserve (POST /bookme/time-slots/reserve): {requests} in-process, statuses {sorted(set(statuses))}", file=out)
    names = sorted({k for s in timer.samples for k in s} - {"total"})
    print(f"  in-process total p50  {timer.p50('total') * 1000:8.1f} ms", file=out)
    for name in names:
        print(f"  {name:<36} {timer.p50(name) * 1000:8.1f} ms", file=out)
    gc_ms = {g: gct.by_gen[g] * 1000 / requests for g in sorted(gct.by_gen)}
    print("  garbage collector: " + (", ".join(f"gen{g} {v:.1f} ms/request" for g, v in gc_ms.items()) or "none"), file=out)
    if cprofile:
        print(_families(prof, requests, top), file=out)
    return out.getvalue()


def instrument_create(timer: Timer):
    """Wrap the phases of a create (POST /bookme/meetings); returns a function that undoes it."""
    from meetbook.catalog.snapshot import SnapshotCache
    from meetbook.core import db, idempotency
    from meetbook.meetings import routes, service

    patch = _Patches()
    patch(idempotency, "pipelined", timer.wrap_async("key, advisor lock, hold (one round trip)", idempotency.pipelined))
    patch(service, "offered_slot", timer.wrap_async("check of the slot (one round trip)", service.offered_slot))
    patch(service, "record_meeting_event", timer.wrap("outbox event", service.record_meeting_event))
    patch(routes.service, "book", timer.wrap_async("book (total)", service.book))
    patch(idempotency, "remember", timer.wrap("idempotency: remember", idempotency.remember))
    patch(SnapshotCache, "get", timer.wrap_async("snapshot check", SnapshotCache.get))
    patch(db.pipeline, "commit", timer.wrap_async("commit (writes and COMMIT, one round trip)", db.pipeline.commit))
    return patch.restore


class _Backends:
    """CPU of the database's backends (the service's pooled connections): jiffies per backend, asked
    on one connection of its own (a connection per look would start and end a backend each time)."""

    def __init__(self, database_url: str) -> None:
        import psycopg

        self._conn = psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)

    def jiffies(self) -> dict[int, int]:
        from bench.machine import process_jiffies

        pids = [r[0] for r in self._conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]
        return {pid: process_jiffies([pid]) for pid in pids}

    @staticmethod
    def used(before: dict[int, int], after: dict[int, int]) -> int:
        """Jiffies used between two looks by the backends seen at both (one that ended meanwhile
        would otherwise count negative)."""
        return sum(after[pid] - before[pid] for pid in after.keys() & before.keys())

    def close(self) -> None:
        self._conn.close()


async def profile_booking(database_url: str, bank, requests: int, top: int, gc_freeze: bool = False,
                          cprofile: bool = True) -> str:
    """The full booking as bench.scenarios.run_booking does it, one at a time, in-process: a branch
    search, a reserve of one of its first slots, and the create with an Idempotency-Key. CPU of
    this process and of the database backends per step; the create's phases; cProfile of creates."""
    import gc
    import random
    import uuid

    import orjson

    from bench.machine import TICK
    from bench.run import tokens
    from meetbook.app import create_app
    from meetbook.core.config import Settings

    settings = Settings(database_url=database_url, log_level="WARNING", sweep_interval_seconds=0, rate_limits="",
                        dispatch_in_server=False, mail_dir=os.path.join(tempfile.gettempdir(), "meetbook-profile-mail"))
    app = create_app(settings)
    headers = [(b"authorization", b"Bearer " + tokens(1)[0].encode())]
    timer = Timer(time.process_time)  # the create's phases in CPU time: its round trips' waits are not its work
    backends = _Backends(database_url)
    steps = ("search", "reserve", "create")
    cpu = {step: 0.0 for step in steps}
    pg = {step: 0 for step in steps}
    out = io.StringIO()
    statuses: dict[str, list[int]] = {step: [] for step in steps}
    rng = random.Random(7)

    # CPU time, not wall: a create waits for the commit's WAL flush, which is not this process's work.
    prof = cProfile.Profile(time.process_time)
    profiling: cProfile.Profile | None = None

    async def step(name: str, path: str, method: str = "GET", body: bytes = b"", extra=()) -> tuple[int, float]:
        """(status, CPU of this process) of one request."""
        j0 = backends.jiffies()
        c0 = time.process_time()
        if profiling is not None and name == "create":
            profiling.enable()
            status = (await call(app, path, [*headers, *extra], method, body))[0]
            profiling.disable()
        else:
            status = (await call(app, path, [*headers, *extra], method, body))[0]
        used = time.process_time() - c0
        cpu[name] += used
        pg[name] += backends.used(j0, backends.jiffies())
        statuses[name].append(status)
        return status, used

    async def booking(timed: bool) -> None:
        path = scenarios.booking_search_path(bank, rng.choice(bank.branches))
        if (await step("search", path))[0] != 200:
            return
        slots = orjson.loads(call.last_body)[:40]
        rng.shuffle(slots)
        for slot in slots[:3]:
            if (await step("reserve", scenarios.RESERVE, "POST", orjson.dumps(scenarios.reserve_body(slot))))[0] == 409:
                continue
            hold = orjson.loads(call.last_body)
            body = orjson.dumps({"bookedBy": "customer", "timeSlotId": hold["id"], "type": slot["meetingType"],
                                 "themeId": bank.general_topic, "employeeId": slot["employeeId"],
                                 "description": "benchmark booking"})
            key = [(b"idempotency-key", str(uuid.uuid4()).encode())]
            _, used = await step("create", scenarios.MEETINGS, "POST", body, key)
            if timed:
                timer.next(used)
            return

    async with app.router.lifespan_context(app):
        for _ in range(5):  # warm-up: snapshot, connection pool, prepared statements
            await booking(False)
        if gc_freeze:
            gc.collect()
            gc.freeze()
        for name in steps:
            cpu[name], pg[name], statuses[name] = 0.0, 0, []
        restore = instrument_create(timer)
        timer.current.clear()
        for _ in range(requests):
            await booking(True)
        restore()
        counted = {name: max(1, len(statuses[name])) for name in steps}
        used = {name: (cpu[name], pg[name] / TICK) for name in steps}  # before the profiled run
        answered = {name: sorted(set(statuses[name])) for name in steps}
        if cprofile:
            profiling = prof  # the creates only: the searches and reserves run unprofiled
            for _ in range(requests):
                await booking(False)
        if gc_freeze:
            gc.unfreeze()
    backends.close()
    creates = counted["create"]
    print(f"full booking, one at a time in-process: {requests} bookings; statuses "
          + ", ".join(f"{name} {answered[name]}" for name in steps), file=out)
    total_cpu = total_pg = 0.0
    for name in steps:
        own, db = used[name]
        ms_cpu, ms_pg = own * 1000 / counted[name], db * 1000 / counted[name]
        per_booking = (own + db) * 1000 / creates
        total_cpu, total_pg = total_cpu + own * 1000 / creates, total_pg + db * 1000 / creates
        print(f"  {name:<8} CPU of this process {ms_cpu:5.1f} ms, of PostgreSQL {ms_pg:5.1f} ms per request "
              f"({counted[name]} requests; {per_booking:5.1f} ms per booking)", file=out)
    print(f"  a booking: {total_cpu + total_pg:5.1f} CPU ms (this process {total_cpu:.1f}, PostgreSQL {total_pg:.1f})", file=out)
    print(f"create (POST /bookme/meetings with an Idempotency-Key), CPU of this process, p50 {timer.p50('total') * 1000:6.2f} ms; "
          "of which (phases overlap: book includes the check)", file=out)
    for name in sorted({k for s in timer.samples for k in s} - {"total"}):
        print(f"  {name:<44} {timer.p50(name) * 1000:6.2f} ms", file=out)
    if cprofile:
        print(_families(prof, creates, top), file=out)
    return out.getvalue()


def _families(prof: cProfile.Profile, requests: int, top: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(prof)
    by_family: dict[str, float] = defaultdict(float)
    for key, (_cc, _nc, tt, _ct, _callers) in stats.stats.items():
        by_family[family(key)] += tt
    whole = sum(by_family.values()) or 1e-9
    print(f"\ncProfile, own time by module family ({requests} requests, {whole * 1000 / requests:.1f} ms per request under the profiler):", file=out)
    for name, tt in sorted(by_family.items(), key=lambda kv: -kv[1])[:14]:
        print(f"  {tt / whole:6.1%}  {tt * 1000 / requests:7.2f} ms  {name}", file=out)
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    print("\nTop functions by own time:", file=out)
    for ln in lines[start:start + top + 1]:
        print("  " + ln.replace(str(Path.cwd()) + "/", "").replace(os.path.dirname(os.__file__), "<stdlib>"), file=out)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.profile_search", description=__doc__.split("\n\n")[0])
    p.add_argument("--advisors", type=int, default=500)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--scenario", choices=("one", "pool", "bank", "all", "branch", "reserve", "booking"), action="append",
                   help="which search, reserve, or booking (the full booking: search, reserve, create; "
                        "repeatable; default: the four searches and reserve)")
    p.add_argument("--requests", type=int, default=20)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--gc-freeze", action="store_true", help="prototype: gc.freeze() after warm-up, as the service could at start-up")
    p.add_argument("--no-cprofile", action="store_true", help="phases only")
    p.add_argument("--database-url", help="an already loaded bench database (skips generating and loading)")
    p.add_argument("--sqlite", action="store_true", help="a freshly loaded SQLite file instead of PostgreSQL (as `make run`)")
    args = p.parse_args(argv)
    which = args.scenario or ["one", "pool", "bank", "all", "reserve"]
    import shutil

    from bench.run import make_bank, pin_source, src_digest

    pinned = pin_source()  # one version of the service for the whole profile
    try:
        say(f"meetbook source {src_digest()}")
        return _main(args, which, make_bank)
    finally:
        if pinned is not None:
            shutil.rmtree(pinned, ignore_errors=True)


def _main(args, which, make_bank) -> int:
    import tempfile

    with Cleanup() as cleanup:
        bank = make_bank(Size(args.advisors, args.days), args.seed)
        url = args.database_url
        if url is None and args.sqlite:
            tmp = Path(tempfile.mkdtemp(prefix="meetbook-profile-"))
            cleanup.later("remove the temporary directory", lambda: __import__("shutil").rmtree(tmp, ignore_errors=True))
            url = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
            write(bank, tmp / "bank.json")
            load.import_bank_file(url, tmp / "bank.json")
            load.insert_activity(url, bank)
        elif url is None:
            name = f"{load.DB_PREFIX}{os.getpid()}_profile"
            cleanup.later(f"drop database {name}", lambda: load.drop_pg_database(name))
            url = load.create_pg_database(name).replace("postgresql://", "postgresql+psycopg://", 1)
            tmp = Path(tempfile.mkdtemp(prefix="meetbook-profile-"))
            cleanup.later("remove the temporary directory", lambda: __import__("shutil").rmtree(tmp, ignore_errors=True))
            write(bank, tmp / "bank.json")
            load.import_bank_file(url, tmp / "bank.json")
            load.insert_activity(url, bank)
        # The standard loop, not uvloop: under cProfile its waiting shows as select/epoll time
        # instead of being charged to whichever coroutine was suspended.
        # The generated rows are in the database now; drop them so this process's heap is like a
        # server worker's (the garbage collector's cost grows with it).
        bank.meetings, bank.holds, bank.claims, bank.document = [], [], [], {}
        import gc

        gc.collect()
        with asyncio.Runner() as runner:
            for key in which:
                say(f"Profiling '{key}' ...")
                if key == "booking":
                    print(runner.run(profile_booking(url, bank, args.requests, args.top, args.gc_freeze, not args.no_cprofile)))
                elif key == "reserve":
                    print(runner.run(profile_reserve(url, bank, args.requests, args.top, args.gc_freeze, not args.no_cprofile)))
                else:
                    print(runner.run(profile(url, bank, key, args.requests, args.top, args.gc_freeze, not args.no_cprofile)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
