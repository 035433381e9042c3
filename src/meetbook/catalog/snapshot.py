"""The bank's configuration as the engine's frozen `Bank`, cached until the next configuration write."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import math
import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.availability import model as a
from meetbook.catalog.convert import DAY_INDEX
from meetbook.catalog.store import CONFIGURATION_WRITTEN, configuration_version, local_writes, organization_settings
from meetbook.core.replica import PRIMARY_READS
from meetbook.tables import catalog as m


class SnapshotCache:
    """One snapshot per process, reloaded when the configuration version moves.

    Reading the version is one primary-key lookup, but it is a round trip on every request; so
    a process checks at most every `recheck_seconds`. Writes committed through this process are
    seen at once (they count in `local_writes`), and a transaction that wrote configuration
    always reads it; other processes' writes are seen within `recheck_seconds`.

    A search on the replica (core.replica) still reads the version and the bank from the primary:
    this one snapshot also serves reserves and bookings, and a lagging replica's older version
    would swap an older configuration in for them (and reload back and forth with the primary's).
    """

    def __init__(self, recheck_seconds: float = 0.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._version: int | None = None
        self._bank: a.Bank | None = None
        self._lock = asyncio.Lock()
        self._recheck = recheck_seconds
        self._monotonic = monotonic
        self._checked_at = -math.inf
        self._writes_seen = -1

    async def get(self, session: AsyncSession) -> a.Bank:
        writes = local_writes()
        if (
            self._bank is not None
            and writes == self._writes_seen
            and not session.info.get(CONFIGURATION_WRITTEN)
            and self._monotonic() - self._checked_at < self._recheck
        ):
            return self._bank
        primary = session.info.get(PRIMARY_READS)
        if primary is not None:
            async with primary() as on_primary:
                return await self._refresh(on_primary, writes)
        return await self._refresh(session, writes)

    async def _refresh(self, session: AsyncSession, writes: int) -> a.Bank:
        checked_at = self._monotonic()
        version = await configuration_version(session)
        if self._bank is None or version != self._version:
            async with self._lock:
                if self._bank is None or version != self._version:
                    self._bank = await load_bank(session)
                    self._version = version
                    _keep_out_of_gc()
        if not session.info.get(CONFIGURATION_WRITTEN):  # an uncommitted version is no reason to wait
            self._checked_at, self._writes_seen = checked_at, writes
        return self._bank

    def clear(self) -> None:
        self._bank = None
        self._version = None
        self._checked_at = -math.inf


def _keep_out_of_gc() -> None:
    """Move what is alive now (the snapshot: hundreds of thousands of small objects for a big
    bank) out of the collector's sight. Otherwise every search, which allocates tens of thousands
    of rows, sets off full collections that walk the whole snapshot again: 80 ms a request was
    measured at 500 advisors. A replaced snapshot is freed at the next reload."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _workdays(raw: list[dict], home: str | None) -> tuple[a.Workday | None, ...]:
    days: list[a.Workday | None] = [None] * 7
    for w in raw or []:
        days[DAY_INDEX[w["dayOfWeek"]]] = a.Workday(
            is_available=bool(w.get("isAvailable", True)),
            start_minute=int(w["from"]),
            end_minute=int(w["to"]),
            # A workday without a branch is spent at the advisor's home branch.
            location=w.get("location") or home,
            meeting_types=frozenset(w.get("availableMeetingTypes") or ()),
        )
    return tuple(days)


async def load_bank(session: AsyncSession) -> a.Bank:
    s = await organization_settings(session)
    rules = (await session.scalars(select(m.PriorityRuleRow).order_by(m.PriorityRuleRow.position))).all()
    settings = a.BankSettings(
        time_zone=s.time_zone,
        opening_minute=s.opening_minute,
        closing_minute=s.closing_minute,
        closing_days=frozenset(dt.date.fromisoformat(d) for d in s.closing_days or ()),
        default_duration_seconds=s.default_meeting_duration,
        buffer_seconds=s.buffer_between_meetings,
        minimum_notice_seconds=s.working_time_buffer,
        max_ahead_seconds=s.max_time_from_booking_to_meeting,
        max_seconds_per_day=s.max_meeting_time_per_day,
        max_holds_per_customer=s.max_holds_per_customer,
        bank_name=s.bank_name,
        default_language=s.default_language or "da-DK",
        send_confirmation_to_customer=s.send_confirmation_to_customer is not False,
        reminder_lead_seconds=tuple(s.reminder_lead_times if s.reminder_lead_times is not None else (86400,)),
        priority_rules=tuple(a.PriorityRule(r.type, r.label) for r in rules) or a.DEFAULT_PRIORITY_RULES,
    )
    schedules = {r.employee_id: r for r in (await session.scalars(select(m.EmployeeScheduleRow))).all()}
    advisors = {}
    for e in (await session.scalars(select(m.EmployeeRow))).all():
        sch = schedules.get(e.id)
        advisors[e.id] = a.Advisor(
            id=e.id,
            workdays=_workdays(sch.workdays, e.location) if sch else (None,) * 7,
            # An employee without a schedule has no working hours, so nothing to offer anyway.
            can_be_booked=sch.can_be_booked if sch else False,
            only_explicit=sch.is_only_explicitly_available if sch else False,
            skill_topic_ids=frozenset(e.skill_topic_ids or ()),
            skill_customer_type_ids=frozenset(e.skill_customer_type_ids or ()),
            max_seconds_per_day=sch.max_meeting_time_per_day if sch else None,
        )
    topics = {
        t.id: a.Topic(
            id=t.id,
            parent_id=t.parent_id,
            customer_type_ids=frozenset(t.customer_type_ids or ()),
            duration_seconds=t.meeting_duration,
            meeting_types=frozenset(t.meeting_types or ()),
        )
        for t in (await session.scalars(select(m.TopicRow))).all()
    }
    rooms = {
        r.id: a.Room(id=r.id, name=r.name, location=r.location, can_be_booked=r.can_be_booked)
        for r in (await session.scalars(select(m.RoomRow))).all()
    }
    locations = {
        loc.location: a.Location(name=loc.location, require_available_room=loc.require_available_room)
        for loc in (await session.scalars(select(m.LocationRow))).all()
    }
    competence_groups = {
        g.id: a.CompetenceGroup(
            id=g.id,
            parent_id=g.parent_group_id,
            employee_ids=frozenset(g.employee_ids or ()),
            topic_ids=frozenset(g.topic_ids or ()),
            customer_type_ids=frozenset(g.customer_type_ids or ()),
        )
        for g in (await session.scalars(select(m.CompetenceGroupRow))).all()
    }
    service_groups = {}
    for g in (await session.scalars(select(m.ServiceGroupRow))).all():
        trigger, level = g.service_trigger or {}, g.service_level or {}
        service_groups[g.id] = a.ServiceGroup(
            id=g.id,
            labels=frozenset(g.labels or ()),
            employee_ids=frozenset(g.employee_ids or ()),
            competence_group_ids=frozenset(g.competence_group_ids or ()),
            max_seconds_per_day=g.max_meeting_time_per_day,
            trigger_topic_ids=frozenset(trigger.get("topicIds") or ()),
            trigger_customer_type_ids=frozenset(trigger.get("customerTypeIds") or ()),
            trigger_customer_locations=frozenset(trigger.get("customerLocations") or ()),
            level_meeting_types=frozenset(level.get("meetingTypes") or ()),
            level_locations=frozenset(level.get("locations") or ()),
        )
    return a.Bank(
        settings=settings,
        advisors=advisors,
        topics=topics,
        rooms=rooms,
        locations=locations,
        competence_groups=competence_groups,
        service_groups=service_groups,
        customer_type_ids=frozenset((await session.scalars(select(m.CustomerTypeRow.id))).all()),
    )
