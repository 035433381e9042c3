"""Times, places and lead times written out the way people read them, per language (Babel)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, format_timedelta

from .facts import MessageFacts

_LOCALE = {"da-DK": "da_DK", "en-GB": "en_GB"}
# Babel's "full" English date has a comma after the weekday; without it reads as people write it in a letter.
_DATE = {"da-DK": "EEEE 'den' d. MMMM y", "en-GB": "EEEE d MMMM y"}
_AT = {"da-DK": " kl. ", "en-GB": ", "}
_DASH = "\u2013"


def _local(instant: dt.datetime, time_zone: str) -> dt.datetime:
    return instant.astimezone(ZoneInfo(time_zone))


def date_text(instant: dt.datetime, time_zone: str, language: str) -> str:
    """"tirsdag den 1. december 2026" / "Tuesday 1 December 2026", the local date in the bank's zone."""
    return format_date(_local(instant, time_zone).date(), _DATE[language], locale=_LOCALE[language])


def time_text(instant: dt.datetime, time_zone: str, language: str) -> str:
    """"10.00" / "10:00", the local time in the bank's zone."""
    return format_time(_local(instant, time_zone).replace(tzinfo=None), "short", locale=_LOCALE[language])


def when_text(start: dt.datetime, end: dt.datetime, time_zone: str, language: str) -> str:
    """"tirsdag den 1. december 2026 kl. 10.00–11.00" / "Tuesday 1 December 2026, 10:00–11:00"."""
    first = date_text(start, time_zone, language) + _AT[language] + time_text(start, time_zone, language)
    if _local(end, time_zone).date() != _local(start, time_zone).date():
        # A meeting past midnight names both days rather than a time that reads as earlier than the start.
        return f"{first} {_DASH} {date_text(end, time_zone, language)}{_AT[language]}{time_text(end, time_zone, language)}"
    return f"{first}{_DASH}{time_text(end, time_zone, language)}"


def lead_text(lead: dt.timedelta | None, language: str) -> str:
    """"in 1 day" / "om 1 dag"; empty without a lead time."""
    if lead is None:
        return ""
    return format_timedelta(lead, add_direction=True, locale=_LOCALE[language])


_WORDS = {
    "da-DK": {"bank": "I banken", "online": "Online", "link_later": "Online (du får linket inden mødet)",
              "phone": "Telefon", "offsite": "Ude af huset"},
    "en-GB": {"bank": "At the bank", "online": "Online", "link_later": "Online (the link follows before the meeting)",
              "phone": "Telephone", "offsite": "Off-site"},
}


def place_text(facts: MessageFacts) -> str:
    """Where the meeting is: the branch and its address, the video link, the phone, per language."""
    words = _WORDS[facts.language]
    branch = ", ".join(part for part in (facts.branch_name, facts.branch_address) if part)
    if facts.meeting_type == "Online":
        return f"{words['online']}: {facts.video_link}" if facts.video_link else words["link_later"]
    if facts.meeting_type == "Telephone":
        return f"{words['phone']}: {facts.phone}" if facts.phone else words["phone"]
    if facts.meeting_type == "OffSite":
        return f"{words['offsite']}: {branch}" if branch else words["offsite"]
    return branch or words["bank"]
