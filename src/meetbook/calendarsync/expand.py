"""An advisor's calendar events as meetbook's calendar time: which occurrences block, which open,
which count for nothing. Pure: calendar data in, intervals out (no I/O, no clock).

The rules (docs/calendar-sync.md):
- every occurrence in the window, recurring events expanded with their exceptions (RECURRENCE-ID)
  and EXDATEs in their own time zone, so a weekly 10:00 stays 10:00 across daylight saving;
- all-day events take the whole local day in the bank's time zone, floating times are the bank's;
- the status is Busy, or what the event says: `X-MEETBOOK-STATUS` or a summary beginning with
  `[ExtraOpen]` / `[WorkingFromElsewhere]` / `[Busy]`;
- nothing for cancelled occurrences, invitations the advisor declined, and free (TRANSP:TRANSPARENT)
  time unless it says ExtraOpen (extra opening hours are free time by nature);
- meetbook's own meetings (UID `<meeting id>@<uid domain>`) are reported apart: they are blocked
  by their claims already, and their absence is how a deleted meeting is noticed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from icalendar import Calendar

BUSY = "Busy"
EXTRA_OPEN = "ExtraOpen"
WORKING_FROM_ELSEWHERE = "WorkingFromElsewhere"
STATUSES = {s.lower(): s for s in (BUSY, EXTRA_OPEN, WORKING_FROM_ELSEWHERE)}
STATUS_PROPERTY = "X-MEETBOOK-STATUS"


@dataclass(frozen=True, slots=True)
class Block:
    start_s: int
    end_s: int
    status: str
    uid: str  # the event's UID, with "#<recurrence id>" for one occurrence of a recurring event


@dataclass
class Expanded:
    blocks: list[Block] = field(default_factory=list)
    occurrences: int = 0  # every occurrence in the window, whatever it came to
    # Meeting ids (the UID's left-hand side) of events with meetbook's UID domain that are there and not
    # cancelled or declined; their blocks are in `own_blocks`, kept apart from `blocks`.
    own_present: set[str] = field(default_factory=set)
    own_blocks: dict[str, list[Block]] = field(default_factory=dict)
    unreadable: int = 0  # calendar objects that are not valid iCalendar (skipped, counted)


def status_of(event) -> str:
    declared = str(event.get(STATUS_PROPERTY, "")).strip().lower()
    if declared in STATUSES:
        return STATUSES[declared]
    summary = str(event.get("SUMMARY", "")).lstrip()
    if summary.startswith("["):
        word = summary[1:].partition("]")[0].strip().lower().replace(" ", "")
        if word in STATUSES:
            return STATUSES[word]
    return BUSY


def _declined(event, me: frozenset[str]) -> bool:
    attendees = event.get("ATTENDEE", [])
    for attendee in attendees if isinstance(attendees, list) else [attendees]:
        address = str(attendee).lower().removeprefix("mailto:")
        if address in me and str(attendee.params.get("PARTSTAT", "")).upper() == "DECLINED":
            return True
    return False


def _instant(value, zone: ZoneInfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)  # floating: the bank's time
    return dt.datetime.combine(value, dt.time(), zone)  # a date: its local midnight


def expand(calendars: Iterable[bytes], start: dt.datetime, end: dt.datetime, *, zone: ZoneInfo, me: Iterable[str],
           uid_domain: str) -> Expanded:
    """The blocks of every occurrence in [start, end) of the given calendar objects. `me` are the
    advisor's addresses (their own PARTSTAT decides whether an invitation counts)."""
    import recurring_ical_events  # on first use: with x_wr_timezone and click, 3 MB a worker that never syncs need not hold

    me = frozenset(a.lower() for a in me if a)
    own_suffix = f"@{uid_domain}".lower()
    out = Expanded()
    for data in calendars:
        try:
            calendar = Calendar.from_ical(data)
            occurrences = recurring_ical_events.of(calendar, components=["VEVENT"]).between(start, end)
        except Exception:  # noqa: BLE001  (one broken object must not hide the others' busy time)
            out.unreadable += 1
            continue
        for event in occurrences:
            out.occurrences += 1
            uid = str(event.get("UID", ""))
            own = uid.lower().endswith(own_suffix)
            if str(event.get("STATUS", "")).upper() == "CANCELLED" or _declined(event, me):
                continue
            meeting_id = uid[: -len(own_suffix)] if own else None
            if own:
                out.own_present.add(meeting_id)
            status = status_of(event)
            transparent = str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT"
            if transparent and status != EXTRA_OPEN:
                continue
            begins = _instant(event["DTSTART"].dt, zone)
            ends = _instant(event["DTEND"].dt, zone) if "DTEND" in event else begins
            if ends <= begins:
                continue  # a moment, not a span: it blocks no slot
            recurrence = event.get("RECURRENCE-ID")
            key = f"{uid}#{_instant(recurrence.dt, zone).astimezone(dt.UTC):%Y%m%dT%H%M%SZ}" if recurrence is not None else uid
            block = Block(int(begins.timestamp()), int(ends.timestamp()), status, key[:1000])
            if own:
                out.own_blocks.setdefault(meeting_id, []).append(block)
            else:
                out.blocks.append(block)
    return out
