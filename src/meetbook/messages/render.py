"""Rendering a message from its facts and a template, and checking a bank's template before it is saved."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import time
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from .defaults import DEFAULTS
from .facts import KINDS, LANGUAGES, MEETING_TYPES, ROLES, MessageFacts, Rendered, Template, normalize_language
from .sandbox import (
    BODY_LIMIT,
    SUBJECT_LIMIT,
    TIME_LIMIT,
    TemplateError,
    compile_part,
    html_document,
    one_line,
    render_part,
    tidy,
)
from .wording import date_text, lead_text, place_text, time_text, when_text

VARIABLES: dict[str, str] = {
    "kind": "the kind of message: booked, rescheduled, changed, cancelled or reminder",
    "language": "the message's language: da-DK or en-GB",
    "recipient_role": "who reads it: customer, advisor or room",
    "greeting_name": "the reader's name: the customer's, the advisor's or the room's (empty when unknown)",
    "bank_name": "the bank's name (setting bankName; may be empty)",
    "meeting_id": "the meeting's id",
    "when": "date and time written out in the bank's zone, e.g. 'Tuesday 1 December 2026, 10:00–11:00'",
    "date": "the meeting's date written out, e.g. 'Tuesday 1 December 2026' / 'tirsdag den 1. december 2026'",
    "start_time": "the start time in the bank's zone, e.g. '10:00' / '10.00'",
    "end_time": "the end time in the bank's zone",
    "start": "the start as a date-time in the bank's zone (prefer when, date and start_time)",
    "end": "the end as a date-time in the bank's zone",
    "time_zone": "the bank's time zone, e.g. Europe/Copenhagen",
    "meeting_type": "Physical, Online, Telephone or OffSite",
    "place": "where: the branch and its address, 'Online: <link>', 'Telephone: <number>' or off-site, in the language",
    "topic": "the meeting's topic (may be empty)",
    "title": "the meeting's title (may be empty)",
    "description": "the meeting's description (may be empty)",
    "customer_name": "the customer's name (may be empty)",
    "advisor_name": "the advisor's name (may be empty)",
    "additional_advisors": "the names of further advisors, a list (use |join(', '))",
    "branch_name": "the branch's name (may be empty)",
    "branch_address": "the branch's address (may be empty)",
    "room_name": "the booked room (may be empty)",
    "video_link": "the link of an online meeting (may be empty)",
    "phone": "the customer's phone number for a telephone meeting (may be empty)",
    "previous_when": "rescheduled: the old date and time written out (empty otherwise)",
    "previous_start": "rescheduled: the old start as a date-time in the bank's zone (empty otherwise)",
    "previous_end": "rescheduled: the old end as a date-time in the bank's zone (empty otherwise)",
    "reminder_lead_text": "reminder: how far ahead, e.g. 'in 1 day' / 'om 1 dag' (empty otherwise)",
    "reminder_lead": "reminder: how far ahead as a duration (empty otherwise)",
}

_SUBJECT_OUTPUT = 998  # one header line (RFC 5322)


def default_template(kind: str, language: str) -> Template:
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}: use one of {', '.join(KINDS)}")
    return DEFAULTS[(kind, normalize_language(language))]


def _variables(facts: MessageFacts) -> dict[str, Any]:
    zone = ZoneInfo(facts.time_zone)
    language = facts.language
    greeting = {"customer": facts.customer_name, "advisor": facts.advisor_name, "room": facts.room_name}
    previous = None
    if facts.previous_start is not None and facts.previous_end is not None:
        previous = when_text(facts.previous_start, facts.previous_end, facts.time_zone, language)
    values = {field.name: getattr(facts, field.name) for field in dataclasses.fields(facts)}
    values |= {
        # Plain str: a Markup value from a caller would pass the HTML part unescaped.
        **{name: str(value) for name, value in values.items() if isinstance(value, Markup)},
        "start": facts.start.astimezone(zone),
        "end": facts.end.astimezone(zone),
        "previous_start": facts.previous_start.astimezone(zone) if facts.previous_start else None,
        "previous_end": facts.previous_end.astimezone(zone) if facts.previous_end else None,
        "additional_advisors": list(facts.additional_advisors),
        "when": when_text(facts.start, facts.end, facts.time_zone, language),
        "date": date_text(facts.start, facts.time_zone, language),
        "start_time": time_text(facts.start, facts.time_zone, language),
        "end_time": time_text(facts.end, facts.time_zone, language),
        "previous_when": previous or "",
        "place": place_text(facts),
        "reminder_lead_text": lead_text(facts.reminder_lead, language),
        "greeting_name": greeting.get(facts.recipient_role) or "",
    }
    return values


def _check_facts(facts: MessageFacts) -> None:
    if facts.kind not in KINDS:
        raise ValueError(f"unknown message kind {facts.kind!r}: use one of {', '.join(KINDS)}")
    if facts.language not in LANGUAGES:
        raise ValueError(f"unsupported language {facts.language!r}: use one of {', '.join(LANGUAGES)}")
    if facts.recipient_role not in ROLES:
        raise ValueError(f"unknown recipient role {facts.recipient_role!r}: use one of {', '.join(ROLES)}")


def _check_sizes(subject: str, body: str) -> None:
    if len(subject) > SUBJECT_LIMIT:
        raise TemplateError(f"the subject is {len(subject)} characters long; at most {SUBJECT_LIMIT}", "subject")
    if len(body) > BODY_LIMIT:
        raise TemplateError(f"the body is {len(body)} characters long; at most {BODY_LIMIT}", "body")
    if not subject.strip():
        raise TemplateError("the subject is empty", "subject")
    if not body.strip():
        raise TemplateError("the body is empty", "body")


class _Compiled:
    def __init__(self, template: Template):
        _check_sizes(template.subject, template.body)
        self.subject = compile_part(template.subject, "subject")
        self.text = compile_part(template.body, "body")
        self.html = compile_part(template.body, "body", html=True)

    def render(self, facts: MessageFacts, deadline: float) -> Rendered:
        values = _variables(facts)
        subject = one_line(render_part(self.subject, "subject", values, deadline))
        if len(subject) > _SUBJECT_OUTPUT:
            raise TemplateError(f"the subject renders to more than {_SUBJECT_OUTPUT} characters", "subject")
        if not subject:
            raise TemplateError("the subject renders to nothing", "subject")
        text = tidy(render_part(self.text, "body", values, deadline))
        html = html_document(render_part(self.html, "body", values, deadline), subject, facts.language)
        return Rendered(subject=subject, text=text, html=html)


def render(facts: MessageFacts, template: Template | None = None) -> Rendered:
    """The message in its three forms; None renders the shipped default of the facts' kind and language."""
    _check_facts(facts)
    chosen = template if template is not None else DEFAULTS[(facts.kind, facts.language)]
    return _compiled(chosen).render(facts, time.monotonic() + TIME_LIMIT)


