"""Webhook subscriptions (create, change, rotate the secret, delete) and their delivery log."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.core import addresses
from meetbook.core.errors import Conflict, Invalid, NotFound
from meetbook.core.patching import apply as apply_json_patch
from meetbook.tables.outbox import EVENT_KINDS, PENDING, SKIPPED, DeliveryRow, wake_after_commit
from meetbook.tables.webhooks import ALL_EVENTS, WebhookRow, consumer_of
from meetbook.webhooks.schemas import Webhook, WebhookChange, WebhookCreate, WebhookDelivery, WebhookWithSecret

# A rotated-out secret keeps signing this long, so receivers can switch without a gap.
ROTATION_OVERLAP = dt.timedelta(hours=24)
# Retries of one delivery, and how long a subscription may fail before it is disabled.
GIVE_UP_AFTER = dt.timedelta(days=3)
MAX_PAGE = 200


def new_secret() -> str:
    """The Standard Webhooks format: whsec_ and base64 of random bytes (32: HMAC-SHA256's key size)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_id(delivery: DeliveryRow) -> str:
    # Stable per delivery: every attempt and every redelivery carries it, so a receiver can drop repeats.
    return f"msg_{delivery.id}"


def webhook_out(row: WebhookRow, now: dt.datetime) -> Webhook:
    until = row.previous_secret_until
    overlap = until if row.previous_secret and until is not None and until > now else None
    return Webhook(
        id=row.id, url=row.url, events=list(row.events), description=row.description, enabled=row.enabled,
        disabled_reason=row.disabled_reason, disabled_at=row.disabled_at, failing_since=row.failing_since,
        previous_secret_valid_until=overlap, created_at=row.created_at, updated_at=row.updated_at,
    )


def delivery_out(row: DeliveryRow) -> WebhookDelivery:
    return WebhookDelivery(
        id=row.id, webhook_id=webhook_id(row), event_type=row.kind, subject_id=row.subject_id, url=row.recipient,
        status=row.status, attempts=row.attempts, response_code=row.response_code, duration_ms=row.duration_ms,
        last_error=row.last_error, created_at=row.created_at, last_attempt_at=row.last_attempt_at,
        next_attempt_at=row.next_attempt_at if row.status == PENDING else None, finished_at=row.finished_at,
    )


def _events(values: list[str]) -> list[str]:
    unknown = [v for v in values if v != ALL_EVENTS and v not in EVENT_KINDS]
    if unknown:
        accepted = ", ".join(EVENT_KINDS)
        raise Invalid(f"unknown event type(s) {', '.join(unknown)}; the accepted ones are {accepted}, or \"*\" for all",
                      [{"field": "events", "message": f"must be {accepted} or *"}])
    return [ALL_EVENTS] if ALL_EVENTS in values else list(dict.fromkeys(values))


async def _url(url: str, policy: addresses.Policy) -> str:
    try:
        await addresses.check(url, policy)
    except addresses.Refused as refused:
        raise Invalid(f"url: {refused}", [{"field": "url", "message": str(refused)}]) from None
    return url


async def _row(session: AsyncSession, ident: str) -> WebhookRow:
    row = await session.get(WebhookRow, ident)
    if row is None:
        raise NotFound.of("webhook", ident)
    return row


async def create(session: AsyncSession, body: WebhookCreate, policy: addresses.Policy, now: dt.datetime) -> WebhookWithSecret:
    events = _events(body.events)
    row = WebhookRow(url=await _url(body.url, policy), events=events, description=body.description, secret=new_secret(),
                     enabled=True, created_at=now, updated_at=now)
    session.add(row)
    await session.flush()
    return WebhookWithSecret(**webhook_out(row, now).model_dump(), secret=row.secret)


async def list_all(session: AsyncSession, now: dt.datetime) -> list[Webhook]:
    rows = (await session.scalars(select(WebhookRow).order_by(WebhookRow.created_at, WebhookRow.id))).all()
    return [webhook_out(r, now) for r in rows]


async def get(session: AsyncSession, ident: str, now: dt.datetime) -> Webhook:
    return webhook_out(await _row(session, ident), now)


def _as_change(before: Webhook, body: Any) -> WebhookChange:
    """The PATCH body as a merge ({"enabled": true}) or as RFC 6902 operations on the GET shape."""
    if isinstance(body, dict) and "op" not in body:
        try:
            return WebhookChange.model_validate(body)
        except ValueError as exc:
            errors = [{"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]} for e in exc.errors()]
            raise Invalid("the request is not valid: " + ", ".join(x["field"] for x in errors), errors) from None
    after = apply_json_patch(before.model_dump(by_alias=True, mode="json"), body, Webhook)
    fixed = ("id", "disabled_reason", "disabled_at", "failing_since", "previous_secret_valid_until", "created_at", "updated_at")
    for name in fixed:
        if getattr(after, name) != getattr(before, name):
            alias = Webhook.model_fields[name].alias or name
            raise Invalid(f"'{alias}' cannot be changed", [{"field": alias, "message": "cannot be changed"}])
    return WebhookChange(url=after.url, events=after.events, description=after.description, enabled=after.enabled)


async def change(session: AsyncSession, ident: str, body: Any, policy: addresses.Policy, now: dt.datetime) -> Webhook:
    row = await _row(session, ident)
    new = _as_change(webhook_out(row, now), body)
    fields = new.model_fields_set
    if "url" in fields and new.url is not None and new.url != row.url:
        row.url = await _url(new.url, policy)
    if "events" in fields and new.events is not None:
        row.events = _events(new.events)
    if "description" in fields:
        row.description = new.description
    if "enabled" in fields and new.enabled is not None and new.enabled != row.enabled:
        if new.enabled:  # a fresh start: failures before the pause do not count toward disabling it again
            row.enabled, row.disabled_at, row.disabled_reason, row.failing_since = True, None, None, None
        else:
            await disable(session, row, "disabled by an administrator", now)
    row.updated_at = now
    await session.flush()
    return webhook_out(row, now)


async def disable(session: AsyncSession, row: WebhookRow, reason: str, now: dt.datetime, keep: str | None = None) -> None:
    """No more calls: its pending deliveries stop (all but `keep`, the attempt reporting right now),
    and new events are not planned for it. Re-enabling takes new events; the log can redeliver old ones."""
    row.enabled, row.disabled_at, row.disabled_reason = False, now, reason
    await _stop_pending(session, row.id, f"not sent: the webhook was {reason}", now, keep)


async def _stop_pending(session: AsyncSession, ident: str, why: str, now: dt.datetime, keep: str | None = None) -> None:
    query = update(DeliveryRow).where(DeliveryRow.consumer == consumer_of(ident), DeliveryRow.status == PENDING)
    if keep is not None:
        query = query.where(DeliveryRow.id != keep)
    await session.execute(query.values(status=SKIPPED, next_attempt_at=None, finished_at=now, last_error=why))


async def delete(session: AsyncSession, ident: str, now: dt.datetime) -> None:
    row = await _row(session, ident)
    await _stop_pending(session, ident, "not sent: the webhook was deleted", now)
    await session.delete(row)
    await session.flush()


async def rotate_secret(session: AsyncSession, ident: str, now: dt.datetime) -> WebhookWithSecret:
    row = await _row(session, ident)
    row.previous_secret, row.previous_secret_until = row.secret, now + ROTATION_OVERLAP
    row.secret = new_secret()
    row.updated_at = now
    await session.flush()
    return WebhookWithSecret(**webhook_out(row, now).model_dump(), secret=row.secret)


async def deliveries(session: AsyncSession, ident: str, limit: int, offset: int) -> list[WebhookDelivery]:
    await _row(session, ident)
    rows = (await session.scalars(
        select(DeliveryRow).where(DeliveryRow.consumer == consumer_of(ident))
        .order_by(DeliveryRow.event_id.desc(), DeliveryRow.id.desc()).limit(limit).offset(offset)
    )).all()
    return [delivery_out(r) for r in rows]


async def redeliver(session: AsyncSession, ident: str, delivery_id: str, now: dt.datetime) -> WebhookDelivery:
    """A finished delivery goes out again now, with the same webhook-id and three new days of retries."""
    row = await _row(session, ident)
    delivery = await session.get(DeliveryRow, delivery_id)
    if delivery is None or delivery.consumer != consumer_of(ident):
        raise NotFound.of("delivery", delivery_id)
    if not row.enabled:
        raise Conflict("this webhook is disabled; enable it (PATCH with enabled: true) before redelivering")
    if delivery.status == PENDING:
        raise Conflict("this delivery is still being attempted; it can be redelivered once it has been sent or has failed")
    delivery.status = PENDING
    delivery.next_attempt_at = now
    delivery.give_up_at = now + GIVE_UP_AFTER
    delivery.finished_at = None
    delivery.detail = {k: v for k, v in (delivery.detail or {}).items() if k != "firstAttemptAt"}  # its 3 days start again
    wake_after_commit(session)
    await session.flush()
    return delivery_out(delivery)
