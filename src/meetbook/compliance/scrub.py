"""Taking a customer's personal data out of meetings and out of the outbox's copies of them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.tables.meetings import MeetingRow
from meetbook.tables.outbox import PENDING, SKIPPED, DeliveryRow, EventRow

# The meeting's columns that hold free text or the customer's contact details (cleared by retention).
TEXT_COLUMNS = ("title", "description", "cancellation_reason", "customer_name", "customer_email", "customer_phone")
# An erasure also removes who the customer is.
IDENTITY_COLUMNS = ("customer_id", "salesforce_id")
# The same fields in the meeting as the API shows it (the outbox events' copy).
_WIRE = {"title": "title", "description": "description", "cancellation_reason": "cancellationReason",
         "customer_name": "customerName", "customer_email": "customerEmail", "customer_phone": "customerPhone", "customer_id": "customerId",
         "salesforce_id": "salesforceId"}


async def clear_meetings(session: AsyncSession, ids: list[str], columns: tuple[str, ...], now: dt.datetime) -> None:
    """Clear `columns` of these meetings (a bulk UPDATE: the audit trail records each meeting's change)."""
    if ids:
        cleared = {**{c: None for c in columns}, "date_modified": now}
        await session.execute(update(MeetingRow).where(MeetingRow.id.in_(ids)).values(cleared))


async def scrub_outbox(session: AsyncSession, ids: list[str], columns: tuple[str, ...], customer_id: str | None,
                       now: dt.datetime) -> tuple[int, int]:
    """Clear the same fields in the outbox's copies of these meetings, and the customer's address and
    name in the deliveries to them (one not yet sent is skipped: it has nowhere to go). The customer's
    id is removed from the actor of their own changes when it is given. Returns (events, deliveries)."""
    if not ids:
        return 0, 0
    fields = [_WIRE[c] for c in columns]
    events = (await session.scalars(select(EventRow).where(EventRow.subject_id.in_(ids)))).all()
    changed_events = 0
    for event in events:
        data = dict(event.data or {})
        changed = False
        for key in ("meeting", "previous"):
            if isinstance(data.get(key), dict):
                meeting = dict(data[key])
                for f in fields:
                    if meeting.get(f) is not None:
                        meeting[f], changed = None, True
                for f in ("cancelledBy", "outcomeBy"):  # their own cancellation names them
                    if customer_id is not None and meeting.get(f) == customer_id:
                        meeting[f], changed = None, True
                data[key] = meeting
        actor = data.get("actor")
        if customer_id is not None and isinstance(actor, dict) and actor.get("subject") == customer_id:
            data["actor"], changed = {**actor, "subject": None}, True
        if changed:
            event.data = data  # a new dict: the JSON column sees the change
            changed_events += 1
    deliveries = (await session.scalars(select(DeliveryRow).where(DeliveryRow.subject_id.in_(ids)))).all()
    changed_deliveries = 0
    contact = {"customer_name", "customer_email", "customer_phone"} & set(columns)
    for delivery in deliveries:
        if not contact or (delivery.detail or {}).get("role") != "customer":
            continue
        delivery.recipient = None
        delivery.detail = {k: v for k, v in (delivery.detail or {}).items() if k != "name"}
        delivery.ordering_key = f"{delivery.subject_id}:erased"  # was a hash of the address
        delivery.last_error = None  # a mail server's refusal quotes the address
        if delivery.status == PENDING:
            delivery.status, delivery.next_attempt_at, delivery.finished_at = SKIPPED, None, now
        changed_deliveries += 1
    return changed_events, changed_deliveries
