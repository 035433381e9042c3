"""A meeting as an RFC 5545 calendar file, with a UID stable per meeting."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event, vCalAddress, vText

from meetbook.tables import catalog as m
from meetbook.tables.meetings import CANCELLED, MeetingRow

PRODID = "-//meetbook//Customer meeting booking//EN"
TYPE_NAMES = {"Online": "Online meeting", "Telephone": "Telephone meeting", "OffSite": "Off-site meeting"}


def _render(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", value).replace("{{ " + key + " }}", value)
    return template


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
) -> bytes:
    advisor = employee.display_name or " ".join(filter(None, [employee.first_name, employee.last_name])) or employee.initials
    values = {"employee": advisor, "topic": topic.name if topic else "", "type": meeting.type}
    default_title = _render(settings.ical_meeting_title or "Meeting with {{employee}}", values)
    default_description = _render(settings.ical_meeting_description or "", values) or (meeting.description or "")

    if location is None:
        if meeting.type == "Physical":
            parts = [room.name if room else None, (branch.display_name or branch.location) if branch else meeting.location]
            if branch and branch.address:
                parts.append(branch.address)
            location = ", ".join(p for p in parts if p) or None
        else:
            location = TYPE_NAMES.get(meeting.type, meeting.type)
            if meeting.video_link:
                location = f"{location}: {meeting.video_link}"

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{meeting.id}@{uid_domain}")
    event.add("dtstamp", now.astimezone(dt.UTC))
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
    if meeting.customer_email:
        attendee = vCalAddress(f"mailto:{meeting.customer_email}")
        if meeting.customer_name:
            attendee.params["cn"] = vText(meeting.customer_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    if meeting.video_link:
        event.add("url", meeting.video_link)
    calendar.add_component(event)
    return calendar.to_ical()
