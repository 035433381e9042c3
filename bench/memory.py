"""Memory of the server's worker processes, read from /proc (Linux; elsewhere nothing is reported).

For each process: RSS and its peak (VmRSS, VmHWM in /proc/<pid>/status), PSS and USS when
/proc/<pid>/smaps_rollup is readable (USS = private clean + private dirty: what the process alone
holds, what stopping it would free), and from /proc/<pid>/smaps the resident memory by what it maps:
the heap and anonymous memory (Python objects, numpy arrays), the interpreter, and each package's
shared libraries (numpy's OpenBLAS, lxml, cryptography...).

`python -m bench.run --only memory` measures a 2,000-advisor bank's workers (bench.run's memory
scenario); `python -m bench.memory_profile` says which Python code holds the heap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
MB = 1024 * 1024
TARGET_MB = 250  # issue: each worker's resident memory with a 2,000-advisor bank


@dataclass
class ProcMemory:
    pid: int
    role: str  # "worker", "supervisor" or "other"
    rss: int  # bytes
    hwm: int  # peak RSS (VmHWM)
    pss: int | None = None
    uss: int | None = None
    swap: int | None = None
    by_mapping: dict[str, int] = field(default_factory=dict)  # resident bytes per kind of mapping

    def as_json(self) -> dict:
        return {"pid": self.pid, "role": self.role, "rss_mb": _mb(self.rss), "hwm_mb": _mb(self.hwm),
                "pss_mb": _mb(self.pss), "uss_mb": _mb(self.uss), "swap_mb": _mb(self.swap),
                "by_mapping_mb": {k: _mb(v) for k, v in self.by_mapping.items()}}


def _mb(n: int | None) -> float | None:
    return None if n is None else round(n / MB, 1)


def _kb_fields(text: str, names: tuple[str, ...]) -> dict[str, int]:
    out = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in names:
            parts = rest.split()
            if parts:
                out[key] = int(parts[0]) * 1024
    return out


_SITE = re.compile(r"/(?:site|dist)-packages/([^/]+)/")
_LIBS = re.compile(r"/(?:site|dist)-packages/([^/.]+?)\.libs/")


def mapping_kind(path: str) -> str:
    """What a line of /proc/<pid>/smaps maps, in a few words: 'heap and anonymous' for the Python
    heap, numpy's arrays and thread stacks; a package's name for its shared libraries; else
    'python, libc, other' (the interpreter, libc, locale files...)."""
    if not path or path.startswith("[heap]") or path.startswith("[anon") or path.startswith("[stack"):
        return "heap and anonymous"
    m = _LIBS.search(path) or _SITE.search(path)
    if m:
        name = m.group(1).split(".")[0].lstrip("_")
        return "numpy" if name in ("numpy", "scipy_openblas64", "numpy_libs") else name
    return "python, libc, other"


def smaps_by_kind(text: str) -> dict[str, int]:
    """Resident bytes per mapping kind, from the text of /proc/<pid>/smaps."""
    out: dict[str, int] = {}
    kind = "heap and anonymous"
    for line in text.splitlines():
        first = line.split(None, 1)[0] if line else ""
        if "-" in first and not first.endswith(":"):  # a mapping's header: range perms offset dev inode [path]
            parts = line.split(None, 5)
            kind = mapping_kind(parts[5].strip() if len(parts) > 5 else "")
        elif first == "Rss:":
            out[kind] = out.get(kind, 0) + int(line.split()[1]) * 1024
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def proc_memory(pid: int, role: str = "other", mappings: bool = True) -> ProcMemory | None:
    """None when the process is gone or /proc is not there."""
    base = PROC / str(pid)
    try:
        status = _kb_fields((base / "status").read_text(), ("VmRSS", "VmHWM", "VmSwap"))
    except OSError:
        return None
    mem = ProcMemory(pid, role, status.get("VmRSS", 0), status.get("VmHWM", 0), swap=status.get("VmSwap"))
    try:
        roll = _kb_fields((base / "smaps_rollup").read_text(), ("Pss", "Private_Clean", "Private_Dirty"))
        mem.pss = roll.get("Pss")
        if "Private_Clean" in roll:
            mem.uss = roll["Private_Clean"] + roll.get("Private_Dirty", 0)
    except OSError:
        pass
    if mappings:
        try:
            mem.by_mapping = smaps_by_kind((base / "smaps").read_text())
        except OSError:
            pass
    return mem


def role_of(pid: int, pgid: int) -> str:
    """uvicorn's supervisor leads the group; its workers are multiprocessing children (spawn)."""
    if pid == pgid:
        return "supervisor"
    try:
        cmd = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "other"
    if "resource_tracker" in cmd:
        return "other"
    return "worker" if "multiprocessing" in cmd or "spawn_main" in cmd else "other"


def group_memory(pgid: int, mappings: bool = True) -> list[ProcMemory]:
    """Every process of the server's process group (bench.servers starts each in its own)."""
    from bench.machine import group_pids

    out = []
    for pid in sorted(group_pids(pgid)):
        mem = proc_memory(pid, role_of(pid, pgid), mappings)
        if mem is not None:
            out.append(mem)
    return out


def workers(mems: list[ProcMemory]) -> list[ProcMemory]:
    """The workers; a single-process server (no supervisor) is its own worker."""
    found = [m for m in mems if m.role == "worker"]
    return found or [m for m in mems if m.role == "supervisor"]


def summary(mems: list[ProcMemory]) -> dict:
    ws = workers(mems)
    return {
        "workers": len(ws),
        "max_rss_mb": _mb(max((m.rss for m in ws), default=0)),
        "max_hwm_mb": _mb(max((m.hwm for m in ws), default=0)),
        "max_uss_mb": _mb(max((m.uss for m in ws if m.uss is not None), default=None)) if any(m.uss is not None for m in ws) else None,
        "processes": [m.as_json() for m in mems],
    }


