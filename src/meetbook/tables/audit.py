"""The audit trail: every change to a meeting and to the bank's configuration, who made it, when and
from which request, in an append-only table whose rows are hash-chained.

One generic mechanism instead of a call in every use case: session events see the rows of the audited
tables that a transaction inserts, changes or deletes (ORM objects, and bulk UPDATE/DELETE statements),
and just before it commits the changes are written to `audit_pending` in the same transaction, so a
rolled back change leaves no audit row. `chain_pending` then numbers and hashes pending entries onto
the chain in order, one chainer at a time (a PostgreSQL advisory transaction lock; SQLite has one
writer): the sweeper does it every round, and the audit log's readers and `meetbook audit verify` do it
first. Requests never wait for each other on the chain: chaining at commit made every booking of the
bank commit one after another (the lock was held through the commit's WAL flush).

Rows never hold customers' personal data: a meeting's customer fields and free text are written as
"[redacted]" when set (that they changed is recorded, not what they say), secrets likewise. So erasing
a customer never needs an audit row changed, and the chain keeps verifying.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, event, insert, inspect, select, text, tuple_
from sqlalchemy.orm import Mapped, Session, mapped_column

from meetbook.core import pipeline
from meetbook.core.actor import ACTOR, CLOCK, REQUEST_ID
from meetbook.core.db import Base, UTCDateTime

SERIAL = BigInteger().with_variant(Integer(), "sqlite")
GENESIS = "0" * 64
REDACTED = "[redacted]"

# Every audited table, with the columns whose values are never copied (personal data, free text,
# secrets) and those that are bookkeeping (a change of only these is not worth a row).
_MEETING_PRIVATE = {"customer_id", "customer_name", "customer_email", "customer_phone", "title", "description",
                    "cancellation_reason", "salesforce_id"}
_SECRETS = {"secret", "previous_secret", "password_encrypted", "token_hash"}
_SYNC_STATE = {"revision", "calendar_url", "ctag", "read_until", "next_sync_at", "last_attempt_at", "last_sync_at", "last_error",
               "consecutive_failures", "events_seen"}
AUDITED: dict[str, tuple[set[str], set[str]]] = {
    "meetings": (_MEETING_PRIVATE, {"date_modified"}),
    "organization_settings": (set(), {"version"}),
    "message_templates": (set(), {"updated_at"}),
    "priority_rules": (set(), set()),
    "locations": (set(), set()),
    "rooms": (set(), set()),
    "customer_types": (set(), set()),
    "topics": (set(), set()),
    "employees": (set(), set()),
    "employee_schedules": (set(), set()),
    "competence_groups": (set(), set()),
    "service_groups": (set(), set()),
    "calendar_feeds": (_SECRETS, set()),
    "webhook_subscriptions": (_SECRETS, {"updated_at", "failing_since"}),
    "calendar_connections": (_SECRETS, _SYNC_STATE | {"updated_at"}),
}
# Column names as the API spells them where it is not plain camelCase.
_WIRE_NAMES = {("meetings", "start"): "startDate", ("meetings", "end"): "endDate"}

# session.info keys: the changes seen so far in this transaction, and explicit entries (purges, erasures).
_CHANGES = "meetbook.audit.changes"
_NOTES = "meetbook.audit.notes"

# One lock for every append, taken at commit, when nothing else is left to wait for.
_APPEND_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended('meetbook.audit', 0))")


class AuditPendingRow(Base):
    """A change recorded by its own transaction, waiting for `chain_pending` to put it on the chain."""

    __tablename__ = "audit_pending"

    id: Mapped[int] = mapped_column(SERIAL, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor_subject: Mapped[str | None] = mapped_column(String(200), nullable=True)
    actor_scope: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    action: Mapped[str] = mapped_column(String(20))
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity", "entity", "entity_id"),
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_actor", "actor_subject"),
    )

    # The position in the chain: 1, 2, 3... with no gaps (a missing number is a deleted row).
    seq: Mapped[int] = mapped_column(SERIAL, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor_subject: Mapped[str | None] = mapped_column(String(200), nullable=True)
    actor_scope: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    action: Mapped[str] = mapped_column(String(20))  # created, updated, deleted, purged, erased
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # SHA-256 (hex) of the previous row's hash followed by this row's canonical JSON.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def canonical(row: dict[str, Any]) -> str:
    """The bytes a row's hash covers: every field but the hashes, keys sorted, no spaces."""
    at = row["at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
    content = {k: row[k] for k in ("seq", "actor_subject", "actor_scope", "request_id", "entity", "entity_id", "action",
                                   "before", "after")}
    return json.dumps({**content, "at": at}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(row)).encode()).hexdigest()


