"""Push: the outbox's `caldav` consumer writes each meeting into its advisors' connected calendars.

One delivery per event and connected advisor (the main one, the additional ones, and those the
meeting no longer includes after a move). An attempt writes the meeting as it reads at that moment,
under its UID (`<meeting id>@<uid domain>`, as the .ics download) at `meetbook-<meeting id>.ics`: a
booked meeting as CONFIRMED, a cancelled one, or one this advisor is no longer on, as CANCELLED (kept
in the calendar, struck through, rather than deleted: the advisor sees what happened). Writing the
current state makes a retried or late attempt harmless, and one advisor's deliveries of one meeting go
in event order (the ordering key). A calendar that is down is retried with growing delays.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from meetbook.calendarsync import crypto
from meetbook.calendarsync.caldav_source import Account, CalDav, CalendarUnavailable, calendar_policy
from meetbook.core.config import Settings
from meetbook.core.db import unit_of_work
from meetbook.core.timefmt import parse_instant
from meetbook.events.dispatcher import Outcome, growing_delays, new_delivery
from meetbook.meetings.ical import advisor_name, meeting_event, new_calendar
from meetbook.tables import catalog as m
from meetbook.tables.calendar import CalendarConnectionRow, CalendarPushRow
from meetbook.tables.meetings import BOOKED, MeetingRow
from meetbook.tables.outbox import MEETING_BOOKED, MEETING_CANCELLED, MEETING_CHANGED, MEETING_RESCHEDULED, DeliveryRow, EventRow

CONSUMER = "caldav"
PUSHED = (MEETING_BOOKED, MEETING_RESCHEDULED, MEETING_CHANGED, MEETING_CANCELLED)
# The first retry within a minute, then backing off to hourly.
RETRY_DELAYS = (30, 60, 300, 900, 1800, 3600)
# Retried for a week, but not past the meeting's end: a meeting over is no use in a calendar.
GIVE_UP_AFTER = dt.timedelta(days=7)
AT_LEAST = dt.timedelta(hours=1)


def resource_name(meeting_id: str) -> str:
    return f"meetbook-{meeting_id}.ics"


def _advisors(meeting: dict | None) -> list[str]:
    return [meeting["employeeId"], *meeting.get("additionalEmployees", [])] if meeting else []


class CalDavConsumer:
    name = CONSUMER
    retry_delay = staticmethod(growing_delays(RETRY_DELAYS))

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings):
        self._sessions = sessions
        self._settings = settings
        self._timeout = settings.calendar_timeout_seconds
        # Finding the calendar and writing: a few requests, each bounded by the timeout.
        self.lease_seconds = self._timeout * 4 + 30

    async def plan(self, session: AsyncSession, event: EventRow, now: dt.datetime) -> None:
        if event.kind not in PUSHED:
            return
        meeting = event.data["meeting"]
        advisors = list(dict.fromkeys(_advisors(meeting) + _advisors(event.data.get("previous"))))
        connected = set((await session.scalars(
            select(CalendarConnectionRow.employee_id).where(CalendarConnectionRow.employee_id.in_(advisors))
        )).all())
        end = parse_instant(meeting["endDate"])
        give_up_at = max(now + AT_LEAST, min(now + GIVE_UP_AFTER, end))
        for employee_id in advisors:
            if employee_id in connected:
                new_delivery(session, event, CONSUMER, event.kind, now=now, give_up_after=GIVE_UP_AFTER, give_up_at=give_up_at,
                             recipient=employee_id, ordering_key=f"{event.subject_id}:{employee_id}")

    async def deliver(self, delivery: DeliveryRow, event: EventRow, now: dt.datetime) -> Outcome:
        async with unit_of_work(self._sessions) as session:
            connected = CalendarConnectionRow.employee_id == delivery.recipient
            connection = await session.scalar(select(CalendarConnectionRow).where(connected))
            meeting = await session.get(MeetingRow, delivery.subject_id)
            if connection is None or meeting is None:
                gone = "the advisor's calendar is no longer connected, or the meeting is gone"
                return Outcome(ok=False, skipped=True, error=gone)
            try:
                password = crypto.decrypt(self._settings, connection.password_encrypted)
            except crypto.NoKey as exc:
                return Outcome.failed(str(exc))
            ics, confirmed = await self._calendar(session, meeting, delivery.recipient)
            account = Account(connection.url, connection.username, password, self._timeout, calendar_policy(self._settings))
            connection_id, calendar_url = connection.id, connection.calendar_url
        began = time.perf_counter()
        try:
            href, status = await asyncio.wait_for(
                asyncio.to_thread(self._put, account, calendar_url, resource_name(meeting.id), ics), self._timeout * 4
            )
        except CalendarUnavailable as exc:
            return Outcome.failed(exc.message, permanent=exc.permanent, response_code=exc.status)
        except TimeoutError:
            return Outcome.failed(f"the calendar did not answer within {self._timeout * 4:g} s")
        took = int((time.perf_counter() - began) * 1000)
        async with unit_of_work(self._sessions) as session:
            if await session.get(CalendarConnectionRow, connection_id) is not None:
                push = await session.get(CalendarPushRow, (connection_id, meeting.id))
                if push is None:
                    push = CalendarPushRow(connection_id=connection_id, meeting_id=meeting.id)
                    session.add(push)
                push.href, push.sequence, push.cancelled = href, meeting.sequence, not confirmed
                push.pushed_at, push.conflict_at = now, None
        return Outcome(ok=True, response_code=status, duration_ms=took,
                       detail={"href": href, "sequence": meeting.sequence, "status": "CONFIRMED" if confirmed else "CANCELLED"})

    @staticmethod
    def _put(account: Account, calendar_url: str | None, name: str, ics: bytes) -> tuple[str, int]:
        with CalDav(account) as calendar:
            url = calendar_url or calendar.collection(account.url).url
            return calendar.put(url, name, ics)

    async def _calendar(self, session: AsyncSession, meeting: MeetingRow, employee_id: str) -> tuple[bytes, bool]:
        """The meeting's VEVENT as in the .ics download (UID, SEQUENCE), titled for the advisor as in their
        calendar feed, without the customer as an attendee: a server that schedules (RFC 6638) would
        otherwise invite the customer a second time, from the advisor's address."""
        on_it = employee_id == meeting.employee_id or employee_id in (meeting.additional_employees or ())
        confirmed = meeting.status == BOOKED and on_it
        employee = await session.get(m.EmployeeRow, meeting.employee_id)
        room = await session.get(m.RoomRow, meeting.room_id) if meeting.room_id else None
        branch_key = room.location if room else meeting.location
        branch = await session.scalar(select(m.LocationRow).where(m.LocationRow.location == branch_key)) if branch_key else None
        topic = await session.get(m.TopicRow, meeting.topic_id) if meeting.topic_id else None
        settings = await session.get(m.OrganizationSettings, 1) or m.OrganizationSettings()
        what = ": ".join(filter(None, [topic.name if topic else None, meeting.customer_name]))
        event = meeting_event(
            meeting, employee=employee, room=room, branch=branch, topic=topic, settings=settings,
            title=meeting.title or what or f"Meeting with {advisor_name(employee)}", description=None, location=None,
            stamp=meeting.date_modified, uid_domain=self._settings.ical_uid_domain, invite_customer=False,
        )
        if not confirmed and str(event.get("STATUS")) != "CANCELLED":
            del event["STATUS"]  # booked still, but no longer with this advisor: gone from their calendar
            event.add("status", "CANCELLED")
        calendar = new_calendar()
        del calendar["METHOD"]  # a stored calendar object has no iTIP method (RFC 4791 4.1)
        calendar.add_component(event)
        return calendar.to_ical(), confirmed
