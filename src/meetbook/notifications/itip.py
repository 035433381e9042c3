"""The calendar part of an invitation: iTIP (RFC 5546) over e-mail (RFC 6047).

REQUEST when a meeting is booked or changes (same UID, a higher SEQUENCE: calendars replace their
copy), CANCEL with STATUS:CANCELLED when it is cancelled or a recipient is no longer in it. The UID
is the one the meeting's `.ics` download carries, so all copies are one event in a calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//meetbook//Customer meeting booking//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


@dataclass(frozen=True)
class Attendee:
    address: str
    name: str | None
    role: str  # customer | advisor | room


def _address(email: str, name: str | None, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-")] = vText(value)
    return address


def itip_calendar(
    *, method: str, uid: str, sequence: int, start: dt.datetime, end: dt.datetime, stamp: dt.datetime, summary: str,
    description: str, location: str | None, organizer: tuple[str, str | None], attendees: list[Attendee], url: str | None,
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", start.astimezone(dt.UTC))
    event.add("dtend", end.astimezone(dt.UTC))
    event.add("sequence", sequence)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(organizer[0], organizer[1]))
    for attendee in attendees:
        if attendee.role == "room":
            event.add("attendee", _address(attendee.address, attendee.name, cutype="ROOM", role="NON-PARTICIPANT"))
        else:
            # The bank has booked it: nobody is asked to answer.
            event.add("attendee", _address(attendee.address, attendee.name, cutype="INDIVIDUAL", role="REQ-PARTICIPANT",
                                           partstat="ACCEPTED", rsvp="FALSE"))
    if url:
        event.add("url", url)
    calendar.add_component(event)
    return calendar.to_ical()