def note(session, entity: str, entity_id: str | None, action: str, after: dict[str, Any]) -> None:
    """An entry that is no row change (a retention purge, an erasure), appended with the transaction's changes."""
    target = session.sync_session if hasattr(session, "sync_session") else session
    target.info.setdefault(_NOTES, []).append({"entity": entity, "entity_id": entity_id, "action": action, "before": None,
                                               "after": after})


# --- what a transaction changed -------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _wire(table: str, values: dict[str, Any]) -> dict[str, Any]:
    """Column values as the audit shows them: camelCase names, JSON values, private ones redacted."""
    private, _ = AUDITED[table]
    out = {}
    for column, value in values.items():
        name = _WIRE_NAMES.get((table, column)) or column.split("_")[0] + "".join(w.title() for w in column.split("_")[1:])
        out[name] = (REDACTED if value is not None else None) if column in private else _plain(value)
    return out


@dataclass
class _Change:
    table: str
    key: str
    before: dict[str, Any] | None  # None: inserted in this transaction
    obj: Any = None  # the ORM object whose state at commit is the "after"
    after: dict[str, Any] | None = None  # else this (a bulk statement's rows)
    deleted: bool = False
    columns: list[tuple[str, str]] = field(default_factory=list)  # (attribute key, column name)

    def entry(self) -> dict[str, Any] | None:
        if self.deleted:
            return None if self.before is None else self._as("deleted", self.before, None)
        after = self.after
        if self.obj is not None:
            loaded = inspect(self.obj).dict
            after = {name: loaded[key] for key, name in self.columns if key in loaded}
        if self.before is None:
            return self._as("created", None, after)
        _, noise = AUDITED[self.table]
        changed = [c for c in after if c not in noise and c in self.before and self.before[c] != after[c]]
        if not changed:
            return None
        return self._as("updated", {c: self.before[c] for c in changed}, {c: after[c] for c in changed})

    def _as(self, action, before, after):
        return {"entity": self.table, "entity_id": self.key, "action": action,
                "before": None if before is None else _wire(self.table, before),
                "after": None if after is None else _wire(self.table, after)}


def _columns(mapper) -> list[tuple[str, str]]:
    return [(prop.key, prop.columns[0].name) for prop in mapper.column_attrs]


def _key(values: list[Any]) -> str:
    return "/".join(str(v) for v in values)


def _audited(obj) -> str | None:
    table = getattr(type(obj), "__tablename__", None)
    return table if table in AUDITED else None


@event.listens_for(Session, "after_flush")
def _seen_in_flush(session: Session, _context) -> None:
    """Note each audited row the flush wrote, with its values before this transaction touched it."""
    changes: dict[tuple[str, str], _Change] = session.info.setdefault(_CHANGES, {})
    seen = [(o, "new") for o in session.new] + [(o, "dirty") for o in session.dirty] + [(o, "deleted") for o in session.deleted]
    for obj, kind in seen:
        table = _audited(obj)
        if table is None or (kind == "dirty" and not session.is_modified(obj)):
            continue
        state = inspect(obj)
        columns = _columns(state.mapper)
        key = _key(state.mapper.primary_key_from_instance(obj))
        change = changes.get((table, key))
        if change is None:
            before = None if kind == "new" else _committed(state, columns)
            change = changes[(table, key)] = _Change(table, key, before, columns=columns)
        change.obj = obj
        change.deleted = kind == "deleted"


def _committed(state, columns) -> dict[str, Any]:
    """The row as it was before the pending changes (the history still holds them in after_flush)."""
    out = {}
    for key, name in columns:
        history = state.attrs[key].history
        if history.deleted:
            out[name] = history.deleted[0]
        elif history.unchanged:
            out[name] = history.unchanged[0]
        elif key in state.dict and not history.added:
            out[name] = state.dict[key]
    return out


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(orm_execute_state):
    """A bulk UPDATE or DELETE of an audited table: its rows are read before (and after) it runs."""
    if not (orm_execute_state.is_update or orm_execute_state.is_delete):
        return None
    table = getattr(orm_execute_state.statement, "table", None)
    if table is None or table.name not in AUDITED:
        return None
    session = orm_execute_state.session
    connection = session.connection()
    where = orm_execute_state.statement.whereclause
    query = select(table) if where is None else select(table).where(where)
    before = [dict(r) for r in connection.execute(query).mappings()]
    result = orm_execute_state.invoke_statement()
    if not before:
        return result
    pk = list(table.primary_key.columns)
    keys = [tuple(r[c.name] for c in pk) for r in before]
    after = {}
    if orm_execute_state.is_update:
        again = connection.execute(select(table).where(tuple_(*pk).in_(keys))).mappings()
        after = {tuple(r[c.name] for c in pk): dict(r) for r in again}
    changes: dict[tuple[str, str], _Change] = session.info.setdefault(_CHANGES, {})
    for values, ident in zip(before, keys, strict=True):
        change = changes.setdefault((table.name, _key(list(ident))), _Change(table.name, _key(list(ident)), values))
        change.obj = None
        change.after = after.get(ident)
        change.deleted = orm_execute_state.is_delete
    return result


