"""The configuration's wire shapes: the published public shapes plus the bank definition fields."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BeforeValidator, Field, WithJsonSchema, field_validator, model_validator

from meetbook.availability.model import CALENDAR_STATUSES, EMPLOYEE_TYPES, MEETING_TYPES
from meetbook.catalog.localized import NAME_LANGUAGES, Names
from meetbook.core.wire import (
    ApiModel,
    Date,
    EndOfDay,
    Instant,
    MeetingLength,
    TimeOfDay,
    TimeSpan,
    end_after_start,
    enum_reader,
    line,
    text,
)
from meetbook.messages import BODY_LIMIT, KINDS, LANGUAGES, SUBJECT_LIMIT, normalize_language

MeetingTypeName = Annotated[
    Literal["Physical", "Online", "Telephone", "OffSite"], BeforeValidator(enum_reader(*MEETING_TYPES))
]
EmployeeTypeName = Annotated[
    Literal["Explicit", "Local", "ServiceGroup"], BeforeValidator(enum_reader(*EMPLOYEE_TYPES))
]
CalendarStatus = Annotated[
    Literal["Busy", "ExtraOpen", "WorkingFromElsewhere"], BeforeValidator(enum_reader(*CALENDAR_STATUSES))
]
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DayOfWeek = Annotated[
    Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    BeforeValidator(enum_reader(*DAYS)),
]


def _uuid_text(value: str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        raise ValueError("must be a UUID (a string)")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError(f"{value[:40]!r} is not a UUID") from None


Id = Annotated[str, BeforeValidator(_uuid_text), WithJsonSchema({"type": "string", "format": "uuid"})]
# The lengths are the database columns'.
Name = line(200, min_length=1)
OptionalName = line(200)
Email = line(320)
# An employee's address as published: what the field's own pattern and `line` accept together.
_ADDRESS = r"[^@\s\u0000-\u001f\u007f-\u009f]+"
EMAIL_PATTERN = f"^{_ADDRESS}@{_ADDRESS}$"
Place = line(200, min_length=1)  # a branch or a customer's location, by name
# The IANA zones this machine knows (OrganizationSettings._known_zone accepts those and no other).
TIME_ZONES = {"type": "string", "enum": sorted(available_timezones()), "examples": ["Europe/Copenhagen"]}


def _localized(what: str) -> object:
    """A field the reads fill with ?lang= (writes ignore it)."""
    return Field(default=None, json_schema_extra={"readOnly": True},
                 description=f"{what} in the language of ?lang= ({', '.join(NAME_LANGUAGES)}), the Danish one when "
                 "it has no translation; null without ?lang=")


class CustomerType(ApiModel):
    id: Id | None = None
    name: Name
    names: Names | None = None
    localized_name: str | None = _localized("The name")


class Topic(ApiModel):
    id: Id | None = None
    name: Name
    names: Names | None = None
    localized_name: str | None = _localized("The name")
    unique_topic_id: OptionalName | None = None
    parent_id: Id | None = None
    order: int | None = Field(default=None, ge=-(2**31), le=2**31 - 1)  # an INTEGER column
    is_customer_visible: bool = True
    customer_type_ids: list[Id] = []
    meeting_duration: MeetingLength | None = None
    meeting_types: list[MeetingTypeName] = []


class Skills(ApiModel):
    topic_ids: list[Id] = []
    customer_type_ids: list[Id] = []


class Employee(ApiModel):
    id: Id | None = None
    first_name: OptionalName | None = None
    last_name: OptionalName | None = None
    display_name: OptionalName | None = None
    email: Annotated[line(320, published=EMAIL_PATTERN), Field(min_length=3, pattern=r"^[^@\s]+@[^@\s]+$")]
    initials: line(20, min_length=1)
    location: Place | None = None
    external_id: OptionalName | None = None
    skills: Skills = Skills()


class Room(ApiModel):
    id: Id | None = None
    name: Name
    location: Place
    email: Email | None = None
    capacity: int | None = Field(default=None, ge=0, le=100_000)
    can_be_booked: bool = True


class Location(ApiModel):
    id: Id | None = None
    location: Place
    display_name: OptionalName | None = None
    names: Names | None = Field(default=None, description="The display name per language (da-DK, en-GB, kl-GL)")
    localized_display_name: str | None = _localized("The display name (else the location's name)")
    address: line(500) | None = None
    require_available_room: bool = False
    add_rooms_to_booked_meetings: bool = True


class Workday(ApiModel):
    day_of_week: DayOfWeek
    is_available: bool = True
    from_: TimeOfDay = Field(default=8 * 60, alias="from", json_schema_extra={"default": "08:00:00"})
    to: EndOfDay = Field(default=16 * 60, json_schema_extra={"default": "16:00:00"})
    location: Place | None = None
    available_meeting_types: list[MeetingTypeName] = []

    @field_validator("to")
    @classmethod
    def _after_from(cls, to: int, info):
        start = info.data.get("from_")
        if start is not None and to <= start:
            raise ValueError("'to' must be later than 'from'")
        return to


class EmployeeSchedule(ApiModel):
    employee_id: Id
    can_be_booked: bool = True
    is_only_explicitly_available: bool = False
    max_meeting_time_per_day: TimeSpan | None = None
    workdays: list[Workday] = []

    @field_validator("workdays")
    @classmethod
    def _one_per_day(cls, workdays: list[Workday]) -> list[Workday]:
        days = [w.day_of_week for w in workdays]
        repeated = sorted({d for d in days if days.count(d) > 1})
        if repeated:
            raise ValueError(f"each day of the week at most once; repeated: {', '.join(repeated)}")
        return workdays


class CompetenceGroup(ApiModel):
    id: Id | None = None
    name: Name
    parent_group_id: Id | None = None
    employee_ids: list[Id] = []
    topic_ids: list[Id] = []
    customer_type_ids: list[Id] = []
    labels: list[Name] = []


class ServiceTrigger(ApiModel):
    topic_ids: list[Id] = []
    customer_type_ids: list[Id] = []
    customer_locations: list[Place] = []


class ServiceLevel(ApiModel):
    meeting_types: list[MeetingTypeName] = []
    locations: list[Place] = []


class ServiceGroup(ApiModel):
    id: Id | None = None
    name: Name
    membership_email: Email | None = None
    employee_ids: list[Id] = []
    competence_group_ids: list[Id] = []
    labels: list[Name] = []
    max_meeting_time_per_day: TimeSpan | None = None
    service_trigger: ServiceTrigger = ServiceTrigger()
    service_level: ServiceLevel = ServiceLevel()


def _label_only_for_groups(schema: dict) -> None:
    """check_priority_rules: only a ServiceGroup level carries a label."""
    schema["oneOf"] = [
        {"properties": {"type": {"enum": ["Explicit", "Local"]}, "label": {"type": "null"}}},
        {"properties": {"type": {"const": "ServiceGroup"}}},
    ]


class PriorityRule(ApiModel):
    model_config = ApiModel.model_config | {"json_schema_extra": _label_only_for_groups}

    type: EmployeeTypeName
    label: Name | None = None


def check_priority_rules(rules: list[PriorityRule]) -> None:
    """The bank's priority levels make sense together (the configuration API and the bank file)."""
    if not rules:
        raise ValueError("at least one priority level is needed")
    for kind in ("Explicit", "Local"):
        if sum(1 for r in rules if r.type == kind) > 1:
            raise ValueError(f"'{kind}' may appear only once")
    if any(r.label for r in rules if r.type != "ServiceGroup"):
        raise ValueError("only ServiceGroup levels carry a label")
    keys = [(r.type, r.label) for r in rules]
    if len(keys) != len(set(keys)):
        raise ValueError("the same level appears twice")


