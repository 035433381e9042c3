"""What a message is about: its kind, language and recipient, and the facts of the meeting it may say."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

KINDS = ("booked", "rescheduled", "changed", "cancelled", "reminder")
LANGUAGES = ("da-DK", "en-GB")
ROLES = ("customer", "advisor", "room")
MEETING_TYPES = ("Physical", "Online", "Telephone", "OffSite")

# Any regional variant of a language we write maps to the one variant we write it in.
_BY_PRIMARY = {"da": "da-DK", "en": "en-GB"}


def normalize_language(tag: str) -> str:
    """`da`, `DA-dk`, `da_DK` -> `da-DK`; `en`, `en-US`, `en-GB` -> `en-GB`; anything else is a ValueError."""
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower() if isinstance(tag, str) else ""
    if primary not in _BY_PRIMARY:
        raise ValueError(f"unsupported language {tag!r}: use one of {', '.join(LANGUAGES)} (or 'da', 'en')")
    return _BY_PRIMARY[primary]


@dataclass(frozen=True)
class MessageFacts:
    """Everything a message may say about a meeting, already plain text; times are aware UTC."""

    kind: str
    language: str
    recipient_role: str
    bank_name: str
    meeting_id: str
    start: dt.datetime
    end: dt.datetime
    time_zone: str
    meeting_type: str
    topic: str | None = None
    title: str | None = None
    description: str | None = None
    customer_name: str | None = None
    advisor_name: str | None = None
    additional_advisors: tuple[str, ...] = ()
    branch_name: str | None = None
    branch_address: str | None = None
    room_name: str | None = None
    video_link: str | None = None
    phone: str | None = None
    previous_start: dt.datetime | None = None
    previous_end: dt.datetime | None = None
    reminder_lead: dt.timedelta | None = None


@dataclass(frozen=True)
class Template:
    """Jinja2 source as the bank wrote it (or as shipped)."""

    subject: str
    body: str


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
