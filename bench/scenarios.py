"""The scenarios: searches, reserves (uncontended and contended) and the full booking, each with
the floors it is compared to, measured in the same run."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

import psycopg

from bench import floors
from bench.bankgen import BUFFER_S, SyntheticBank
from bench.loadgen import Connection, Run, close_all, closed_loop, open_connections
from bench.machine import CpuWatch, wait_for_quiet
from bench.progress import Status
from bench.servers import Server

SEARCH = "/bookme/time-slots/available"
RESERVE = "/bookme/time-slots/reserve"
MEETINGS = "/bookme/meetings"
DEFAULT_SIZE = (500, 30)  # the targets are stated for this size


@dataclass
class Row:
    name: str
    db: str
    clients: int
    run: Run
    floor_label: str = ""
    floor_s: float | None = None
    target: str = ""
    ok: bool | None = None
    unit: str = "req"  # what one operation is: a request, or a complete booking
    notes: list[str] = field(default_factory=list)
    unexpected: int = 0  # answers that mean the benchmark itself is wrong (4xx other than an expected 409)
    deadlocks: int | None = None

    @property
    def ratio(self) -> float | None:
        if not self.floor_s or self.floor_s != self.floor_s or not self.run.count:
            return None
        return self.run.p50 / self.floor_s


@dataclass
class Ctx:
    bank: SyntheticBank
    server: Server
    bare_port: int
    db_url: str  # the service's (async) URL
    db: str  # "PostgreSQL" or "SQLite"
    duration: float
    max_ops: int | None  # --tiny: a few operations per scenario
    tokens: list[str]
    search_clients: int
    reserve_clients: int = 64
    race_clients: int = 32
    booking_clients: int = 32
    floor_cache: dict = field(default_factory=dict)
    floor_failures: list[str] = field(default_factory=list)
    quiet_wait: float = 30.0  # seconds to wait for an idle machine before each scenario
    all_slots: list[dict] | None = None
    replica_url: str | None = None  # where its searches read, when not db_url (bench.replica)
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    @property
    def at_default_size(self) -> bool:
        return (self.bank.size.advisors, self.bank.size.days) == DEFAULT_SIZE

    @property
    def floor_duration(self) -> float:
        return max(1.0, self.duration * 0.4) if self.max_ops is None else 0.5

    def auth(self, i: int) -> dict[str, str]:
        return {"Authorization": "Bearer " + self.tokens[i % len(self.tokens)]}

    async def connections(self, n: int) -> list[Connection]:
        return await open_connections("127.0.0.1", self.server.port, n, self.auth)


def search_path(**params) -> str:
    return SEARCH + "?" + urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)


def days_text(days: int) -> str:
    return f"{days}.00:00:00"


def _epoch(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


# -- floors, cached per (kind, parameters, clients) -----------------------------------------------


async def read_floor(ctx: Ctx, path: str, clients: int) -> Run:
    """The busy-interval reads this search issues, straight on the database, same concurrency."""
    key = ("read", ctx.db, path, clients)
    if key not in ctx.floor_cache:
        statements = await floors.capture_request_reads(ctx.db_url, path, ctx.tokens[0])
        if ctx.db == "SQLite":
            from bench.load import sqlite_path

            run = await asyncio.to_thread(floors.sqlite_read_floor, sqlite_path(ctx.db_url), statements,
                                          concurrency=clients, duration=ctx.floor_duration, max_ops=ctx.max_ops)
        else:
            run = await floors.pg_read_floor(ctx.replica_url or ctx.db_url, statements, concurrency=clients,
                                             duration=ctx.floor_duration,
                                             max_ops=ctx.max_ops)
        _floor_failed(ctx, run, f"read floor {path[:60]}")
        ctx.floor_cache[key] = run
    return ctx.floor_cache[key]


def _floor_failed(ctx: Ctx, run: Run, what: str) -> None:
    if run.failures or not run.count:
        ctx.floor_failures.append(f"{what} [{ctx.db}]: " + (run.failures[0] if run.failures else "no measurement"))


async def json_floor(ctx: Ctx, size: int, clients: int) -> Run:
    key = ("json", size, clients)
    if key not in ctx.floor_cache:
        ctx.floor_cache[key] = await floors.bare_floor(ctx.bare_port, size, concurrency=clients,
                                                       duration=ctx.floor_duration, max_ops=ctx.max_ops)
        _floor_failed(ctx, ctx.floor_cache[key], f"JSON floor {size} B")
    return ctx.floor_cache[key]


async def write_floor(ctx: Ctx, clients: int) -> Run:
    key = ("write", clients)
    if key not in ctx.floor_cache:
        ctx.floor_cache[key] = await floors.pg_write_floor(
            ctx.db_url, ctx.bank.advisor_ids, concurrency=clients, duration=ctx.floor_duration, max_ops=ctx.max_ops)
        _floor_failed(ctx, ctx.floor_cache[key], "write floor")
    return ctx.floor_cache[key]


# -- helpers ------------------------------------------------------------------------------------


def log_problems(server: Server, since: int) -> tuple[int, list[str]]:
    """New server log lines that show trouble (tracebacks, deadlocks, database errors)."""
    text = server.log_text()[since:]
    needles = ("Traceback", "40P01", "deadlock", "database error", "unhandled error", "ERROR")
    hits = [line for line in text.splitlines() if any(n in line for n in needles)]
    return len(hits), hits[:3]


def pg_deadlocks(db_url: str) -> int:
    url = db_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        return conn.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()").fetchone()[0]


async def quiet(ctx: Ctx) -> float | None:
    """Wait (bounded) for the machine to be idle before measuring; the busy share seen."""
    if ctx.quiet_wait <= 0:
        return None
    return await asyncio.to_thread(wait_for_quiet, 0.25, ctx.quiet_wait)


def watch(ctx: Ctx) -> CpuWatch:
    w = CpuWatch(ctx.server.proc.pid if ctx.server.proc else None, ctx.db_url, ctx.replica_url)
    w.start()
    return w


def cpu_ms_per_op(run: Run) -> float | None:
    """CPU milliseconds the service (its processes and its database backends) spent per operation."""
    cpu = run.extra.get("cpu")
    if not cpu or not run.count or "server_cpu_s" not in cpu:
        return None
    return (cpu["server_cpu_s"] + cpu["pg_cpu_s"]) * 1000 / run.count


def record_cpu(run: Run, w: CpuWatch, busy_before: float | None) -> None:
    run.extra["cpu"] = w.stop()
    run.extra["busy_before"] = busy_before


async def measure(ctx: Ctx, label: str, conns: list[Connection], op, *, max_ops: int | None = None,
                  warmup_ops: int = 1) -> Run:
    busy = await quiet(ctx)
    with Status(f"  {label}") as status:
        w = watch(ctx)
        run = await closed_loop(
            conns, op, duration=ctx.duration, max_ops=max_ops if max_ops is not None else ctx.max_ops,
            warmup_ops=warmup_ops, on_progress=lambda r: status.show(f"{r.count} done"),
        )
        record_cpu(run, w, busy)
        status.show(f"{run.count} done, p50 {run.p50 * 1000:.1f} ms, {run.throughput:.0f}/s")
    return run


def _check(row: Row, expected: set[int]) -> None:
    run = row.run
    row.unexpected = sum(n for s, n in run.statuses.items() if s < 500 and s not in expected)
    if row.unexpected:
        row.notes.append("unexpected answers: " + ", ".join(f"{s}x{n}" for s, n in sorted(run.statuses.items()) if s not in expected))
    if run.server_errors:
        row.notes.append(f"5xx: {run.server_errors}")
    if run.failures:
        row.notes.append(f"load generator failures: {len(run.failures)} ({run.failures[0]})")


# -- searches -------------------------------------------------------------------------------------


@dataclass
class SearchSpec:
    key: str
    name: str
    params: dict
    days: int
    target_ms: float | None
    target_text: str
    floor_factor: float | None = None  # p50 must also be <= factor x floor


def search_specs(bank: SyntheticBank) -> list[SearchSpec]:
    days = bank.size.days
    topic = bank.general_topic
    pool_days = min(14, days)
    return [
        SearchSpec("one", "search: one advisor, 7 d", dict(requireEmployeeParticipation="true",
                   explicitEmployeeIds=bank.one_advisor, lookForwardTime=days_text(min(7, days)), topic=topic),
                   min(7, days), 5, "p50 <= 5 ms"),
        SearchSpec("pool", f"search: local pool ({bank.pool_size} advisors), {pool_days} d, best-slot",
                   dict(requireEmployeeParticipation="true", employeeTypes="Local", customerLocation=bank.pool_branch,
                        lookForwardTime=days_text(pool_days), topic=topic, getBestTimeSlots="true"),
                   pool_days, 15, "p50 <= 15 ms"),
        SearchSpec("bank", f"search: whole bank ({bank.size.advisors}), {days} d, best-slot",
                   dict(requireEmployeeParticipation="true", lookForwardTime=days_text(days), topic=topic,
                        getBestTimeSlots="true"),
                   days, 60, "p50 <= 60 ms, <= 1.6x floor", floor_factor=1.6),
        SearchSpec("all", f"search: whole bank ({bank.size.advisors}), {days} d, all advisors",
                   dict(requireEmployeeParticipation="true", lookForwardTime=days_text(days), topic=topic,
                        getBestTimeSlots="false"),
                   days, 60, "p50 <= 60 ms"),
    ]


async def run_search(ctx: Ctx, spec: SearchSpec) -> Row:
    path = search_path(**spec.params)
    clients = ctx.search_clients
    conns = await ctx.connections(clients)
    keep_body = spec.key == "all" and ctx.db == "PostgreSQL"
    kept: list[bytes] = []

    async def op(conn: Connection, _i: int, run: Run) -> None:
        raw = conn.build("GET", path)
        keep = keep_body and not kept  # the body once (the reserve scenarios pick slots from it), else only its size
        t0 = time.perf_counter()
        r = await conn.send(raw, keep_body=keep)
        run.latencies.append(time.perf_counter() - t0)
        run.statuses[r.status] += 1
        if r.status == 200:
            run.body_bytes = r.size
            if keep:
                kept.append(r.body)

    log_at = len(ctx.server.log_text())
    label = f"{spec.name} [{ctx.db}]"
    try:
        run = await measure(ctx, label, conns, op)
    finally:
        close_all(conns)
    row = Row(spec.name, ctx.db, clients, run, target=spec.target_text if ctx.db == "PostgreSQL" else "")
    if kept:
        import orjson

        ctx.all_slots = orjson.loads(kept[0])
    _check(row, {200})
    problems, sample = log_problems(ctx.server, log_at)
    if problems:
        row.notes.append(f"server log: {problems} error lines, e.g. {sample[0][:120]}")
    if run.count:
        read = await read_floor(ctx, path, clients)
        body = await json_floor(ctx, run.body_bytes, clients)
        row.floor_s = read.p50 + body.p50
        rows_read = read.extra.get("rows", 0)
        row.floor_label = f"read {read.p50 * 1000:.1f} ({rows_read} rows) + JSON {body.p50 * 1000:.1f} ({_kb(run.body_bytes)})"
        if ctx.db == "PostgreSQL" and ctx.at_default_size and spec.target_ms is not None:
            row.ok = run.p50 * 1000 <= spec.target_ms and (spec.floor_factor is None or run.p50 <= spec.floor_factor * row.floor_s)
    return row


def _kb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB" if n >= 1e3 else f"{n} B"


async def ensure_all_slots(ctx: Ctx) -> list[dict]:
    """Every slot of the whole bank (no best-slot selection), for picking reserve targets."""
    if ctx.all_slots is None:
        spec = next(s for s in search_specs(ctx.bank) if s.key == "all")
        conn = (await ctx.connections(1))[0]
        try:
            r = await conn.get(search_path(**spec.params))
        finally:
            conn.close()
        if r.status != 200:
            raise RuntimeError(f"could not list the bank's slots: {r.status} {r.body[:200]!r}")
        ctx.all_slots = r.json()
    return ctx.all_slots


# -- reserves -------------------------------------------------------------------------------------


def _cells(start: int, end: int) -> range:
    """15-minute cells covering a claim [start, end + buffer)."""
    return range(start // 900, (end + BUFFER_S + 899) // 900)


def pick_distinct(slots: list[dict], advisors: set[str], limit: int, rng: random.Random) -> list[dict]:
    """Slots of these advisors that can all be held at once: no two overlap (with the buffer) on
    one advisor or one room. Shuffled, so concurrent clients hit different advisors."""
    taken: set[tuple[str, int]] = set()
    chosen = []
    for s in sorted(slots, key=lambda s: (s["employeeId"], s["startDate"], s["meetingType"])):
        if s["employeeId"] not in advisors:
            continue
        start, end = _epoch(s["startDate"]), _epoch(s["endDate"])
        keys = [(s["employeeId"], c) for c in _cells(start, end)]
        if s["roomId"]:
            keys += [(s["roomId"], c) for c in _cells(start, end)]
        if any(k in taken for k in keys):
            continue
        taken.update(keys)
        chosen.append(s)
    rng.shuffle(chosen)
    return chosen[:limit] if limit else chosen


def reserve_body(slot: dict, token: str | None = None) -> dict:
    return {
        "timeSlot": {"startDate": slot["startDate"], "endDate": slot["endDate"], "status": "Reserved",
                     "employeeId": slot["employeeId"], "roomId": slot["roomId"]},
        "token": token or str(uuid.uuid4()),
    }


def _split_advisors(ctx: Ctx) -> tuple[set[str], set[str]]:
    """Advisors for the uncontended reserves, and (disjoint) for the races."""
    ids = sorted(ctx.bank.advisor_ids)
    race = set(ids[::5])
    return set(ids) - race, race


def race_rooms(slots: list[dict]) -> set[str]:
    """Rooms only the races use. Rooms are shared between advisors: a room the uncontended reserves
    still hold made a race round that nobody could win (3 of 87 rounds on d2e4fd5)."""
    rooms = sorted({s["roomId"] for s in slots if s["roomId"]})
    return set(rooms[::5])


async def run_reserve_uncontended(ctx: Ctx) -> Row:
    slots = await ensure_all_slots(ctx)
    free_advisors, _ = _split_advisors(ctx)
    raced = race_rooms(slots)
    targets = pick_distinct([s for s in slots if s["roomId"] not in raced], free_advisors, 0, ctx.rng)
    clients = ctx.reserve_clients if ctx.max_ops is None else min(ctx.reserve_clients, 8)
    conns = await ctx.connections(clients)
    bodies = iter(targets)

    async def op(conn: Connection, _i: int, run: Run) -> None:
        slot = next(bodies, None)
        if slot is None:
            raise _Exhausted()
        raw = conn.build("POST", RESERVE, _dumps(reserve_body(slot)))
        t0 = time.perf_counter()
        r = await conn.send(raw)
        run.latencies.append(time.perf_counter() - t0)
        run.statuses[r.status] += 1
        run.body_bytes = len(r.body)

    before = pg_deadlocks(ctx.db_url)
    log_at = len(ctx.server.log_text())
    try:
        run = await measure(ctx, f"reserve, uncontended, {clients} clients [{ctx.db}]", conns, op,
                            max_ops=max(0, min(len(targets) - clients, ctx.max_ops or 10**9)))
    finally:
        close_all(conns)
    run.failures = [f for f in run.failures if "_Exhausted" not in f]
    row = Row(f"reserve: uncontended, {clients} clients (distinct slots)", ctx.db, clients, run,
              target="CPU/op <= 2x the bare write's")
    _check(row, {200})
    if run.statuses.get(409):
        row.notes.append(f"409 on distinct free slots: {run.statuses[409]}")
    await asyncio.sleep(1.2)
    row.deadlocks = pg_deadlocks(ctx.db_url) - before
    problems, _ = log_problems(ctx.server, log_at)
    if problems:
        row.notes.append(f"server log: {problems} error lines")
    row.notes.append(f"{len(targets)} distinct free slots available")
    if run.count:
        write = await write_floor(ctx, clients)
        body = await json_floor(ctx, run.body_bytes or 400, clients)
        row.floor_s = write.p50 + body.p50
        write_cpu = write.extra.get("cpu_ms_per_op")
        row.floor_label = (f"write {write.p50 * 1000:.1f} ({write.throughput:.0f}/s"
                           + (f", {write_cpu:.2f} CPU ms" if write_cpu else "") + f") + JSON {body.p50 * 1000:.1f}")
        cpu = cpu_ms_per_op(run)
        if cpu is not None and write_cpu:
            row.notes.append(f"CPU per reserve {cpu:.2f} ms = {cpu / write_cpu:.1f}x the bare write's {write_cpu:.2f} ms")
        if ctx.at_default_size:
            row.ok = cpu is not None and bool(write_cpu) and cpu <= 2 * write_cpu and not run.server_errors
    return row


class _Exhausted(Exception):
    pass


def _dumps(obj) -> bytes:
    import orjson

    return orjson.dumps(obj)


def race_targets(slots: list[dict], advisors: set[str], rounds: int) -> list[tuple[dict, dict]]:
    """Pairs of overlapping slots (same advisor, start and start + 30 min), far apart from each
    other; half of them need a room, so two resources are locked and claimed."""
    by_key = {(s["employeeId"], s["startDate"], s["meetingType"]): s for s in slots if s["employeeId"] in advisors}
    pairs_room, pairs_plain = [], []
    taken: set[tuple[str, int]] = set()
    for s in sorted(by_key.values(), key=lambda s: (s["startDate"], s["employeeId"])):
        start = _epoch(s["startDate"])
        later = dt.datetime.fromtimestamp(start + 1800, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        other = by_key.get((s["employeeId"], later, s["meetingType"]))
        if other is None or other["roomId"] != s["roomId"]:
            continue
        end = _epoch(other["endDate"])
        keys = [(s["employeeId"], c) for c in _cells(start, end)]
        if s["roomId"]:
            keys += [(s["roomId"], c) for c in _cells(start, end)]
        if any(k in taken for k in keys):
            continue
        taken.update(keys)
        (pairs_room if s["roomId"] else pairs_plain).append((s, other))
    out = []
    while (pairs_room or pairs_plain) and len(out) < rounds:
        for pool in (pairs_room, pairs_plain):
            if pool and len(out) < rounds:
                out.append(pool.pop(0))
    return out


async def run_reserve_race(ctx: Ctx) -> Row:
    """Rounds: every client at once reserves one of two overlapping slots (same advisor, half an
    hour apart, often with the same room). Exactly one may win each round."""
    slots = await ensure_all_slots(ctx)
    _, race_advisors = _split_advisors(ctx)
    clients = ctx.race_clients if ctx.max_ops is None else min(ctx.race_clients, 8)
    raced = race_rooms(slots)
    targets = race_targets([s for s in slots if s["roomId"] is None or s["roomId"] in raced], race_advisors, 100_000)
    conns = await ctx.connections(clients)
    run = Run()
    rounds = no_winner = double = 0
    log_at = len(ctx.server.log_text())
    before = pg_deadlocks(ctx.db_url)

    async def one(conn: Connection, slot: dict) -> int:
        raw = conn.build("POST", RESERVE, _dumps(reserve_body(slot)))
        t0 = time.perf_counter()
        try:
            r = await conn.send(raw)
        except Exception as exc:  # noqa: BLE001
            run.failures.append(f"{type(exc).__name__}: {exc}")
            conn.close()
            return -1
        run.latencies.append(time.perf_counter() - t0)
        run.statuses[r.status] += 1
        if r.status == 200:
            run.body_bytes = len(r.body)
        return r.status

    label = f"reserve, {clients} clients racing [{ctx.db}]"
    max_rounds = ctx.max_ops if ctx.max_ops is not None else len(targets)
    try:
        # warm-up: one request per connection on slots nobody races for
        warm = targets[-clients:] if len(targets) > max_rounds + clients else []
        await asyncio.gather(*(one(c, w[0]) for c, w in zip(conns, warm)))
        run = Run()
        busy = await quiet(ctx)
        with Status(f"  {label}") as status:
            w = watch(ctx)
            started, cpu0 = time.perf_counter(), time.process_time()
            deadline = started + ctx.duration
            for pair in targets[:max_rounds]:
                if time.perf_counter() > deadline and rounds:
                    break
                results = await asyncio.gather(*(one(c, pair[i % 2]) for i, c in enumerate(conns)))
                rounds += 1
                wins = sum(1 for s in results if s == 200)
                no_winner += wins == 0
                double += wins > 1
                status.show(f"{rounds} rounds, {run.count} requests")
            run.elapsed = time.perf_counter() - started
            run.cpu = time.process_time() - cpu0
            record_cpu(run, w, busy)
            status.show(f"{rounds} rounds, p50 {run.p50 * 1000:.1f} ms, p99 {run.p99 * 1000:.1f} ms")
    finally:
        close_all(conns)
    row = Row(f"reserve: {clients} clients racing for the same slots", ctx.db, clients, run,
              target="0 deadlocks, 0 5xx, p99 <= 100 ms")
    _check(row, {200, 409})
    await asyncio.sleep(1.2)
    row.deadlocks = pg_deadlocks(ctx.db_url) - before
    problems, sample = log_problems(ctx.server, log_at)
    row.notes.append(f"{rounds} rounds: {run.statuses.get(200, 0)} won, {run.statuses.get(409, 0)} x 409, "
                     f"{row.deadlocks} deadlocks (pg_stat_database), {problems} server log error lines")
    if no_winner:
        row.notes.append(f"{no_winner} rounds without a winner")
    if double:
        row.notes.append(f"DOUBLE BOOKING: {double} rounds with more than one winner")
        row.unexpected += double
    if run.count:
        write = await write_floor(ctx, clients)
        body = await json_floor(ctx, run.body_bytes or 400, clients)
        row.floor_s = write.p50 + body.p50
        row.floor_label = f"write {write.p50 * 1000:.1f} + JSON {body.p50 * 1000:.1f}"
        if ctx.at_default_size:
            row.ok = row.deadlocks == 0 and not run.server_errors and run.p99 <= 0.100 and not double
    return row


# -- the full booking ---------------------------------------------------------------------------


def booking_search_path(bank: SyntheticBank, branch: str) -> str:
    """The full booking's search: any advisor who can meet at the branch, 7 days, best slots."""
    return search_path(requireEmployeeParticipation="true", customerLocation=branch, lookForwardTime=days_text(min(7, bank.size.days)),
                       topic=bank.general_topic, getBestTimeSlots="true")