# --- the bank's messages -------------------------------------------------------------------------------------
# A language tag we write messages in: da or en with any region (da-DK, en-US), stored as da-DK or en-GB.
LANGUAGE_PATTERN = r"^(?:[Dd][Aa]|[Ee][Nn])(?:[-_][A-Za-z0-9]{1,8}){0,2}$"


def _language(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(LANGUAGE_PATTERN, value):
        raise ValueError(f"use one of {', '.join(LANGUAGES)} (or da, en)")
    return normalize_language(value)


Language = Annotated[
    str,
    BeforeValidator(_language),
    WithJsonSchema({"type": "string", "pattern": LANGUAGE_PATTERN, "examples": list(LANGUAGES),
                    "description": "da-DK or en-GB; da, en and other regions are read as these"}),
]
MessageKind = Annotated[Literal["booked", "rescheduled", "changed", "cancelled", "reminder"], BeforeValidator(enum_reader(*KINDS))]
# A reminder's lead time: one minute to thirty days before the meeting (the pattern says what the check does).
MAX_REMINDERS = 10
MIN_REMINDER_LEAD, MAX_REMINDER_LEAD = 60, 30 * 86400
_CLOCK = r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,7})?)?"
_MINUTE_OR_MORE = r"(?:0?0:(?:0[1-9]|[1-5][0-9])|(?:0?[1-9]|1[0-9]|2[0-3]):[0-5][0-9])(?::[0-5][0-9](?:\.[0-9]{1,7})?)?"
REMINDER_LEAD_SCHEMA = {
    "type": "string", "pattern": rf"^(?:(?:0\.)?{_MINUTE_OR_MORE}|(?:[1-9]|[12][0-9])\.{_CLOCK}|30\.00:00(?::00)?)$",
    "examples": ["1.00:00:00"], "description": "How long before the meeting, [d.]hh:mm[:ss], from 00:01:00 to 30.00:00:00",
}
ReminderLead = Annotated[TimeSpan, WithJsonSchema(REMINDER_LEAD_SCHEMA, mode="validation")]
SubjectSource = text(SUBJECT_LIMIT)
BodySource = text(BODY_LIMIT)


