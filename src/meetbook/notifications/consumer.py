"""E-mail as a consumer of the outbox: who gets which message for each meeting event, reminders,
and one attempt at sending one message.

Each recipient's message is its own delivery: its own language, its own retries, and a mailbox that
refuses (5xx) fails only that recipient. A recipient's messages about one meeting go out in the
order of the changes (the delivery's ordering key), so a calendar never sees CANCEL before REQUEST.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from meetbook.catalog.localized import pick
from meetbook.core.timefmt import parse_instant
from meetbook.events.dispatcher import Outcome, growing_delays, new_delivery
from meetbook.messages import MessageFacts, render
from meetbook.notifications.directory import Bank, Directory, DirectoryCache
from meetbook.notifications.itip import CANCEL, REQUEST, Attendee, itip_calendar
from meetbook.tables.meetings import MeetingRow
from meetbook.tables.outbox import (
    MEETING_BOOKED,
    MEETING_CANCELLED,
    MEETING_CHANGED,
    MEETING_RESCHEDULED,
    PENDING,
    SKIPPED,
    DeliveryRow,
    EventRow,
)

CONSUMER = "mail"
REMINDER = "reminder"
# The first retry within 30 seconds, then backing off to hourly; given up after a day.
RETRY_DELAYS = (20, 60, 300, 900, 1800, 3600)
GIVE_UP_AFTER = dt.timedelta(hours=24)
TYPE_WORDS = {"Online": "Online meeting", "Telephone": "Telephone meeting", "OffSite": "Off-site meeting"}
_KIND_OF_EVENT = {MEETING_BOOKED: "booked", MEETING_RESCHEDULED: "rescheduled", MEETING_CHANGED: "changed", MEETING_CANCELLED: "cancelled"}


@dataclass(frozen=True)
class Recipient:
    role: str  # customer | advisor | room
    address: str
    name: str | None
    language: str


def _topic_name(directory: Directory, topic_id: str | None, language: str) -> str | None:
    """The topic's name in the recipient's language (its own name without a translation)."""
    return pick(directory.topics.get(topic_id or ""), directory.topic_names.get(topic_id or ""), language) if topic_id else None


def recipients_of(meeting: dict, directory: Directory) -> list[Recipient]:
    """Who a meeting's messages go to, as it reads in an event: the customer (with an e-mail, when the
    bank sends to customers), the advisor, the additional advisors, the room's mailbox."""
    bank = directory.bank
    out: list[Recipient] = []
    if meeting.get("customerEmail") and bank.send_to_customer:
        out.append(Recipient("customer", meeting["customerEmail"], meeting.get("customerName"), meeting.get("language") or bank.default_language))
    for employee_id in dict.fromkeys([meeting["employeeId"], *meeting.get("additionalEmployees", [])]):
        advisor = directory.advisors.get(employee_id)
        if advisor is not None and advisor.email:
            out.append(Recipient("advisor", advisor.email, advisor.name, bank.default_language))
    room = directory.rooms.get(meeting.get("roomId") or "")
    if room is not None and room.email:
        out.append(Recipient("room", room.email, room.name, bank.default_language))
    seen: set[str] = set()
    unique = []
    for recipient in out:  # one message per mailbox, in the first role it has
        if recipient.address.lower() not in seen:
            seen.add(recipient.address.lower())
            unique.append(recipient)
    return unique


def _ordering_key(meeting_id: str, address: str) -> str:
    return f"{meeting_id}:{hashlib.sha256(address.lower().encode()).hexdigest()[:32]}"