async def run_booking(ctx: Ctx) -> Row:
    """search (a branch, 7 days, best slots) -> reserve a random one of the first slots -> book it.
    One operation is one complete booking; a 409 on reserve tries another slot (up to 3)."""
    bank = ctx.bank
    clients = ctx.booking_clients if ctx.max_ops is None else min(ctx.booking_clients, 4)
    days = min(7, bank.size.days)
    conns = await ctx.connections(clients)
    steps = {"search": [], "reserve": [], "book": []}
    counts = {"conflicts": 0, "gave_up": 0, "search_bytes": 0}

    async def timed(run: Run, step: str, conn: Connection, raw: bytes):
        t0 = time.perf_counter()
        r = await conn.send(raw)
        steps[step].append(time.perf_counter() - t0)
        run.statuses[r.status] += 1
        return r

    def booking_search(branch: str) -> str:
        return booking_search_path(bank, branch)

    async def op(conn: Connection, i: int, run: Run) -> None:
        rng = random.Random(i)
        t0 = time.perf_counter()
        path = booking_search(rng.choice(bank.branches))
        r = await timed(run, "search", conn, conn.build("GET", path))
        if r.status != 200:
            return
        counts["search_bytes"] = len(r.body)
        slots = r.json()[:40]
        rng.shuffle(slots)
        for slot in slots[:3]:
            r = await timed(run, "reserve", conn, conn.build("POST", RESERVE, _dumps(reserve_body(slot))))
            if r.status == 409:
                counts["conflicts"] += 1
                continue
            if r.status != 200:
                return
            hold = r.json()
            body = {"bookedBy": "customer", "timeSlotId": hold["id"], "type": slot["meetingType"],
                    "themeId": bank.general_topic, "employeeId": slot["employeeId"], "description": "benchmark booking"}
            r = await timed(run, "book", conn, conn.build("POST", MEETINGS, _dumps(body), {"Idempotency-Key": str(uuid.uuid4())}))
            if r.status == 201:
                run.latencies.append(time.perf_counter() - t0)
                run.body_bytes = len(r.body)
            elif r.status == 409:
                counts["conflicts"] += 1
            return
        counts["gave_up"] += 1

    log_at = len(ctx.server.log_text())
    before = pg_deadlocks(ctx.db_url)
    try:
        run = await measure(ctx, f"full booking, {clients} clients [{ctx.db}]", conns, op, warmup_ops=1)
    finally:
        close_all(conns)
    row = Row(f"full booking (search {days} d + reserve + create), {clients} clients", ctx.db, clients, run,
              target="CPU/booking <= 12 ms", unit="booking")
    _check(row, {200, 201, 409})
    await asyncio.sleep(1.2)
    row.deadlocks = pg_deadlocks(ctx.db_url) - before
    problems, _ = log_problems(ctx.server, log_at)
    med = {k: (sorted(v)[len(v) // 2] * 1000 if v else float("nan")) for k, v in steps.items()}
    row.notes.append(f"step p50: search {med['search']:.1f} ms, reserve {med['reserve']:.1f} ms, create {med['book']:.1f} ms; "
                     f"{counts['conflicts']} x 409, {counts['gave_up']} gave up, {problems} server log error lines")
    if run.count:
        read = await read_floor(ctx, booking_search(bank.branches[0]), min(clients, floors.MAX_DB_CONNECTIONS))
        search_json = await json_floor(ctx, counts["search_bytes"] or 1000, clients)
        write = await write_floor(ctx, clients)
        small = await json_floor(ctx, 500, clients)
        row.floor_s = read.p50 + search_json.p50 + 2 * (write.p50 + small.p50)
        row.floor_label = (f"read {read.p50 * 1000:.1f} + JSON {search_json.p50 * 1000:.1f} + "
                           f"2 x (write {write.p50 * 1000:.1f} + JSON {small.p50 * 1000:.1f})")
        if ctx.at_default_size:
            row.ok = (cpu := cpu_ms_per_op(run)) is not None and cpu <= 12 and not run.server_errors
    return row
