"""The audit log as admins read it, and a customer's erasure."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.compliance.schemas import AuditEntry, AuditPage, Erasure
from meetbook.compliance.scrub import IDENTITY_COLUMNS, TEXT_COLUMNS, clear_meetings, scrub_outbox
from meetbook.core import locks
from meetbook.core.errors import NotFound
from meetbook.core.idempotency import IdempotencyRow
from meetbook.tables import audit
from meetbook.tables.audit import AuditRow
from meetbook.tables.claims import ClaimRow, HoldRow
from meetbook.tables.meetings import MeetingRow


async def read_log(
    session: AsyncSession, *, entity: str | None, entity_id: str | None, actor: str | None,
    since: dt.datetime | None, until: dt.datetime | None, after: int | None, limit: int,
) -> AuditPage:
    """Entries in chain order, filtered; a page ends where the next begins (`after` = the last seq).
    What is still waiting to be chained goes on the chain first, so the log shows every committed change."""
    await audit.chain_pending(session)
    query = select(AuditRow).order_by(AuditRow.seq).limit(limit + 1)
    for column, compare, wanted in (
        (AuditRow.entity, "__eq__", entity), (AuditRow.entity_id, "__eq__", entity_id), (AuditRow.actor_subject, "__eq__", actor),
        (AuditRow.at, "__ge__", since), (AuditRow.at, "__lt__", until), (AuditRow.seq, "__gt__", after),
    ):
        if wanted is not None:
            query = query.where(getattr(column, compare)(wanted))
    rows = list((await session.scalars(query)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    entries = [
        AuditEntry(seq=r.seq, at=r.at, actor_subject=r.actor_subject, actor_scope=r.actor_scope, request_id=r.request_id,
                   entity=r.entity, entity_id=r.entity_id, action=r.action, before=r.before, after=r.after,
                   prev_hash=r.prev_hash, hash=r.hash)
        for r in rows
    ]
    return AuditPage(entries=entries, next_after=rows[-1].seq if more else None)


async def erase_customer(session: AsyncSession, customer_id: str, now: dt.datetime) -> Erasure:
    """Remove a customer's personal data: their meetings keep only what statistics need (times, advisor,
    room, topic, type, status, outcome), their holds and stored answers go, and the outbox's copies of
    their meetings and the messages to them are scrubbed. The audit trail records the erasure and each
    meeting's change; it never held the data, so its chain still verifies."""
    await locks.lock(session, [f"customer:{customer_id}"])  # two erasures of one customer do not interleave
    meeting_ids = list((await session.scalars(select(MeetingRow.id).where(MeetingRow.customer_id == customer_id))).all())
    hold_ids = list((await session.scalars(select(HoldRow.id).where(HoldRow.subject == customer_id))).all())
    prefix = customer_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "|"
    answers = delete(IdempotencyRow).where(IdempotencyRow.key.like(prefix + "%", escape="\\"))
    if not meeting_ids and not hold_ids:
        if (await session.execute(answers)).rowcount == 0:
            raise NotFound(f"no meetings, holds or stored answers of customer {customer_id}")
        audit.note(session, "customers", None, "erased", {"meetings": [], "holds": 0})
        return Erasure(meetings=0, holds=0, outbox_events=0, outbox_deliveries=0)
    await session.execute(answers)
    if hold_ids:
        await session.execute(delete(ClaimRow).where(ClaimRow.hold_id.in_(hold_ids)))
        await session.execute(delete(HoldRow).where(HoldRow.id.in_(hold_ids)))
    # Their own cancellations and outcomes name them too.
    for column in (MeetingRow.cancelled_by, MeetingRow.outcome_by):
        rows = (await session.scalars(select(MeetingRow).where(MeetingRow.id.in_(meeting_ids), column == customer_id))).all()
        for row in rows:
            setattr(row, column.key, None)
    columns = TEXT_COLUMNS + IDENTITY_COLUMNS
    await clear_meetings(session, meeting_ids, columns, now)
    events, deliveries = await scrub_outbox(session, meeting_ids, columns, customer_id, now)
    # The customer's id is not written here: the entry names the meetings, which no longer name them.
    audit.note(session, "customers", None, "erased", {"meetings": sorted(meeting_ids), "holds": len(hold_ids),
                                                        "outboxEvents": events, "outboxDeliveries": deliveries})
    return Erasure(meetings=len(meeting_ids), holds=len(hold_ids), outbox_events=events, outbox_deliveries=deliveries)
