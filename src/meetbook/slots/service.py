"""Searching free time slots: the seed's GET /bookme/time-slots/available."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.availability import SearchPlan
from meetbook.availability.answer import Columns, empty_columns
from meetbook.availability.model import Bank, Occupancy, SlotSearch
from meetbook.catalog.places import place
from meetbook.catalog.snapshot import SnapshotCache
from meetbook.core.clock import epoch
from meetbook.core.errors import Invalid, NotFound
from meetbook.core.timefmt import format_instant
from meetbook.tables.occupancy import load_occupancy

# (start, end, meeting type, employee id, room id, topic id), as compute_slot_rows gives them.
SlotRow = tuple[int, int, str, str, str | None, str | None]

DEFAULT_LOOK_FORWARD = 7 * 86400
MAX_LOOK_FORWARD = 366 * 86400


@dataclass(frozen=True)
class SearchRequest:
    """The search as the caller asked for it, already parsed from the wire."""

    require_employee_participation: bool
    explicit_employee_ids: tuple[str, ...] = ()
    employee_types: frozenset[str] | None = None
    start_date: dt.datetime | None = None
    look_forward_seconds: int | None = None
    topic_id: str | None = None
    customer_type_id: str | None = None
    meeting_types: frozenset[str] | None = None
    customer_location: str | None = None
    meeting_location: str | None = None
    require_room: bool | None = None
    specific_room_ids: tuple[str, ...] | None = None
    meeting_duration_seconds: int | None = None
    customer_initiated: bool = True
    ignore_minimum_notice: bool = False
    best_slots: bool | None = None
    ignore_meeting_ids: tuple[str, ...] = ()


def check_references(bank: Bank, query: SearchRequest) -> None:
    """Unknown ids in a search are 404s, named one by one."""
    if query.topic_id is not None and query.topic_id not in bank.topics:
        raise NotFound.of("topic", query.topic_id)
    if query.customer_type_id is not None and query.customer_type_id not in bank.customer_type_ids:
        raise NotFound.of("customer type", query.customer_type_id)
    for employee_id in query.explicit_employee_ids:
        if employee_id not in bank.advisors:
            raise NotFound.of("employee", employee_id)
    for room_id in query.specific_room_ids or ():
        if room_id not in bank.rooms:
            raise NotFound.of("room", room_id)


def check_locations(bank: Bank, query: SearchRequest) -> SearchRequest:
    """Unknown locations are 400s; known ones as the bank spells them."""
    return replace(
        query,
        customer_location=query.customer_location and place(bank, query.customer_location, "customerLocation"),
        meeting_location=query.meeting_location and place(bank, query.meeting_location, "meetingLocation"),
    )


@dataclass(frozen=True)
class LoadedSearch:
    """A search with its data read: `rows()` computes the slots, without touching the database."""

    plan: SearchPlan | None
    occupancy: Occupancy | None = None
    # what the unavailability reasons and alternatives start from (given only when asked for reasons)
    bank: Bank | None = None
    search: SlotSearch | None = None

    def rows(self) -> list[SlotRow]:
        """Slots as rows (start, end, meeting type, employee, room, topic): a month of a bank is
        100,000+ of them, and rows skip building an object for each."""
        return self.plan.rows(self.occupancy) if self.plan is not None and self.occupancy is not None else []

    def columns(self) -> Columns:
        """The same slots as `rows()`, as the engine's columns (for `answer_json`)."""
        return self.plan.columns(self.occupancy) if self.plan is not None and self.occupancy is not None else empty_columns()


async def load_search(
    session: AsyncSession, cache: SnapshotCache, query: SearchRequest, now: dt.datetime, reasons: bool = False
) -> LoadedSearch:
    """Everything a search reads (checking the query on the way); the computing is left to
    `rows()`, so a caller can run it and what follows without an await in between. `reasons`:
    the plan can also say why a day has no slot (`plan.reasons(occupancy)`)."""
    bank = await cache.get(session)
    search = slot_search(bank, query, now)
    plan = SearchPlan(search, bank, epoch(now), reasons=reasons)
    if not plan.advisor_ids:
        return LoadedSearch(plan, Occupancy(), bank, search) if reasons else LoadedSearch(None)
    occupancy = await read_occupancy(session, bank, plan, search, epoch(now), query.ignore_meeting_ids)
    return LoadedSearch(plan, occupancy, bank, search) if reasons else LoadedSearch(plan, occupancy)


async def read_occupancy(
    session: AsyncSession, bank: Bank, plan: SearchPlan, search: SlotSearch, now_s: int, ignore_meeting_ids: tuple[str, ...]
) -> Occupancy:
    """What the plan's advisors and rooms have taken in the search's window."""
    return await load_occupancy(
        session, search.window_start, search.window_end, now_s, ignore_meeting_ids=ignore_meeting_ids,
        advisor_ids=plan.advisor_ids if reads_fewer(plan, bank) else None, room_ids=plan.room_ids,
    )


