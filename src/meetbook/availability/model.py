"""The engine's vocabulary: a frozen snapshot of the bank, who is busy when, and a search.

Every instant is an integer number of seconds since the Unix epoch (UTC); every duration is a
number of seconds; every local time of day is a number of minutes after local midnight in the
bank's time zone. Integers keep the engine fast and free of time-zone surprises: local time
only appears where the bank's rules are written in local time (hours, grid, days).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

PHYSICAL = "Physical"
ONLINE = "Online"
TELEPHONE = "Telephone"
OFFSITE = "OffSite"
MEETING_TYPES: tuple[str, ...] = (PHYSICAL, ONLINE, TELEPHONE, OFFSITE)
# Remote meetings need no branch: ExtraOpen time opens them, WorkingFromElsewhere leaves them open.
REMOTE_TYPES = frozenset({ONLINE, TELEPHONE})

EXPLICIT = "Explicit"
LOCAL = "Local"
SERVICE_GROUP = "ServiceGroup"
EMPLOYEE_TYPES: tuple[str, ...] = (EXPLICIT, LOCAL, SERVICE_GROUP)

BUSY = "Busy"
EXTRA_OPEN = "ExtraOpen"
WORKING_FROM_ELSEWHERE = "WorkingFromElsewhere"
CALENDAR_STATUSES: tuple[str, ...] = (BUSY, EXTRA_OPEN, WORKING_FROM_ELSEWHERE)

@dataclass(frozen=True, slots=True)
class Workday:
    """One weekday of an advisor's weekly schedule."""

    is_available: bool
    start_minute: int  # minutes after local midnight
    end_minute: int
    location: str | None
    meeting_types: frozenset[str]


@dataclass(frozen=True, slots=True)
class Advisor:
    id: str
    # Index 0 is Monday, 6 is Sunday (date.weekday()); None means no schedule that day.
    workdays: tuple[Workday | None, ...]
    can_be_booked: bool = True
    only_explicit: bool = False  # isOnlyExplicitlyAvailable
    skill_topic_ids: frozenset[str] = frozenset()
    skill_customer_type_ids: frozenset[str] = frozenset()
    max_seconds_per_day: int | None = None


@dataclass(frozen=True, slots=True)
class CompetenceGroup:
    id: str
    parent_id: str | None
    employee_ids: frozenset[str] = frozenset()
    topic_ids: frozenset[str] = frozenset()  # empty matches any topic
    customer_type_ids: frozenset[str] = frozenset()  # empty matches any customer type


@dataclass(frozen=True, slots=True)
class ServiceGroup:
    id: str
    labels: frozenset[str] = frozenset()
    employee_ids: frozenset[str] = frozenset()
    competence_group_ids: frozenset[str] = frozenset()
    max_seconds_per_day: int | None = None
    # Trigger: an empty criterion is a wildcard; a group with no criteria always triggers.
    trigger_topic_ids: frozenset[str] = frozenset()
    trigger_customer_type_ids: frozenset[str] = frozenset()
    trigger_customer_locations: frozenset[str] = frozenset()
    # Service level: no meeting types means the group offers no slots at all.
    level_meeting_types: frozenset[str] = frozenset()
    # Physical meetings only at these branches (and only where the advisor works that day).
    level_locations: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Room:
    id: str
    name: str
    location: str
    can_be_booked: bool = True


@dataclass(frozen=True, slots=True)
class Location:
    name: str
    require_available_room: bool = False


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    parent_id: str | None = None
    customer_type_ids: frozenset[str] = frozenset()  # empty: every customer type
    duration_seconds: int | None = None
    meeting_types: frozenset[str] = frozenset()  # empty: every meeting type


@dataclass(frozen=True, slots=True)
class PriorityRule:
    type: str  # EXPLICIT, LOCAL or SERVICE_GROUP
    label: str | None = None  # only for SERVICE_GROUP: groups carrying this label


DEFAULT_PRIORITY_RULES: tuple[PriorityRule, ...] = (
    PriorityRule(EXPLICIT),
    PriorityRule(LOCAL),
    PriorityRule(SERVICE_GROUP),
)


@dataclass(frozen=True, slots=True)
class BankSettings:
    time_zone: str = "Europe/Copenhagen"
    opening_minute: int | None = None  # customer-initiated slots stay inside opening hours
    closing_minute: int | None = None
    closing_days: frozenset[dt.date] = frozenset()
    default_duration_seconds: int = 3600
    buffer_seconds: int = 0  # after every meeting and hold
    minimum_notice_seconds: int = 0  # workingTimeBuffer, counted in the advisor's working time
    max_ahead_seconds: int | None = None  # maxTimeFromBookingToMeeting
    max_seconds_per_day: int | None = None
    priority_rules: tuple[PriorityRule, ...] = DEFAULT_PRIORITY_RULES
    max_holds_per_customer: int = 3  # not a slot rule: the reserve's limit, carried with the bank's settings
    # Not slot rules either: what the bank's messages say and when (notifications read them here).
    bank_name: str | None = None
    default_language: str = "da-DK"
    send_confirmation_to_customer: bool = True
    reminder_lead_seconds: tuple[int, ...] = (86400,)


@dataclass(frozen=True, slots=True)
class Bank:
    """Everything configured, as one immutable value."""

    settings: BankSettings
    advisors: Mapping[str, Advisor]
    topics: Mapping[str, Topic] = field(default_factory=dict)
    rooms: Mapping[str, Room] = field(default_factory=dict)
    locations: Mapping[str, Location] = field(default_factory=dict)  # by location name
    competence_groups: Mapping[str, CompetenceGroup] = field(default_factory=dict)
    service_groups: Mapping[str, ServiceGroup] = field(default_factory=dict)
    customer_type_ids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Claim:
    """A booked meeting or an active hold on an advisor or a room.

    `end` already includes the bank's buffer (the database claims `[start, end + buffer)`);
    `meeting_seconds` is the meeting's own length, which is what counts towards daily caps.
    """

    start: int
    end: int
    meeting_seconds: int


