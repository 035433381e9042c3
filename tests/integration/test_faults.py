"""Faults survived: the database restarting while bookings flow (a private PostgreSQL cluster, started
and stopped here), and a server process killed with SIGKILL mid-traffic."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import create_engine, text

from meetbook.core.db import sync_url
from tests import bankdata as b
from tests.conftest import fresh_database
from tests.integration.test_race_two_processes import ALL_DAY, _claims_overlap, _free_port, _headers

pytestmark = pytest.mark.slow
TIMEOUT = 15  # seconds: an answer later than this counts as a hang


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres(*command: str) -> list[str]:
    """PostgreSQL's tools refuse to run as root: as root they run as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


class Cluster:
    """A PostgreSQL cluster of its own: its data directory in /tmp, its own port, trust authentication."""

    def __init__(self, bin_dir: Path, root: Path, port: int):
        self.bin, self.root, self.port = bin_dir, root, port
        self.data, self.log = root / "data", root / "server.log"

    def _ctl(self, *args: str) -> None:
        subprocess.run(_as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), *args), check=True, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def init(self) -> None:
        subprocess.run(_as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync"),
                       check=True, timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl("-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "immediate") -> None:
        self._ctl("-m", mode, "-w", "-t", "60", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bin_dir = _pg_bin()
    if bin_dir is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.skip("no PostgreSQL server installed (initdb, pg_ctl)")
    root = Path(tempfile.mkdtemp(prefix="meetbook-pg-", dir="/tmp"))
    root.chmod(0o777)  # the postgres user writes its data directory and socket here
    pg = Cluster(bin_dir, root, _free_port())
    pg.init()
    pg.start()
    try:
        with psycopg.connect(pg.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE meetbook")
        yield pg
    finally:
        try:
            pg.stop("immediate")
        except subprocess.SubprocessError:
            pass  # already stopped by the test
        shutil.rmtree(root, ignore_errors=True)


def _load_bank(url: str) -> None:
    from meetbook.bankfile.service import import_bank, parse
    from meetbook.core.db import make_engine, make_sessionmaker, unit_of_work

    document = b.bank(employeeSchedules=[{"employeeId": e, "workdays": ALL_DAY} for e in (b.ANNA, b.BO, b.CARL)])

    async def load():
        engine = make_engine(url)
        try:
            async with unit_of_work(make_sessionmaker(engine)) as session:
                await import_bank(session, parse(document))
        finally:
            await engine.dispose()

    asyncio.run(load())


@contextmanager
def _servers(url: str, folder: Path, count: int) -> Iterator[list[tuple[str, subprocess.Popen]]]:
    env = {**os.environ, "MEETBOOK_DATABASE_URL": url, "MEETBOOK_ENVIRONMENT": "development", "MEETBOOK_LOG_LEVEL": "WARNING",
           "MEETBOOK_MAIL_DIR": str(folder / "mail")}
    ports = [_free_port() for _ in range(count)]
    logs = [(folder / f"server-{p}.log").open("wb") for p in ports]
    servers = [subprocess.Popen([sys.executable, "-m", "uvicorn", "meetbook.asgi:app", "--port", str(p), "--log-level", "warning"],
                                env=env, stdout=log, stderr=subprocess.STDOUT) for p, log in zip(ports, logs, strict=True)]
    try:
        deadline = time.monotonic() + 30
        for port in ports:
            while not _ready(f"http://127.0.0.1:{port}"):
                assert time.monotonic() < deadline, "a server did not start"
                time.sleep(0.1)
        yield [(f"http://127.0.0.1:{p}", s) for p, s in zip(ports, servers, strict=True)]
    finally:
        for server in servers:
            if server.poll() is None:
                server.terminate()
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        for log in logs:
            log.close()


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _slots(base: str) -> list[dict]:
    """Free one-hour slots from tomorrow on, every advisor, none overlapping another of the same advisor."""
    start = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(time.time() + 86400))
    out = []
    for employee in (b.ANNA, b.BO, b.CARL):
        response = httpx.get(f"{base}/bookme/time-slots/available", headers=_headers(), timeout=TIMEOUT, params={
            "requireEmployeeParticipation": "false", "explicitEmployeeIds": employee, "meetingTypes": "online", "startDate": start,
            "lookForwardTime": "4.00:00:00"})
        assert response.status_code == 200, response.text
        out += response.json()[::2]
    return out


class Traffic:
    """Threads booking one slot after another (reserve, then book) until stopped; every answer kept."""

    def __init__(self, bases: list[str], slots: list[dict], threads: int = 4):
        self.bases, self.slots, self.lock = bases, list(slots), threading.Lock()
        self.answers: list[tuple[float, str, str, int | str]] = []  # (time, base, step, status or error)
        self.booked: list[str] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *_):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=TIMEOUT * 3)
        assert not any(t.is_alive() for t in self.threads), "a client is stuck"

    def _note(self, base: str, step: str, status) -> None:
        with self.lock:
            self.answers.append((time.monotonic(), base, step, status))

    def _post(self, base: str, step: str, path: str, body: dict, headers: dict) -> httpx.Response | None:
        try:
            response = httpx.post(base + path, json=body, headers=headers, timeout=TIMEOUT)
        except httpx.TimeoutException:
            self._note(base, step, "timeout")
            return None
        except httpx.TransportError as exc:  # the server process is gone
            self._note(base, step, type(exc).__name__)
            time.sleep(0.05)
            return None
        self._note(base, step, response.status_code)
        return response

    def _run(self, i: int) -> None:
        n = 0
        while not self.stop.is_set():
            with self.lock:
                if not self.slots:
                    return
                slot = self.slots.pop()
            base = self.bases[(i + n) % len(self.bases)]
            n += 1
            headers = _headers()
            timeslot = {**{k: slot[k] for k in ("startDate", "endDate", "employeeId")}, "status": "Reserved"}
            hold = self._post(base, "reserve", "/bookme/time-slots/reserve", {"timeSlot": timeslot, "token": str(uuid.uuid4())}, headers)
            if hold is None or hold.status_code != 200:
                time.sleep(0.05)
                continue
            body = {"bookedBy": "customer", "timeSlotId": hold.json()["id"], "type": "online", "topicId": b.T_HOUSING,
                    "employeeId": slot["employeeId"]}
            meeting = self._post(base, "book", "/bookme/meetings", body, headers)
            if meeting is not None and meeting.status_code == 201:
                with self.lock:
                    self.booked.append(meeting.json()["id"])

    def statuses(self, base: str | None = None, since: float = 0.0) -> list:
        with self.lock:
            return [s for t, b_, _, s in self.answers if t >= since and (base is None or b_ == base)]


def _scalar(url: str, query: str):
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(text(query)).scalar_one()
    finally:
        engine.dispose()


def _consistent(url: str, booked: list[str]) -> None:
    """Every acknowledged booking is stored; no claims overlap; no hold or booked meeting without its claims."""
    stored = _scalar(url, "SELECT count(*) FROM meetings WHERE id IN (" + ",".join(f"'{m}'" for m in booked) + ")") if booked else 0
    assert stored == len(booked), f"{len(booked) - stored} acknowledged booking(s) lost"
    assert _claims_overlap(url) == 0
    assert _scalar(url, "SELECT count(*) FROM holds h WHERE NOT EXISTS (SELECT 1 FROM claims c WHERE c.hold_id = h.id)") == 0
    assert _scalar(url, "SELECT count(*) FROM meetings m WHERE m.status = 'Booked' AND NOT EXISTS "
                        "(SELECT 1 FROM claims c WHERE c.meeting_id = m.id)") == 0


def _verify_audit(url: str) -> None:
    from meetbook.core.db import run_in_transaction
    from meetbook.tables.audit import verify_chain

    verdict = asyncio.run(run_in_transaction(url, verify_chain))
    assert verdict.problem is None, verdict.problem


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_the_database_restarts_while_bookings_flow(cluster, tmp_path):
    from meetbook.migrate import upgrade

    url = cluster.url("meetbook").replace("postgresql://", "postgresql+psycopg://")
    upgrade(url)
    _load_bank(url)
    with _servers(url, tmp_path, 1) as servers:
        base = servers[0][0]
        with Traffic([base], _slots(base)) as traffic:
            _wait(lambda: len(traffic.booked) >= 5, 30, "no bookings before the restart")
            cluster.stop("immediate")  # as a crash: connections cut, nothing flushed on the way out
            down = time.monotonic()
            readyz = httpx.get(f"{base}/readyz", timeout=TIMEOUT)
            assert readyz.status_code == 503 and readyz.json()["code"] == "SERVICE_UNAVAILABLE"
            _wait(lambda: 503 in traffic.statuses(since=down), 20, "no request was answered 503 while the database was down")
            time.sleep(1)
            cluster.start()
            up = time.monotonic()
            _wait(lambda: _ready(base), 30, "/readyz did not recover")
            _wait(lambda: 201 in traffic.statuses(since=up), 30, "no booking after the database came back")
            after_restart = len(traffic.booked)
        statuses = traffic.statuses()
        assert set(statuses) <= {200, 201, 409, 503}, sorted({s for s in statuses if s not in (200, 201)}, key=str)
        assert "timeout" not in statuses
        assert len(traffic.booked) >= after_restart > 5
        log = "".join(p.read_text(errors="replace") for p in tmp_path.glob("server-*.log"))
        assert "unhandled error" not in log and "database error" not in log, log[-3000:]  # the paths that answer 500
    _consistent(url, traffic.booked)
    _verify_audit(url)


@pytest.fixture(params=["postgresql", "sqlite"])
def kill_database(request, tmp_path):
    url = fresh_database(request, request.param, tmp_path)
    _load_bank(url)
    return url


def test_a_server_killed_mid_traffic_leaves_consistent_data_and_the_other_serves(kill_database, tmp_path):
    with _servers(kill_database, tmp_path, 2) as servers:
        (victim, process), (survivor, _) = servers
        slots = _slots(survivor)
        # Contested: each slot is tried twice, through either server.
        with Traffic([victim, survivor], slots[:60] + slots[:60], threads=6) as traffic:
            _wait(lambda: len(traffic.booked) >= 6, 30, "no bookings before the kill")
            os.kill(process.pid, signal.SIGKILL)
            killed = time.monotonic()
            process.wait(timeout=10)
            _wait(lambda: traffic.statuses(survivor, killed).count(201) >= 3, 30, "the surviving server stopped booking")
        survivor_answers = traffic.statuses(survivor)
        assert set(survivor_answers) <= {200, 201, 409}, survivor_answers
        assert _ready(survivor)
    _consistent(kill_database, traffic.booked)
    _verify_audit(kill_database)