def slot_search(bank: Bank, query: SearchRequest, now: dt.datetime) -> SlotSearch:
    """The engine's search for a checked query."""
    check_references(bank, query)
    query = check_locations(bank, query)
    look = query.look_forward_seconds if query.look_forward_seconds is not None else DEFAULT_LOOK_FORWARD
    if look > MAX_LOOK_FORWARD:
        raise Invalid("lookForwardTime is at most 366 days", [{"field": "lookForwardTime", "message": "at most 366.00:00:00"}])
    if query.meeting_duration_seconds is not None and not 0 < query.meeting_duration_seconds <= 86400:
        raise Invalid("meetingDuration must be between 00:01:00 and 1.00:00:00", [{"field": "meetingDuration", "message": "out of range"}])
    now_s = epoch(now)
    start = max(epoch(query.start_date) if query.start_date else now_s, now_s)
    return SlotSearch(
        window_start=start,
        window_end=start + look,
        require_employee_participation=query.require_employee_participation,
        explicit_employee_ids=query.explicit_employee_ids,
        employee_types=query.employee_types,
        duration_seconds=query.meeting_duration_seconds,
        topic_id=query.topic_id,
        customer_type_id=query.customer_type_id,
        meeting_types=query.meeting_types,
        customer_location=query.customer_location,
        meeting_location=query.meeting_location,
        require_room=query.require_room,
        specific_room_ids=frozenset(query.specific_room_ids) if query.specific_room_ids is not None else None,
        customer_initiated=query.customer_initiated,
        ignore_minimum_notice=query.ignore_minimum_notice,
        best_slots=query.best_slots,
    )


def reads_fewer(plan: SearchPlan, bank: Bank) -> bool:
    """Name the advisors in the read only when they are a small part of the bank: for most of
    it, a list of hundreds of ids costs the database more than the rows it saves."""
    return len(plan.advisor_ids) * 3 <= len(bank.advisors)


def slots_json(slots: list[SlotRow]) -> list[dict]:
    """The wire form as a dict per slot, formatting each distinct instant once: the plain path
    `answer_json` must match byte for byte (tests/unit/test_answer_json.py)."""
    text: dict[int, str] = {}

    def fmt(at: int) -> str:
        value = text.get(at)
        if value is None:
            value = text[at] = format_instant(at)
        return value

    return [
        {"startDate": fmt(start), "endDate": fmt(end), "meetingType": meeting_type, "employeeId": employee,
         "roomId": room, "meetingTopicId": topic}
        for start, end, meeting_type, employee, room, topic in slots
    ]


# Instants numpy formats as format_instant does (four-digit years, UTC, milliseconds).
_NUMPY_INSTANTS = (-30610224000, 253402300799)  # 1000-01-01T00:00:00Z to 9999-12-31T23:59:59Z


def instants_text(instants: np.ndarray) -> list[str]:
    """`format_instant` of each, in one numpy call when they are all in the years 1000-9999."""
    if not len(instants):
        return []
    lo, hi = _NUMPY_INSTANTS
    if lo <= int(instants.min()) and int(instants.max()) <= hi:
        return [t + "Z" for t in np.datetime_as_string(instants.astype("datetime64[s]"), unit="ms").tolist()]
    return [format_instant(t) for t in instants.tolist()]


def answer_json(answer: Columns) -> bytes:
    """The search's JSON body, byte for byte `orjson.dumps(slots_json(answer.rows()))`: the parts
    of `answer_json_parts` joined."""
    return b"".join(answer_json_parts(answer)[1])


SLOTS_PER_PART = 2048  # about 350 kB of JSON


def answer_json_parts(answer: Columns, slots_per_part: int = SLOTS_PER_PART) -> tuple[int, Iterator[bytes]]:
    """The search's JSON body as its length and its parts, made one after another as they are
    sent, without a dict (or a row) per slot: each slot is three pre-encoded fragments, one per
    (start, type) used, one per advisor and one per room. A month of all advisors is 150,000 slots
    and 25 MB: the dicts alone took longer than the engine, and one 25 MB body paid a page fault
    per 4 kB every time (15,000 faults, more CPU than making it; a part of 350 kB reuses the memory
    the previous one freed)."""
    n = answer.count
    if not n:
        return 2, iter((b"[]",))
    ntypes = len(answer.types)
    keys = answer.start_ix * ntypes + answer.type_ix
    used = np.zeros(len(answer.starts) * ntypes, dtype=bool)
    used[keys] = True
    cells = np.flatnonzero(used)  # the (start, type) pairs of the answer, each once
    at = answer.starts[cells // ntypes]
    types = [orjson.dumps(t).decode() for t in answer.types]
    heads = np.empty(len(used), dtype=object)
    heads[cells] = [
        f',{{"startDate":"{start}","endDate":"{end}","meetingType":{types[t]},"employeeId":'.encode()
        for start, end, t in zip(instants_text(at), instants_text(at + answer.duration), (cells % ntypes).tolist())
    ]
    advisors = np.empty(len(answer.ids), dtype=object)
    advisors[:] = [orjson.dumps(i) + b',"roomId":' for i in answer.ids.tolist()]
    topic = b',"meetingTopicId":' + orjson.dumps(answer.topic_id) + b"}"
    rooms = np.empty(len(answer.rooms), dtype=object)
    rooms[:] = [orjson.dumps(r) + topic for r in answer.rooms]
    length = 1 + int(  # "[" + the slots, the first without its comma, + "]"
        _lengths(heads)[keys].sum() + _lengths(advisors)[answer.advisor_ix].sum() + _lengths(rooms)[answer.room_ix].sum()
    )

    def parts() -> Iterator[bytes]:
        for lo in range(0, n, slots_per_part):
            hi = min(n, lo + slots_per_part)
            part = np.empty(3 * (hi - lo), dtype=object)
            part[0::3] = heads[keys[lo:hi]]
            part[1::3] = advisors[answer.advisor_ix[lo:hi]]
            part[2::3] = rooms[answer.room_ix[lo:hi]]
            out = part.tolist()
            if lo == 0:
                out[0] = b"[" + out[0][1:]  # the first slot without its comma
            if hi == n:
                out.append(b"]")
            yield b"".join(out)

    return length, parts()


def _lengths(fragments: np.ndarray) -> np.ndarray:
    return np.array([len(f) if f is not None else 0 for f in fragments.tolist()], dtype=np.int64)