@dataclass(frozen=True, slots=True)
class ClaimColumns:
    """Many claims as columns, the form a database read produces cheaply: claim i is
    `(start[i], end[i], meeting_seconds[i])` of `owners[owner[i]]`.

    A month of a bank is 20,000+ claims; one `Claim` object each costs more than reading them.
    An owner of None is someone else's (a room among advisors, say) and is skipped.
    """

    owners: Sequence[str | None]
    owner: np.ndarray  # int64, index into owners
    start: np.ndarray  # int64 epoch seconds
    end: np.ndarray  # int64, buffer included
    meeting_seconds: np.ndarray  # int64

    @classmethod
    def of(cls, claims: Mapping[str, Sequence[Claim]] | ClaimColumns) -> ClaimColumns:
        """Columns of claims given per owner (or the columns themselves)."""
        if isinstance(claims, ClaimColumns):
            return claims
        owners = [o for o, found in claims.items() if found]
        counts = [len(claims[o]) for o in owners]
        every = [c for o in owners for c in claims[o]]
        return cls(
            owners=owners,
            owner=np.repeat(np.arange(len(owners), dtype=np.int64), counts),
            start=np.array([c.start for c in every], dtype=np.int64),
            end=np.array([c.end for c in every], dtype=np.int64),
            meeting_seconds=np.array([c.meeting_seconds for c in every], dtype=np.int64),
        )

    def of_owners(self, wanted: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(index into `wanted`, start, end, meeting seconds) of the claims of the wanted owners."""
        who, keep = _wanted(self.owners, self.owner, wanted)
        return who[keep], self.start[keep], self.end[keep], self.meeting_seconds[keep]


def _wanted(owners: Sequence[str | None], owner: np.ndarray, wanted: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's owner as an index into `wanted` (-1: not wanted), and which rows are wanted."""
    position = {o: k for k, o in enumerate(wanted)}
    mapped = np.array([position.get(o, -1) for o in owners], dtype=np.int64)
    who = mapped[owner] if len(owner) else np.zeros(0, dtype=np.int64)
    return who, who >= 0


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """External calendar time of an advisor: BUSY, EXTRA_OPEN or WORKING_FROM_ELSEWHERE."""

    start: int
    end: int
    status: str


# Calendar statuses as small integers in CalendarColumns (anything else: -1, ignored).
STATUS_CODE = {status: k for k, status in enumerate(CALENDAR_STATUSES)}


@dataclass(frozen=True, slots=True)
class CalendarColumns:
    """Many calendar entries as columns: entry i is `(start[i], end[i], CALENDAR_STATUSES[status[i]])`
    of advisor `owners[owner[i]]`. What a read produces without an object per entry."""

    owners: Sequence[str]
    owner: np.ndarray  # int64, index into owners
    start: np.ndarray  # int64 epoch seconds
    end: np.ndarray  # int64
    status: np.ndarray  # int64 code (STATUS_CODE), -1: a status the engine ignores

    @classmethod
    def of(cls, calendar: Mapping[str, Sequence[CalendarEntry]] | CalendarColumns) -> CalendarColumns:
        if isinstance(calendar, CalendarColumns):
            return calendar
        owners = [o for o, entries in calendar.items() if entries]
        every = [e for o in owners for e in calendar[o]]
        return cls(
            owners=owners,
            owner=np.repeat(np.arange(len(owners), dtype=np.int64), [len(calendar[o]) for o in owners]),
            start=np.array([e.start for e in every], dtype=np.int64),
            end=np.array([e.end for e in every], dtype=np.int64),
            status=np.array([STATUS_CODE.get(e.status, -1) for e in every], dtype=np.int64),
        )

    def of_owners(self, wanted: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(index into `wanted`, start, end, status) of the wanted advisors' entries."""
        who, keep = _wanted(self.owners, self.owner, wanted)
        return who[keep], self.start[keep], self.end[keep], self.status[keep]


@dataclass(frozen=True, slots=True)
class Occupancy:
    """Who is taken when. The caller leaves out what the search must ignore
    (expired holds, the caller's own hold, `ignoreMeetingIds`)."""

    advisor_claims: Mapping[str, Sequence[Claim]] | ClaimColumns = field(default_factory=dict)
    room_claims: Mapping[str, Sequence[Claim]] | ClaimColumns = field(default_factory=dict)
    calendar: Mapping[str, Sequence[CalendarEntry]] | CalendarColumns = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SlotSearch:
    window_start: int
    window_end: int
    require_employee_participation: bool = True
    explicit_employee_ids: tuple[str, ...] = ()
    employee_types: frozenset[str] | None = None  # None: not given
    duration_seconds: int | None = None  # None: the topic's, else the bank's default
    topic_id: str | None = None
    customer_type_id: str | None = None
    meeting_types: frozenset[str] | None = None  # None: any
    customer_location: str | None = None
    meeting_location: str | None = None
    require_room: bool | None = None
    specific_room_ids: frozenset[str] | None = None
    customer_initiated: bool = True
    ignore_minimum_notice: bool = False
    best_slots: bool | None = None  # None: on for customer-initiated searches, off otherwise


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    start: int
    end: int
    meeting_type: str
    employee_id: str
    room_id: str | None = None
    topic_id: str | None = None
