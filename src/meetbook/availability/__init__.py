"""The availability engine: which time slots a bank offers, as a pure function.

`compute_slots(search, bank, occupancy, now)` over the frozen values of `model` (and
`compute_slot_rows`, the same answer as plain tuples); the standard library and numpy only, no
clock, no I/O, nothing from the rest of `meetbook`.

Where each rule lives (`engine.py` runs them in order):
- the window, the grid, opening hours, closing days: `window.py`
- the meeting's length, the meeting types searched: `meeting.py`
- bookable advisors, pools, joint meetings: `reach.py`; qualification, service groups,
  priorities and routes: `pools.py`
- the weekly schedule: `schedule.py`; ExtraOpen time: `open_time.py`
- booked meetings, holds, buffers, Busy and WorkingFromElsewhere time: `blocked.py`
- the minimum notice: `notice.py`; the daily cap: `daily_cap.py`; rooms: `rooms.py`
- all of them together: `offer.py`; best-slot selection: `best.py`; the answer: `answer.py`
- why a day has no slot, stage by stage: `reasons.py` (`SearchPlan(..., reasons=True)`)
"""

from .best import tie_break_hash
from .engine import SearchPlan, compute_slot_rows, compute_slots
from .meeting import resolve_duration
from .model import (
    BUSY,
    CALENDAR_STATUSES,
    DEFAULT_PRIORITY_RULES,
    EMPLOYEE_TYPES,
    EXPLICIT,
    EXTRA_OPEN,
    LOCAL,
    MEETING_TYPES,
    OFFSITE,
    ONLINE,
    PHYSICAL,
    REMOTE_TYPES,
    SERVICE_GROUP,
    TELEPHONE,
    WORKING_FROM_ELSEWHERE,
    Advisor,
    Bank,
    BankSettings,
    CalendarColumns,
    CalendarEntry,
    Claim,
    ClaimColumns,
    CompetenceGroup,
    Location,
    Occupancy,
    PriorityRule,
    Room,
    ServiceGroup,
    Slot,
    SlotSearch,
    Topic,
    Workday,
)
from .reasons import CODES as REASON_CODES
from .reasons import DayReasons

__all__ = [
    "BUSY",
    "CALENDAR_STATUSES",
    "DEFAULT_PRIORITY_RULES",
    "EMPLOYEE_TYPES",
    "EXPLICIT",
    "EXTRA_OPEN",
    "LOCAL",
    "MEETING_TYPES",
    "OFFSITE",
    "ONLINE",
    "PHYSICAL",
    "REMOTE_TYPES",
    "SERVICE_GROUP",
    "TELEPHONE",
    "WORKING_FROM_ELSEWHERE",
    "Advisor",
    "Bank",
    "BankSettings",
    "CalendarColumns",
    "CalendarEntry",
    "Claim",
    "ClaimColumns",
    "CompetenceGroup",
    "DayReasons",
    "Location",
    "Occupancy",
    "PriorityRule",
    "REASON_CODES",
    "Room",
    "ServiceGroup",
    "Slot",
    "SearchPlan",
    "SlotSearch",
    "Topic",
    "Workday",
    "compute_slot_rows",
    "compute_slots",
    "resolve_duration",
    "tie_break_hash",
]