@event.listens_for(Session, "before_commit")
def _append(session: Session) -> None:
    """Append the transaction's changes to the chain, in the transaction, just before it commits."""
    if not session.info.get(_CHANGES) and not session.info.get(_NOTES) and not (session.new or session.dirty or session.deleted):
        return
    session.flush()  # the last changes: commit would flush them after this hook
    changes = session.info.pop(_CHANGES, {})
    entries = [e for e in (c.entry() for c in changes.values()) if e is not None] + session.info.pop(_NOTES, [])
    if not entries:
        return
    who = _who_and_when(session)
    session.connection().execute(_INSERT_PENDING, [{**entry, **who} for entry in entries])


def _who_and_when(session) -> dict[str, Any]:
    """An entry's time (the session's clock), actor and request."""
    clock = session.info.get(CLOCK)
    actor = ACTOR.get()
    return {"at": clock.now() if clock is not None else dt.datetime.now(dt.UTC), "actor_subject": actor.subject,
            "actor_scope": actor.scope, "request_id": REQUEST_ID.get()}


# A commit of Core statements alone (core.pipeline.commit) must still come through _append when
# entries are waiting.
pipeline.BEFORE_COMMIT_WORK.append(lambda session: bool(session.info.get(_CHANGES) or session.info.get(_NOTES)))

# inline: no RETURNING of the serial id, so a commit needs no answer mid-batch (core.pipeline.commit)
_INSERT_PENDING = insert(AuditPendingRow.__table__).inline()


def record_inserted(session, table: str, key: str, values: dict[str, Any]) -> None:
    """The "created" entry of a row a use case inserts as a Core statement (the session events see
    only the ORM's writes), exactly as for an inserted ORM object: `values` by column name. It is
    written with the statements deferred to the commit (core.pipeline.defer), so a commit of Core
    statements alone stays one batch."""
    columns = [c.name for c in Base.metadata.tables[table].columns]
    entry = _Change(table, key, None, after={name: values[name] for name in columns if name in values}).entry()
    pipeline.defer(session, _INSERT_PENDING, {**entry, **_who_and_when(session)})


_PENDING_COLUMNS = ("at", "actor_subject", "actor_scope", "request_id", "entity", "entity_id", "action", "before", "after")


async def chain_pending(session, batch: int = 5000) -> int:
    """Put the pending entries on the chain, oldest first, in the caller's transaction. Returns how many."""
    total = 0
    if session.bind.dialect.name == "postgresql":
        await session.execute(_APPEND_LOCK)  # one chainer at a time: the next reads this one's last hash
    while True:
        table = AuditPendingRow.__table__
        pending = (await session.execute(select(table).order_by(table.c.id).limit(batch))).mappings().all()
        if not pending:
            return total
        head = (await session.execute(select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1))).first()
        seq, prev = head if head is not None else (0, GENESIS)
        rows = []
        for entry in pending:
            seq += 1
            row = {**{k: entry[k] for k in _PENDING_COLUMNS}, "seq": seq, "prev_hash": prev}
            row["hash"] = prev = chain_hash(prev, row)
            rows.append(row)
        await session.execute(insert(AuditRow.__table__), rows)
        await session.execute(table.delete().where(table.c.id.in_([e["id"] for e in pending])))
        total += len(rows)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_CHANGES, None)
    session.info.pop(_NOTES, None)


# --- verification -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    rows: int
    problem: str | None  # None: every row matches
    seq: int | None = None  # the first row that does not match


async def verify_chain(session, batch: int = 2000) -> Verdict:
    """Walk the chain in order: numbering without gaps, each row naming its predecessor's hash, each
    hash matching its row's content. The first row that does not is named."""
    expected_seq, prev, count = 1, GENESIS, 0
    columns = [c for c in AuditRow.__table__.columns]
    while True:
        query = select(*columns).where(AuditRow.seq >= expected_seq).order_by(AuditRow.seq).limit(batch)
        rows = (await session.execute(query)).mappings().all()
        if not rows:
            return Verdict(count, None)
        for row in rows:
            if row["seq"] != expected_seq:
                gap = f"row {expected_seq} is missing: the chain goes from row {expected_seq - 1} to row {row['seq']}"
                return Verdict(count, gap, expected_seq)
            if row["prev_hash"] != prev:
                return Verdict(count, f"row {row['seq']} does not follow row {row['seq'] - 1}: its previous hash does not match",
                               row["seq"])
            if chain_hash(prev, dict(row)) != row["hash"]:
                return Verdict(count, f"row {row['seq']} was changed: its content does not match its hash", row["seq"])
            prev, expected_seq, count = row["hash"], expected_seq + 1, count + 1