class MailConsumer:
    name = CONSUMER
    lease_seconds = 120.0  # an SMTP conversation is bounded by its 30 s timeout
    retry_delay = staticmethod(growing_delays(RETRY_DELAYS))

    def __init__(self, sessions: async_sessionmaker[AsyncSession], transport, *, mail_from: str, uid_domain: str):
        self._sessions = sessions
        self._directories = DirectoryCache()
        self._directory: Directory | None = None  # as of this round's claim
        self._meetings: dict[str, tuple[str, dt.datetime]] = {}  # reminded meetings' (status, start) as of the claim
        self.transport = transport
        self.mail_from = mail_from
        self.uid_domain = uid_domain
        self.message_domain = mail_from.rpartition("@")[2] or uid_domain

    # --- planning: which messages an event makes ---------------------------------------------

    async def plan(self, session: AsyncSession, event: EventRow, now: dt.datetime) -> None:
        kind = _KIND_OF_EVENT.get(event.kind)
        if kind is None:
            return
        directory = await self._directories.get(session)
        bank = directory.bank
        meeting = event.data["meeting"]
        now_there = recipients_of(meeting, directory)
        before = recipients_of(event.data["previous"], directory) if event.data.get("previous") else []
        method = CANCEL if kind == "cancelled" else REQUEST
        for recipient in now_there:
            self._deliver_to(session, event, kind, method, recipient, now)
        # Someone the meeting no longer includes (another advisor after a move, a removed colleague,
        # a changed customer address) gets it taken out of their calendar.
        still = {r.address.lower() for r in now_there}
        for recipient in before:
            if recipient.address.lower() not in still:
                self._deliver_to(session, event, "cancelled", CANCEL, recipient, now, as_before=True)
        await self._rearm_reminders(session, event, meeting, bank, now_there, now)

    def _deliver_to(self, session, event: EventRow, kind: str, method: str, recipient: Recipient, now: dt.datetime,
                    as_before: bool = False) -> None:
        detail = {"role": recipient.role, "name": recipient.name, "language": recipient.language, "method": method}
        if as_before:
            detail["asBefore"] = True  # tell them about the meeting as they knew it
        new_delivery(
            session, event, CONSUMER, kind, now=now, give_up_after=GIVE_UP_AFTER, recipient=recipient.address,
            ordering_key=_ordering_key(event.subject_id, recipient.address), detail=detail,
        )

    async def _rearm_reminders(self, session, event: EventRow, meeting: dict, bank: Bank, recipients: list[Recipient], now) -> None:
        """Reminders follow the meeting: the pending ones go, and a booked meeting gets one per lead
        time still ahead (one already due at booking is left out: the invitation has just gone)."""
        await session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.subject_id == event.subject_id, DeliveryRow.consumer == CONSUMER, DeliveryRow.kind == REMINDER,
                   DeliveryRow.status == PENDING)
            .values(status=SKIPPED, next_attempt_at=None, finished_at=now, last_error="the meeting changed or was cancelled")
        )
        if meeting["status"] != "Booked":
            return
        start = parse_instant(meeting["startDate"])
        for lead in sorted(set(bank.reminder_leads), reverse=True):
            due = start - dt.timedelta(seconds=lead)
            if due <= now:
                continue
            for recipient in recipients:
                if recipient.role != "customer":
                    continue  # advisors and rooms have the meeting in their calendar
                new_delivery(
                    session, event, CONSUMER, REMINDER, now=now, due_at=due, give_up_after=GIVE_UP_AFTER, give_up_at=start,
                    recipient=recipient.address,
                    detail={"role": recipient.role, "name": recipient.name, "language": recipient.language, "leadSeconds": lead,
                            "start": meeting["startDate"]},
                )

    # --- delivering: one message -----------------------------------------------------------

    async def prepare(self, session: AsyncSession, deliveries: list[DeliveryRow], now: dt.datetime) -> None:
        """In the claim's transaction: the directory, and the reminded meetings as they are now, so the
        attempts themselves need no database."""
        self._directory = await self._directories.get(session)
        reminded = {d.subject_id for d in deliveries if d.kind == REMINDER}
        self._meetings = {}
        if reminded:
            rows = await session.execute(select(MeetingRow.id, MeetingRow.status, MeetingRow.start).where(MeetingRow.id.in_(reminded)))
            self._meetings = {row.id: (row.status, row.start) for row in rows}

    async def deliver(self, delivery: DeliveryRow, event: EventRow, now: dt.datetime) -> Outcome:
        if delivery.kind == REMINDER:
            status, start = self._meetings.get(delivery.subject_id, (None, None))
            if status != "Booked" or start != parse_instant(delivery.detail["start"]):
                return Outcome(ok=False, skipped=True, error="the meeting moved or was cancelled before the reminder")
        message = self.compose(self._directory, delivery, event, now)
        outcome = await self.transport.send(message, delivery.recipient)
        outcome.detail = {**outcome.detail, "messageId": message["Message-ID"]}
        return outcome

    def message_id(self, delivery: DeliveryRow) -> str:
        # Stable per delivery: a message sent again after a crash is recognisably the same one.
        return f"<{delivery.id}@{self.message_domain}>"

    def compose(self, directory: Directory, delivery: DeliveryRow, event: EventRow, now: dt.datetime) -> EmailMessage:
        bank = directory.bank
        detail = delivery.detail
        meeting = event.data["previous"] if detail.get("asBefore") else event.data["meeting"]
        language = detail["language"]
        advisor = directory.advisors.get(meeting["employeeId"])
        extras = [directory.advisors[e] for e in meeting.get("additionalEmployees", []) if e in directory.advisors]
        room = directory.rooms.get(meeting.get("roomId") or "")
        branch_key = room.location if room else meeting.get("location")
        branch = directory.branches.get(branch_key or "")
        previous = event.data.get("previous") or {}
        facts = MessageFacts(
            kind=delivery.kind, language=language, recipient_role=detail["role"], bank_name=bank.name, meeting_id=meeting["id"],
            start=parse_instant(meeting["startDate"]), end=parse_instant(meeting["endDate"]), time_zone=bank.time_zone,
            meeting_type=meeting["type"], topic=_topic_name(directory, meeting.get("topicId"), language), title=meeting.get("title"),
            description=meeting.get("description"), customer_name=meeting.get("customerName"),
            advisor_name=advisor.name if advisor else None,
            additional_advisors=tuple(e.name for e in extras),
            branch_name=pick(branch.name, branch.names, language) if branch else meeting.get("location"),
            branch_address=branch.address if branch else None, room_name=room.name if room else None,
            video_link=meeting.get("videoLink"), phone=meeting.get("customerPhone"),
            previous_start=parse_instant(previous["startDate"]) if previous.get("startDate") and delivery.kind == "rescheduled" else None,
            previous_end=parse_instant(previous["endDate"]) if previous.get("endDate") and delivery.kind == "rescheduled" else None,
            reminder_lead=dt.timedelta(seconds=detail["leadSeconds"]) if "leadSeconds" in detail else None,
        )
        rendered = render(facts, directory.templates.get((delivery.kind, language)))

        message = EmailMessage()
        message["Subject"] = rendered.subject
        message["From"] = Address(display_name=bank.name, addr_spec=self.mail_from)
        message["To"] = Address(display_name=detail.get("name") or "", addr_spec=delivery.recipient)
        message["Date"] = format_datetime(now.astimezone(dt.UTC))
        message["Message-ID"] = self.message_id(delivery)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
        message["X-Meetbook-Meeting"] = meeting["id"]
        message.set_content(rendered.text)
        message.add_alternative(rendered.html, subtype="html")
        method = detail.get("method")
        if method:
            ics = self._calendar(method, meeting, event, facts, rendered.subject, bank, advisor, extras, room, now)
            # RFC 6047: the method on the text/calendar part is what makes clients show an invitation.
            message.add_alternative(ics.decode(), subtype="calendar", params={"method": method})
            message.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics" if method == REQUEST else "cancel.ics")
        message["Content-Language"] = language  # after the parts: setting content replaces Content-* headers
        return message

    def _calendar(self, method, meeting, event, facts: MessageFacts, summary, bank: Bank, advisor, extras, room, now) -> bytes:
        attendees = []
        if meeting.get("customerEmail"):
            attendees.append(Attendee(meeting["customerEmail"], meeting.get("customerName"), "customer"))
        for person in [advisor, *extras]:
            if person is not None and person.email:
                attendees.append(Attendee(person.email, person.name, "advisor"))
        if room is not None and room.email:
            attendees.append(Attendee(room.email, room.name, "room"))
        if meeting["type"] == "Physical":
            location = ", ".join(p for p in (facts.room_name, facts.branch_name, facts.branch_address) if p) or None
        else:
            location = TYPE_WORDS.get(meeting["type"], meeting["type"])
            if meeting.get("videoLink"):
                location = f"{location}: {meeting['videoLink']}"
        return itip_calendar(
            method=method, uid=f"{meeting['id']}@{self.uid_domain}", sequence=event.data.get("sequence", 0),
            start=facts.start, end=facts.end, stamp=now, summary=meeting.get("title") or summary,
            description=meeting.get("description") or "", location=location, organizer=(self.mail_from, bank.name),
            attendees=attendees, url=meeting.get("videoLink"),
        )