class MessageTemplateText(ApiModel):
    """PUT body: the template's Jinja2 source; see GET .../variables for what it may use."""

    subject: Annotated[SubjectSource, Field(min_length=1)]
    body: Annotated[BodySource, Field(min_length=1)]


class MessageTemplateEntry(MessageTemplateText):
    """One template in the bank definition file."""

    kind: MessageKind
    language: Language


class MessageTemplate(MessageTemplateEntry):
    is_default: bool = Field(description="The shipped wording: the bank has not written its own (or has deleted it)")


# The logo comes from this server only: a same-origin path (not //host), or the image itself as a data: URL.
LOGO_LIMIT = 48 * 1024
LOGO_PATTERN = (r"^(?:/(?:[A-Za-z0-9._~!$&'()*+,;=:@%-][A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?"
                r"|data:image/(?:png|jpeg|webp|svg\+xml);base64,[A-Za-z0-9+/]+=*)$")
LogoUrl = Annotated[str, Field(max_length=LOGO_LIMIT, pattern=LOGO_PATTERN)]


class OrganizationSettings(ApiModel):
    time_zone: Annotated[line(64), WithJsonSchema(TIME_ZONES, mode="validation")] = "Europe/Copenhagen"
    opening_time: TimeOfDay | None = None
    closing_time: EndOfDay | None = None
    # The defaults are seconds inside; the document shows them as they are written on the wire.
    default_meeting_duration: MeetingLength = Field(default=3600, json_schema_extra={"default": "01:00:00"})
    buffer_between_meetings: TimeSpan = Field(default=0, json_schema_extra={"default": "00:00:00"})
    working_time_buffer: TimeSpan = Field(default=0, json_schema_extra={"default": "00:00:00"})
    max_time_from_booking_to_meeting: TimeSpan | None = None
    max_meeting_time_per_day: TimeSpan | None = None
    closing_days: list[Date] = []
    i_cal_meeting_title: line(500) | None = Field(default=None, alias="iCalMeetingTitle")
    i_cal_meeting_description: text(4000) | None = Field(default=None, alias="iCalMeetingDescription")
    max_holds_per_customer: int = Field(
        default=3, ge=1, le=100,
        description="How many time slots one customer may hold at once (employees are not limited)",
    )
    bank_name: line(200) | None = Field(default=None, description="The bank's name, as its messages sign and speak of it")
    default_language: Language = Field(default="da-DK", description="The language of messages for a meeting without one")
    send_confirmation_to_customer: bool = Field(
        default=True, description="Whether a customer with an e-mail address gets the invitations and reminders"
    )
    reminder_lead_times: list[ReminderLead] = Field(
        default_factory=lambda: [86400], max_length=MAX_REMINDERS,
        json_schema_extra={"default": ["1.00:00:00"]},
        description=f"One reminder per lead time before the meeting, at most {MAX_REMINDERS}, each once; [] sends none",
    )
    calendar_entry_retention: TimeSpan = Field(
        default=7 * 86400, json_schema_extra={"default": "7.00:00:00"},
        description="How long past calendar time (busy time, time slots) is kept after it ends before the sweeper deletes it",
    )
    meeting_text_retention: TimeSpan | None = Field(
        default=30 * 86400, json_schema_extra={"default": "30.00:00:00"},
        description="How long after a meeting ends its free text (title, description, cancellation reason) and the "
                    "customer's name, e-mail and phone are kept before the sweeper clears them (the meeting stays for "
                    "statistics); null keeps them",
    )
    meeting_type_names: dict[MeetingTypeName, Names] | None = Field(
        default=None, description="The bank's own words for the meeting types per language; built-in words otherwise",
        examples=[{"Physical": {"da-DK": "Møde i banken", "en-GB": "At the bank"}}],
    )
    closing_day_translations: dict[Date, Names] | None = Field(
        default=None, description="closingDayNames in other languages, per closing day; each date must be a closing day",
        examples=[{"2026-12-24": {"en-GB": "Christmas Eve", "kl-GL": "Juulliaqqap unnua"}}],
    )
    logo_url: LogoUrl | None = Field(
        default=None, description="The bank's logo on the booking page: a path on this server (/...) or a data:image URL "
        f"of at most {LOGO_LIMIT // 1024} kB; never another site, so the page loads nothing from elsewhere",
    )
    localized_meeting_type_names: dict[str, str] | None = _localized("Every meeting type's word")
    localized_closing_day_names: dict[str, str] | None = _localized("The named closing days' names")

    @model_validator(mode="after")
    def _translated_days_are_closed(self) -> OrganizationSettings:
        stray = set(self.closing_day_translations or ()) - set(self.closing_days)
        if stray:
            raise ValueError(f"closingDayTranslations: {', '.join(sorted(d.isoformat() for d in stray))} is not in closingDays")
        return self

    @field_validator("reminder_lead_times")
    @classmethod
    def _reminders(cls, leads: list[int]) -> list[int]:
        for lead in leads:
            if not MIN_REMINDER_LEAD <= lead <= MAX_REMINDER_LEAD:
                raise ValueError("each lead time must be between 00:01:00 and 30.00:00:00")
        if len(set(leads)) != len(leads):
            raise ValueError("a lead time is listed twice")
        return sorted(leads)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:

        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{zone}' is not an IANA time zone, e.g. Europe/Copenhagen") from None
        return zone


