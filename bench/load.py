"""Databases for the benchmark: create, load (`meetbook import` + bulk activity), drop.

The bank definition goes in through the product's own `meetbook import` (with its progress
bar). Booked meetings, live holds and their claims are not part of that format, so they are
bulk-inserted afterwards: COPY on PostgreSQL, executemany on SQLite. The PostgreSQL exclusion
constraint checks every claim row on the way in, so a generator bug that overlapped two
claims would stop the load rather than skew the figures.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

from bench.bankgen import SyntheticBank
from bench.progress import Bar

PG_ADMIN = os.environ.get("MEETBOOK_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
DB_PREFIX = "meetbook_bench_"

MEETING_COLUMNS = (
    "id", "status", "booked_by", "customer_id", "customer_type_id", "topic_id", "type", "employee_id",
    "additional_employees", "room_id", "location", "start", "end", "time_slot_id", "title", "description",
    "video_link", "salesforce_id", "customer_name", "customer_email", "customer_phone", "sequence",
    "date_created", "date_modified",
)
HOLD_COLUMNS = (
    "id", "token", "employee_id", "room_id", "service_group", "existing_meeting_id", "subject", "start", "end",
    "expires_at", "date_created", "date_modified",
)
CLAIM_COLUMNS = ("id", "resource", "start_s", "end_s", "meeting_seconds", "hold_id", "meeting_id", "expires_s")
TIME_COLUMNS = {"start", "end", "expires_at", "date_created", "date_modified"}


def pg_url(database: str, driver: str = "postgresql") -> str:
    base, _, _ = PG_ADMIN.rpartition("/")
    return f"{base}/{database}".replace("postgresql://", f"{driver}://", 1)


def pg_reachable() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as exc:  # noqa: BLE001
        return str(exc).strip()


def pg_version() -> str:
    with psycopg.connect(PG_ADMIN) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def create_pg_database(name: str) -> str:
    assert name.startswith(DB_PREFIX), name
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_url(name)


def drop_pg_database(name: str) -> None:
    assert name.startswith(DB_PREFIX), name  # never anyone else's database
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_orphaned_databases() -> list[str]:
    """Benchmark databases left by runs that were killed outright (their process is gone)."""
    dropped = []
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (DB_PREFIX + "%",))]
        for name in names:
            pid = name[len(DB_PREFIX):].split("_")[0]
            if pid.isdigit() and not _alive(int(pid)):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                dropped.append(name)
    return dropped


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def meetbook_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETBOOK_")}
    # Rate limits off: the load generator is a handful of clients sending thousands of requests.
    env.update({"MEETBOOK_DATABASE_URL": database_url, "MEETBOOK_LOG_LEVEL": "WARNING", "MEETBOOK_RATE_LIMITS": ""})
    # The servers send their invitations as they would in use (as .eml files here: no SMTP server).
    env["MEETBOOK_MAIL_DIR"] = tempfile.mkdtemp(prefix="meetbook-bench-mail-")
    for key in ("MEETBOOK_AUTH_SECRET", "MEETBOOK_AUTH_ISSUER", "MEETBOOK_AUTH_AUDIENCE"):
        if key in os.environ:
            env[key] = os.environ[key]
    env.update(extra)
    return env


def meetbook_command() -> list[str]:
    """The `meetbook` command of this interpreter's environment."""
    script = Path(sys.executable).parent / "meetbook"
    return [str(script)] if script.exists() else [sys.executable, "-m", "meetbook.cli"]


def import_bank_file(database_url: str, path: Path, quiet: bool = False) -> None:
    """`meetbook import FILE` (migrates first; its progress bar goes to our stderr)."""
    result = subprocess.run(
        meetbook_command() + ["import", str(path)],
        env=meetbook_env(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if quiet else None,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"meetbook import failed ({result.returncode}): {result.stdout}{result.stderr or ''}")


def _rows(bank: SyntheticBank):
    def meeting(m: dict) -> dict:
        return {**m, "additional_employees": "[]", "video_link": None, "salesforce_id": None, "customer_name": None,
                "customer_email": None, "customer_phone": None, "sequence": 0}

    def hold(h: dict) -> dict:
        return {**h, "service_group": None, "existing_meeting_id": None}

    return [
        ("meetings", MEETING_COLUMNS, [meeting(m) for m in bank.meetings]),
        ("holds", HOLD_COLUMNS, [hold(h) for h in bank.holds]),
        ("claims", CLAIM_COLUMNS, bank.claims),
    ]


def insert_activity_postgres(database_url: str, bank: SyntheticBank) -> None:
    tables = _rows(bank)
    total = sum(len(rows) for _, _, rows in tables)
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as conn, \
            Bar("Inserting meetings, holds and claims", total) as bar:
        with conn.cursor() as cur:
            for table, columns, rows in tables:
                cols = ", ".join(f'"{c}"' for c in columns)
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for i, row in enumerate(rows):
                        copy.write_row(tuple(
                            dt.datetime.fromtimestamp(row[c], dt.UTC) if c in TIME_COLUMNS and row[c] is not None else row[c]
                            for c in columns
                        ))
                        if i % 1000 == 999:
                            bar.update(1000)
                    bar.update(len(rows) % 1000)
        conn.commit()
        conn.autocommit = True
        conn.execute("ANALYZE")  # as autovacuum would have by the time a bank has this much data


def _sqlite_time(epoch_s: int) -> str:
    # SQLAlchemy's SQLite DATETIME storage (UTCDateTime stores naive UTC there).
    return dt.datetime.fromtimestamp(epoch_s, dt.UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def sqlite_path(database_url: str) -> str:
    return database_url.split(":///", 1)[1]


def insert_activity_sqlite(database_url: str, bank: SyntheticBank) -> None:
    tables = _rows(bank)
    total = sum(len(rows) for _, _, rows in tables)
    conn = sqlite3.connect(sqlite_path(database_url))
    try:
        with Bar("Inserting meetings, holds and claims (SQLite)", total) as bar:
            for table, columns, rows in tables:
                cols = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join("?" for _ in columns)
                data = [
                    tuple(_sqlite_time(r[c]) if c in TIME_COLUMNS and r[c] is not None else r[c] for c in columns)
                    for r in rows
                ]
                conn.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", data)
                bar.update(len(rows))
            conn.commit()
            conn.execute("ANALYZE")
            conn.commit()
    finally:
        conn.close()


def insert_activity(database_url: str, bank: SyntheticBank) -> None:
    if database_url.startswith("sqlite"):
        insert_activity_sqlite(database_url, bank)
    else:
        insert_activity_postgres(database_url, bank)