@functools.lru_cache(maxsize=256)
def _compiled(template: Template) -> _Compiled:
    # Compiling a template costs tens of times its rendering; a bank has a few dozen of them.
    return _Compiled(template)


def sample_facts(kind: str) -> list[MessageFacts]:
    """Facts a template is tried with before it is saved: each language and role, with every optional
    fact given and with every optional fact missing, and every meeting type."""
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    end = start + dt.timedelta(hours=1)
    samples = []
    for language in LANGUAGES:
        for index, role in enumerate(ROLES):
            base = MessageFacts(
                kind=kind,
                language=language,
                recipient_role=role,
                bank_name="Sample Bank",
                meeting_id="00000000-0000-0000-0000-000000000001",
                start=start,
                end=end,
                time_zone="Europe/Copenhagen",
                meeting_type=MEETING_TYPES[index % len(MEETING_TYPES)],
                previous_start=start - dt.timedelta(days=1) if kind == "rescheduled" else None,
                previous_end=end - dt.timedelta(days=1) if kind == "rescheduled" else None,
                reminder_lead=dt.timedelta(days=1) if kind == "reminder" else None,
            )
            samples.append(base)
            samples.append(
                dataclasses.replace(
                    base,
                    meeting_type=MEETING_TYPES[(index + len(ROLES)) % len(MEETING_TYPES)],
                    topic="Home loan",
                    title="Home loan review",
                    description="Bring your latest payslips.",
                    customer_name="Jens Hansen",
                    advisor_name="Anna Berg",
                    additional_advisors=("Ole Lund",),
                    branch_name="Copenhagen",
                    branch_address="Main Street 1, 1000 København K",
                    room_name="Room 1",
                    video_link="https://meet.example.com/abc",
                    phone="+45 12 34 56 78",
                )
            )
    return samples


def check_template(kind: str, subject: str, body: str) -> None:
    """Refuses (TemplateError) a template that would not render for every language, recipient and meeting
    type, with and without the optional facts; the message names the part and line."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}: use one of {', '.join(KINDS)}")
    if not isinstance(subject, str) or not isinstance(body, str):
        raise TemplateError("subject and body must be text")
    compiled = _Compiled(Template(subject=subject, body=body))
    # One deadline for all the tries: a slow template is refused once, not once per sample.
    deadline = time.monotonic() + TIME_LIMIT
    for facts in sample_facts(kind):
        compiled.render(facts, deadline)
