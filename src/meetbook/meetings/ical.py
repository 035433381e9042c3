"""A meeting as an RFC 5545 calendar file, with a UID stable per meeting.

`meeting_event` builds the one VEVENT of a meeting; the `.ics` download and the calendar feeds
(`meetbook.feeds`) both use it, so a meeting has one UID and SEQUENCE wherever a calendar finds it.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event, vCalAddress, vText

from meetbook.catalog.localized import BASE_LANGUAGE, pick
from meetbook.tables import catalog as m
from meetbook.tables.meetings import CANCELLED, MeetingRow

PRODID = "-//meetbook//Customer meeting booking//EN"
TYPE_NAMES = {"Online": "Online meeting", "Telephone": "Telephone meeting", "OffSite": "Off-site meeting"}
# The file's own words in the customer's language (kl-GL reads the Danish ones).
WORDS = {
    "da-DK": {"title": "Møde med {{employee}}",
              "types": {"Online": "Onlinemøde", "Telephone": "Telefonmøde", "OffSite": "Møde ude af huset"}},
    "en-GB": {"title": "Meeting with {{employee}}", "types": TYPE_NAMES},
}


def _render(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", value).replace("{{ " + key + " }}", value)
    return template


def advisor_name(employee: m.EmployeeRow) -> str:
    return employee.display_name or " ".join(filter(None, [employee.first_name, employee.last_name])) or employee.initials


def event_uid(meeting: MeetingRow, uid_domain: str) -> str:
    return f"{meeting.id}@{uid_domain}"


def new_calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    return calendar


def meeting_event(
    meeting: MeetingRow,
    *,
    employee: m.EmployeeRow,
    room: m.RoomRow | None,
    branch: m.LocationRow | None,
    topic: m.TopicRow | None,
    settings: m.OrganizationSettings,
    title: str | None,
    description: str | None,
    location: str | None,
    stamp: dt.datetime,
    uid_domain: str,
    invite_customer: bool = True,
    language: str | None = None,
) -> Event:
    """The meeting's VEVENT. `title`, `description` and `location` replace the defaults when given;
    `invite_customer=False` leaves out the customer's e-mail address (a feed is read by whoever holds its URL).
    `language` (da-DK, en-GB, kl-GL): the default words and the topic's and branch's names in it; the bank's
    iCalMeetingTitle and iCalMeetingDescription are written in its default language, so another language gets ours."""
    advisor = advisor_name(employee)
    words = WORDS.get(language, WORDS[BASE_LANGUAGE]) if language else None
    bank_words = language is None or language == (settings.default_language or BASE_LANGUAGE)
    topic_name = (pick(topic.name, topic.names, language) if language else topic.name) if topic else ""
    values = {"employee": advisor, "topic": topic_name, "type": meeting.type}
    own_title = settings.ical_meeting_title if bank_words else None
    default_title = _render(own_title or (words["title"] if words else "Meeting with {{employee}}"), values)
    own_description = settings.ical_meeting_description if bank_words else None
    default_description = _render(own_description or "", values) or (meeting.description or "")

    if location is None:
        if meeting.type == "Physical":
            branch_name = (branch.display_name or branch.location) if branch else meeting.location
            if branch and language:
                branch_name = pick(branch_name, branch.names, language)
            parts = [room.name if room else None, branch_name]
            if branch and branch.address:
                parts.append(branch.address)
            location = ", ".join(p for p in parts if p) or None
        else:
            location = (words["types"] if words else TYPE_NAMES).get(meeting.type, meeting.type)
            if meeting.video_link:
                location = f"{location}: {meeting.video_link}"

    event = Event()
    event.add("uid", event_uid(meeting, uid_domain))
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", meeting.start.astimezone(dt.UTC))
    event.add("dtend", meeting.end.astimezone(dt.UTC))
    event.add("created", meeting.date_created.astimezone(dt.UTC))
    event.add("last-modified", meeting.date_modified.astimezone(dt.UTC))
    event.add("sequence", meeting.sequence)
    event.add("summary", title if title is not None else (meeting.title or default_title))
    event.add("description", description if description is not None else default_description)
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if meeting.status == CANCELLED else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{employee.email}")
    organizer.params["cn"] = vText(advisor)
    event.add("organizer", organizer)
    if invite_customer and meeting.customer_email:
        attendee = vCalAddress(f"mailto:{meeting.customer_email}")
        if meeting.customer_name:
            attendee.params["cn"] = vText(meeting.customer_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    if meeting.video_link:
        event.add("url", meeting.video_link)
    return event


def build_ical(
    meeting: MeetingRow,
    *,
    employee: m.EmployeeRow,
    room: m.RoomRow | None,
    branch: m.LocationRow | None,
    topic: m.TopicRow | None,
    settings: m.OrganizationSettings,
    title: str | None,
    description: str | None,
    location: str | None,
    now: dt.datetime,
    uid_domain: str,
    language: str | None = None,
) -> bytes:
    calendar = new_calendar()
    calendar.add_component(
        meeting_event(
            meeting, employee=employee, room=room, branch=branch, topic=topic, settings=settings, title=title,
            description=description, location=location, stamp=now, uid_domain=uid_domain, language=language,
        )
    )
    return calendar.to_ical()