def table(phases: list[dict]) -> str:
    """One line per (bank, phase, worker): the printed memory section of bench.run."""
    head = ("bank", "phase", "process", "RSS MB", "peak RSS MB", "PSS MB", "USS MB", "heap+anon MB", "largest mapped files (MB)", "<= 250 MB")
    rows = []
    for ph in phases:
        for p in ph["processes"]:
            if p["role"] == "other":
                continue
            files = [(k, v) for k, v in p["by_mapping_mb"].items() if k != "heap and anonymous"][:4]
            ok = "" if p["role"] != "worker" or not ph.get("target") else ("yes" if p["hwm_mb"] <= TARGET_MB else "NO")
            rows.append((ph["bank"], ph["phase"], f"{p['role']} {p['pid']}", _f(p["rss_mb"]), _f(p["hwm_mb"]),
                         _f(p["pss_mb"]), _f(p["uss_mb"]), _f(p["by_mapping_mb"].get("heap and anonymous")),
                         ", ".join(f"{k} {v:.0f}" for k, v in files), ok))
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    right = {3, 4, 5, 6, 7}

    def fmt(cells) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([fmt(head), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)])


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


# -- the scenario -----------------------------------------------------------------------------------

MEMORY_ADVISORS = 2000
ROUNDS = 2  # each search this many times on each connection, one request at a time


def phase(bank: str, name: str, pgid: int, target: bool) -> dict:
    """The server's processes now (RSS, PSS, USS) and their peaks so far (VmHWM)."""
    return {"bank": bank, "phase": name, "target": target, **summary(group_memory(pgid))}


async def search_rounds(port: int, toks: list[str], paths: list[str], connections: int,
                        rounds: int) -> tuple[list[str], dict[str, int]]:
    """Every search on every connection, one request at a time in the whole server (so a peak is
    one request's, not several at once): the kernel spreads the connections over the workers.
    Returns the failures and each path's answer size in bytes."""
    from bench.loadgen import close_all, open_connections

    conns = await open_connections("127.0.0.1", port, connections, lambda i: {"Authorization": "Bearer " + toks[i % len(toks)]})
    failures = []
    sizes: dict[str, int] = {}
    try:
        for _ in range(rounds):
            for path in paths:
                for c in conns:
                    r = await c.send(c.build("GET", path), keep_body=False)
                    if r.status != 200:
                        failures.append(f"{r.status} from {path[:80]}")
                    sizes[path] = r.size
    finally:
        close_all(conns)
    return failures, sizes


def run_memory(args, cleanup, tmp, toks, runner, warm_up) -> tuple[list[dict], list[str]]:
    """The memory scenario: a bank of --memory-advisors (2,000; 20 with --tiny) over the run's days in
    its own database and server; each worker's memory after the warm-up (the same searches as the
    main run's) and after every search kind, the whole bank's all-advisors answer included, has run
    ROUNDS times on each of 8 connections. Returns (phases, failures)."""
    import os

    from bench import load, scenarios
    from bench.bankgen import Size, write
    from bench.progress import Status, say
    from bench.run import load_database, make_bank
    from bench.servers import meetbook_server

    n = args.memory_advisors
    bank = make_bank(Size(n, args.days), args.seed)
    bank_file = tmp / f"bank-memory-{n}.json"
    write(bank, bank_file)
    db_name = f"{load.DB_PREFIX}{os.getpid()}_mem"
    cleanup.later(f"drop database {db_name}", lambda: load.drop_pg_database(db_name))
    url = load.create_pg_database(db_name).replace("postgresql://", "postgresql+psycopg://", 1)
    load_database(url, bank, bank_file, f"PostgreSQL ({db_name})")
    label = f"{n} advisors"
    with Status(f"Starting meetbook serve --workers {args.workers} ({label})"):
        server = cleanup.server(meetbook_server(f"meetbook ({label})", load.meetbook_env(url), args.workers,
                                                tmp / f"server-memory-{n}.log")).start()
    failures: list[str] = []
    phases = [phase(label, "started", server.proc.pid, False)]
    specs = scenarios.search_specs(bank)
    with Status(f"Memory with {label}: warm-up"):
        runner.run(warm_up(server.port, toks, [scenarios.search_path(**s.params) for s in specs if s.key != "all"]))
    phases.append(phase(label, "after warm-up", server.proc.pid, True))
    rounds = 1 if args.tiny else ROUNDS
    with Status(f"Memory with {label}: every search {rounds}x on 8 connections, all-advisors included"):
        failed, sizes = runner.run(search_rounds(server.port, toks, [scenarios.search_path(**s.params) for s in specs], 8, rounds))
    failures += failed
    phases.append(phase(label, "after the searches", server.proc.pid, True))
    phases[-1]["answers"] = {s.name: sizes.get(scenarios.search_path(**s.params)) for s in specs}
    problems, sample = scenarios.log_problems(server, 0)
    if problems:
        failures.append(f"memory ({label}): server log: {problems} error lines, e.g. {sample[0][:120]}")
    cleanup.stop(server)
    load.drop_pg_database(db_name)
    for ph in phases[1:]:
        ws = [p for p in ph["processes"] if p["role"] == "worker"]
        say(f"  {ph['phase']}: workers' RSS " + ", ".join(f"{p['rss_mb']:.0f}" for p in ws)
            + " MB, peak " + ", ".join(f"{p['hwm_mb']:.0f}" for p in ws) + " MB")
    say("  answers: " + "; ".join(f"{name} {scenarios._kb(size or 0)}" for name, size in phases[-1]["answers"].items()))
    return phases, [f"memory ({label}): {f}" for f in failures[:5]]