class CalendarTime(ApiModel):
    """External calendar time in the bank definition file (and POST /bookme/time-slots)."""

    id: Id | None = None
    employee_id: Id | None = None
    room_id: Id | None = None
    start_date: Instant
    end_date: Instant
    status: CalendarStatus = "Busy"
    service_group: OptionalName | None = None

    _ordered = field_validator("end_date")(end_after_start)


class ScheduleBody(EmployeeSchedule):
    """PUT body: the schedule; employeeId comes from the path and may be left out."""

    employee_id: Id | None = None


class ActualDay(ApiModel):
    date: dt.date
    day_of_week: DayOfWeek
    is_available: bool = Field(description="Works that day: scheduled as available and the bank is open")
    from_: TimeOfDay | None = Field(default=None, alias="from")
    to: TimeOfDay | None = None
    location: str | None = Field(default=None, description="The workday's branch, else the employee's home location")
    meeting_types: list[MeetingTypeName] = []
    is_bank_closed: bool = Field(description="A closing day of the bank")


class ClosingDay(ApiModel):
    date: Date = Field(description="A local date in the bank's time zone, e.g. 2026-12-24")


class AllowedOptions(ApiModel):
    meeting_types: list[MeetingTypeName] = Field(
        description="The topic's meeting types that at least one qualified advisor offers at the location on some weekday"
    )
    employee_types: list[EmployeeTypeName] = Field(
        description="Advisor pools with members: Explicit always, Local when qualified advisors work at the location, "
        "ServiceGroup when a service group triggers and has members"
    )


class Advisors(ApiModel):
    """A service group's own members (PUT .../advisors)."""

    employee_ids: list[Id]


# -- the staff workspace ------------------------------------------------------------------------------

class StaffMember(ApiModel):
    employee: Employee = Field(description="The employee whose id or externalId is the token's subject")
    is_manager: bool = Field(description="The token has the admin scope: the branch view is open to it")


ADVISOR_PROBLEMS = ("NoSchedule", "NotBookable", "NoQualification", "NoWorkdays")
AdvisorProblem = Literal["NoSchedule", "NotBookable", "NoQualification", "NoWorkdays"]


class BranchDay(ApiModel):
    date: Date
    is_available: bool = Field(description="Works that day (scheduled as available, the bank open)")
    from_: TimeOfDay | None = Field(default=None, alias="from")
    to: EndOfDay | None = None
    location: str | None = Field(default=None, description="Where the advisor works that day")
    booked: TimeSpan = Field(description="Booked meeting time that starts on the local day")
    meetings: int = Field(description="Booked meetings that start on the local day")
    daily_cap: TimeSpan | None = Field(default=None, description="The advisor's daily limit (own, service group's, bank's); none: no limit")


class BranchAdvisor(ApiModel):
    employee: Employee
    can_be_booked: bool
    is_only_explicitly_available: bool
    problems: list[AdvisorProblem] = Field(description="Why customers cannot book the advisor; empty: bookable")
    days: list[BranchDay]


class BranchOverview(ApiModel):
    location: str
    week_start: Date = Field(description="The Monday of the week (bank time zone)")
    closing_days: list[Date] = Field(description="The bank's closing days in the week")
    advisors: list[BranchAdvisor] = Field(description="Advisors at home at the branch or scheduled there that week, by name")
