"""Delivering the outbox: events become each consumer's deliveries, and due deliveries go out.

One round (`run_once`):
1. plan: events not yet planned are handed to every consumer, which adds its deliveries (one
   e-mail per recipient, one call per webhook subscription) in the same transaction that marks
   the event planned. One process plans at a time (an advisory lock on PostgreSQL, the write lock on
   SQLite), so one subject's deliveries appear in the order of its events.
2. claim: due deliveries are claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite has one
   writer), and their next attempt pushed past a lease, all in a short transaction. A delivery
   whose ordering key has an earlier delivery still pending waits for it.
3. deliver: outside any transaction, a few at a time; then the outcome is written. A process that
   dies between 2 and 3 leaves the delivery due again once the lease runs out: nothing is lost,
   and a re-sent message carries the same id.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import bindparam, exists, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from meetbook.core.clock import Clock
from meetbook.core.db import unit_of_work
from meetbook.tables.outbox import FAILED, PENDING, SENT, SKIPPED, WAKE, DeliveryRow, EventRow

log = logging.getLogger("meetbook.events")

# Planning is one process at a time: a transaction-scoped advisory lock, tried, never waited for.
_PLAN_LOCK = text("SELECT pg_try_advisory_xact_lock(hashtextextended('meetbook.outbox.plan', 0))")


@dataclass
class Outcome:
    """What one attempt of a delivery came to."""

    ok: bool
    error: str | None = None
    permanent: bool = False  # retrying cannot help (a mailbox that does not exist): give up now
    skipped: bool = False  # no longer wanted (a reminder of a meeting that was cancelled meanwhile)
    response_code: int | None = None
    duration_ms: int | None = None
    detail: dict = field(default_factory=dict)  # merged into the delivery's detail

    @classmethod
    def failed(cls, error: str, **kwargs) -> Outcome:
        return cls(ok=False, error=error, **kwargs)


class Consumer(Protocol):
    """One kind of delivery. `name` is the delivery rows' `consumer` column, or its prefix before ':'."""

    name: str
    lease_seconds: float  # at least the longest an attempt can take

    async def plan(self, session: AsyncSession, event: EventRow, now: dt.datetime) -> None:
        """Add this consumer's deliveries of `event` to the session (see `new_delivery`)."""

    async def deliver(self, delivery: DeliveryRow, event: EventRow, now: dt.datetime) -> Outcome:
        """Make one attempt. Must not raise for the receiver's failures; an exception counts as one."""

    def retry_delay(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th failed attempt."""


def new_delivery(
    session: AsyncSession, event: EventRow, consumer: str, kind: str, *, now: dt.datetime, due_at: dt.datetime | None = None,
    give_up_after: dt.timedelta, recipient: str | None = None, ordering_key: str | None = None, detail: dict | None = None,
    give_up_at: dt.datetime | None = None,
) -> DeliveryRow:
    due = due_at or now
    row = DeliveryRow(
        event_id=event.id, consumer=consumer, kind=kind, subject_id=event.subject_id, recipient=recipient,
        ordering_key=ordering_key, status=PENDING, due_at=due, next_attempt_at=due,
        give_up_at=give_up_at or due + give_up_after, attempts=0, detail=detail or {}, created_at=now,
    )
    session.add(row)
    return row


def growing_delays(schedule: Sequence[float]):
    """A retry_delay from a schedule: the n-th failure waits schedule[n-1], the last one thereafter."""

    def delay(attempts: int) -> float:
        return schedule[min(max(attempts, 1), len(schedule)) - 1]

    return delay


class Dispatcher:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], consumers: Sequence[Consumer], clock: Clock, *,
        batch: int = 50, concurrency: int = 8,
    ):
        self._sessions = sessions
        self._consumers = list(consumers)
        self._clock = clock
        self._batch = batch
        self._concurrency = asyncio.Semaphore(concurrency)
        self._wakeup: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # Every write session of this process wakes the dispatcher once its events are committed.
        sessions.configure(info={WAKE: self.wake})

    def consumer_of(self, delivery: DeliveryRow) -> Consumer | None:
        name = delivery.consumer.partition(":")[0]
        return next((c for c in self._consumers if c.name == name), None)

    def wake(self) -> None:
        """Called after a commit that wrote events (from any thread): deliver now, not at the next poll."""
        if self._wakeup is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wakeup.set)

    async def run_forever(self, poll_seconds: float) -> None:
        """Rounds until cancelled: woken by new events, and every `poll_seconds` for retries and
        reminders that have come due. A failing round is logged and the next one tries again."""
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        while True:
            try:
                busy = await self.run_once()
            except Exception:
                log.exception("delivering the outbox failed; trying again")
                busy = 0
            if busy:
                continue  # more may be due at once
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), poll_seconds)
            self._wakeup.clear()

    async def run_once(self) -> int:
        """One round: plan new events, claim what is due, deliver it. Returns the work done (events
        planned plus attempts made)."""
        planned = await self.plan()
        claimed = await self._claim()
        if claimed:
            outcomes = await asyncio.gather(*(self._attempt(delivery, event) for delivery, event in claimed))
            await self._record(list(zip((d for d, _ in claimed), outcomes)))
        return planned + len(claimed)

    async def run_until_idle(self, max_rounds: int = 50) -> int:
        """Rounds until nothing is left to do now (tests, and `meetbook worker --once`)."""
        total = 0
        for _ in range(max_rounds):
            done = await self.run_once()
            if not done:
                break
            total += done
        return total

    async def plan(self) -> int:
        now = self._clock.now()
        async with unit_of_work(self._sessions) as session:
            if session.bind.dialect.name == "postgresql" and not await session.scalar(_PLAN_LOCK):
                return 0  # another process is planning; its deliveries will be claimed by anyone
            events = (await session.scalars(
                select(EventRow).where(EventRow.planned_at.is_(None)).order_by(EventRow.id).limit(self._batch)
            )).all()
            for event in events:
                for consumer in self._consumers:
                    await consumer.plan(session, event, now)
                event.planned_at = now
            return len(events)

    async def _claim(self) -> list[tuple[DeliveryRow, EventRow]]:
        now = self._clock.now()
        earlier = aliased(DeliveryRow)
        waits_for_earlier = exists().where(
            earlier.consumer == DeliveryRow.consumer,
            earlier.ordering_key == DeliveryRow.ordering_key,
            earlier.status == PENDING,
            earlier.event_id < DeliveryRow.event_id,
        )
        query = (
            select(DeliveryRow)
            .where(DeliveryRow.status == PENDING, DeliveryRow.next_attempt_at <= now)
            .where((DeliveryRow.ordering_key.is_(None)) | ~waits_for_earlier)
            .order_by(DeliveryRow.next_attempt_at, DeliveryRow.event_id)
            .limit(self._batch)
            .with_for_update(skip_locked=True, of=DeliveryRow)
        )
        async with unit_of_work(self._sessions) as session:
            deliveries = (await session.scalars(query)).all()
            claimed = []
            for delivery in deliveries:
                consumer = self.consumer_of(delivery)
                if consumer is None:  # a consumer this process does not run (switched off here)
                    continue
                if delivery.give_up_at <= now:
                    # Its time has passed (a reminder of a meeting that has begun, a day of retries
                    # over while every process was down): never sent late.
                    delivery.status = SKIPPED if delivery.attempts == 0 else FAILED
                    delivery.next_attempt_at = None
                    delivery.finished_at = now
                    delivery.last_error = f"not delivered by {delivery.give_up_at.isoformat()}, when it was no longer useful"
                    continue
                delivery.attempts += 1
                delivery.last_attempt_at = now
                delivery.next_attempt_at = now + dt.timedelta(seconds=consumer.lease_seconds)
                claimed.append(delivery)
            events = {}
            if claimed:
                ids = {d.event_id for d in claimed}
                events = {e.id: e for e in (await session.scalars(select(EventRow).where(EventRow.id.in_(ids)))).all()}
                for consumer in self._consumers:
                    prepare = getattr(consumer, "prepare", None)
                    mine = [d for d in claimed if self.consumer_of(d) is consumer]
                    if prepare is not None and mine:
                        await prepare(session, mine, now)  # what its attempts read, in this one transaction
            return [(d, events[d.event_id]) for d in claimed]

    async def _attempt(self, delivery: DeliveryRow, event: EventRow) -> Outcome:
        consumer = self.consumer_of(delivery)
        async with self._concurrency:
            try:
                return await consumer.deliver(delivery, event, self._clock.now())
            except Exception as exc:  # a bug or an unforeseen failure counts as a failed attempt
                log.exception("delivery %s (%s to %s) raised", delivery.id, delivery.kind, delivery.recipient)
                return Outcome.failed(f"{type(exc).__name__}: {exc}")

    async def _record(self, attempts: list[tuple[DeliveryRow, Outcome]]) -> None:
        """The round's outcomes in one transaction."""
        now = self._clock.now()
        rows = []
        for delivery, outcome in attempts:
            consumer = self.consumer_of(delivery)
            values = {
                "b_id": delivery.id, "b_attempts": delivery.attempts, "response_code": outcome.response_code,
                "duration_ms": outcome.duration_ms, "detail": {**delivery.detail, **outcome.detail},
                "status": PENDING, "finished_at": None, "next_attempt_at": None, "last_error": outcome.error,
            }
            if outcome.ok or outcome.skipped:
                values.update(status=SENT if outcome.ok else SKIPPED, finished_at=now, last_error=None if outcome.ok else outcome.error)
            else:
                retry_at = now + dt.timedelta(seconds=consumer.retry_delay(delivery.attempts))
                if outcome.permanent or retry_at > delivery.give_up_at:
                    values.update(status=FAILED, finished_at=now)
                    log.warning("delivery %s (%s to %s) failed for good after %d attempt(s): %s",
                                delivery.id, delivery.kind, delivery.recipient, delivery.attempts, outcome.error)
                else:
                    values.update(next_attempt_at=retry_at)
                    log.info("delivery %s (%s to %s) attempt %d failed, next at %s: %s",
                             delivery.id, delivery.kind, delivery.recipient, delivery.attempts, retry_at.isoformat(), outcome.error)
            rows.append(values)
        table = DeliveryRow.__table__
        async with unit_of_work(self._sessions) as session:
            # Only the attempt that holds the claim writes its outcome (a lease that ran out may
            # have been claimed again elsewhere: that attempt reports instead).
            await session.execute(
                update(table)
                .where(table.c.id == bindparam("b_id"), table.c.attempts == bindparam("b_attempts"), table.c.status == PENDING)
                .values(status=bindparam("status"), finished_at=bindparam("finished_at"), next_attempt_at=bindparam("next_attempt_at"),
                        last_error=bindparam("last_error"), response_code=bindparam("response_code"),
                        duration_ms=bindparam("duration_ms"), detail=bindparam("detail")),
                rows,
            )
