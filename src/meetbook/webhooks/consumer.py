"""Webhooks as a consumer of the outbox: one delivery per matching subscription, POSTed and signed
the Standard Webhooks way.

One meeting's deliveries to one subscription go out in the order of its changes (the ordering key is
the subject), and a delivery keeps its webhook-id across retries. Each attempt resolves the host
and checks the address again (`addresses.resolve`) and connects to that checked address only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import ssl
import time
from typing import TYPE_CHECKING

import certifi
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook

from meetbook import __version__
from meetbook.core import addresses
from meetbook.core.db import unit_of_work
from meetbook.core.timefmt import format_instant, parse_instant
from meetbook.events.dispatcher import Outcome, growing_delays, new_delivery
from meetbook.tables.outbox import EMPLOYEE_CHANGED, DeliveryRow, EventRow
from meetbook.tables.webhooks import CONSUMER, WebhookRow, consumer_of
from meetbook.webhooks.service import GIVE_UP_AFTER, disable, webhook_id

if TYPE_CHECKING:
    import httpx

# The first retry within 30 seconds, backing off to every three hours, for three days.
RETRY_DELAYS = (5, 30, 120, 600, 1800, 3600, 3 * 3600)
TIMEOUT_SECONDS = 10.0  # the whole attempt: resolving, connecting, sending, the answer's status line
USER_AGENT = f"meetbook-webhooks/{__version__}"
ERROR_LENGTH = 300


def payload(event: EventRow) -> dict:
    """{type, timestamp, data}: data is the meeting as GET /bookme/meetings/{id} read at the moment of
    the change (no second call needed), or the employee as the configuration API reads it."""
    if event.kind == EMPLOYEE_CHANGED:
        data = dict(event.data["employee"])
        if event.data.get("deleted"):
            data["deleted"] = True
    else:
        data = event.data["meeting"]
    return {"type": event.kind, "timestamp": format_instant(event.occurred_at), "data": data}


def signature(secrets: list[str], msg_id: str, at: dt.datetime, body: str) -> str:
    # Several signatures, space-separated, while a rotated-out secret still signs.
    return " ".join(Webhook(secret).sign(msg_id, at, body) for secret in secrets)


class WebhookConsumer:
    name = CONSUMER
    lease_seconds = 60.0  # an attempt is bounded by its 10 s timeout
    retry_delay = staticmethod(growing_delays(RETRY_DELAYS))

    def __init__(self, sessions: async_sessionmaker[AsyncSession], policy: addresses.Policy):
        self._sessions = sessions
        self.policy = policy
        # One TLS context for every attempt (loading the CA bundle each time costs more than the call).
        self._tls = ssl.create_default_context(cafile=certifi.where())

    async def plan(self, session: AsyncSession, event: EventRow, now: dt.datetime) -> None:
        subscriptions = (await session.scalars(
            select(WebhookRow).where(WebhookRow.enabled.is_(True)).order_by(WebhookRow.created_at, WebhookRow.id)
        )).all()
        for subscription in subscriptions:
            # Only what happened once it was subscribed: a new subscription is not sent the backlog.
            if subscription.wants(event.kind) and subscription.created_at <= event.occurred_at:
                new_delivery(session, event, consumer_of(subscription.id), event.kind, now=now, give_up_after=GIVE_UP_AFTER,
                             recipient=subscription.url, ordering_key=event.subject_id)

    async def deliver(self, delivery: DeliveryRow, event: EventRow, now: dt.datetime) -> Outcome:
        subscription_id = delivery.consumer.partition(":")[2]
        async with unit_of_work(self._sessions) as session:
            subscription = await session.get(WebhookRow, subscription_id)
            if subscription is None or not subscription.enabled:
                state = "deleted" if subscription is None else "disabled"
                return Outcome(ok=False, skipped=True, error=f"not sent: the webhook was {state}")
            secrets = [subscription.secret]
            if subscription.previous_secret and subscription.previous_secret_until and subscription.previous_secret_until > now:
                secrets.append(subscription.previous_secret)
            url = subscription.url
        outcome = await self.post(url, webhook_id(delivery), json.dumps(payload(event), separators=(",", ":")), secrets)
        first_attempt = delivery.detail.get("firstAttemptAt") or format_instant(now)
        outcome.detail = {"firstAttemptAt": first_attempt, "url": url}
        await self._follow(subscription_id, delivery, outcome, now, first_attempt)
        return outcome

    async def post(self, url: str, msg_id: str, body: str, secrets: list[str]) -> Outcome:
        """One signed POST. Never raises for the receiver's failures: they are the Outcome."""
        # On the first delivery, not with the module: httpx brings its command line's click, rich and
        # pygments (about 9 MB of every server worker, most of which never deliver a webhook).
        import httpx

        started = time.monotonic()

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                target = await addresses.resolve(url, self.policy)
                # The request goes to the checked IP (no second lookup that DNS rebinding could
                # answer differently); the Host header and TLS SNI carry the name, so virtual hosts
                # route it and the certificate is verified against the name, not the IP.
                request_url = httpx.URL(url).copy_with(host=target.address)
                signed_at = dt.datetime.now(dt.UTC)  # the receiver compares it with its own clock (5 min tolerance)
                headers = {
                    "content-type": "application/json", "user-agent": USER_AGENT, "webhook-id": msg_id,
                    "webhook-timestamp": str(int(signed_at.timestamp())),
                    "webhook-signature": signature(secrets, msg_id, signed_at, body), "host": target.host_header,
                }
                extensions = {} if target.host_is_address else {"sni_hostname": target.host}
                # A client per attempt: a pooled connection opened for another name on the same IP
                # must never carry this request. No redirects (they could lead inside), no proxy from
                # the environment (the connection goes where it was checked).
                async with httpx.AsyncClient(verify=self._tls, trust_env=False, follow_redirects=False,
                                             timeout=TIMEOUT_SECONDS) as client:
                    request = client.build_request("POST", request_url, content=body.encode(), headers=headers,
                                                   extensions=extensions)
                    response = await client.send(request, stream=True)
                    try:
                        if 200 <= response.status_code < 300:
                            return Outcome(ok=True, response_code=response.status_code, duration_ms=elapsed())
                        said = await _start_of(response)
                    finally:
                        await response.aclose()
                return Outcome.failed(f"HTTP {response.status_code}" + (f": {said}" if said else ""),
                                      response_code=response.status_code, duration_ms=elapsed())
        except addresses.Refused as refused:
            return Outcome.failed(f"refused before connecting: {refused}"[:ERROR_LENGTH], duration_ms=elapsed())
        except TimeoutError:
            return Outcome.failed(f"no answer within {TIMEOUT_SECONDS:g} s", duration_ms=elapsed())
        except httpx.HTTPError as exc:
            return Outcome.failed(f"{type(exc).__name__}: {exc or 'the connection failed'}"[:ERROR_LENGTH], duration_ms=elapsed())

    async def _follow(
        self, subscription_id: str, delivery: DeliveryRow, outcome: Outcome, now: dt.datetime, first_attempt: str
    ) -> None:
        """The subscription's health: a success clears its failing streak; a delivery that fails for
        good with nothing getting through since its first attempt (three days) disables it."""
        async with unit_of_work(self._sessions) as session:
            if outcome.ok:
                await session.execute(update(WebhookRow).values(failing_since=None)
                                      .where(WebhookRow.id == subscription_id, WebhookRow.failing_since.is_not(None)))
                return
            await session.execute(update(WebhookRow).values(failing_since=now)
                                  .where(WebhookRow.id == subscription_id, WebhookRow.failing_since.is_(None)))
            # The last attempt: a retry at the deadline itself would be given up when claimed, unattempted.
            final = now + dt.timedelta(seconds=self.retry_delay(delivery.attempts)) >= delivery.give_up_at
            if not final:
                return
            subscription = await session.get(WebhookRow, subscription_id)
            started = parse_instant(first_attempt)
            if subscription is not None and subscription.enabled and subscription.failing_since is not None \
                    and subscription.failing_since <= started:
                since = format_instant(subscription.failing_since)
                await disable(session, subscription, f"disabled automatically: every delivery failed since {since} "
                              f"(3 days of retries); the last: {outcome.error}", now, keep=delivery.id)


async def _start_of(response: httpx.Response) -> str:
    """The first few hundred characters the receiver said, for the delivery log (never the whole body)."""
    chunk = b""
    async for part in response.aiter_bytes():
        chunk += part
        if len(chunk) >= ERROR_LENGTH:
            break
    return " ".join(chunk[:ERROR_LENGTH].decode("utf-8", "replace").split())
