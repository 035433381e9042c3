"""Who is taken when, read from the database for one search or one check, in one statement:

- a search (or a booking's check) on PostgreSQL: each resource's claims packed into one bytea,
  each advisor's calendar entries likewise, then rooms' entries;
- a search on SQLite: the same shape, each resource's claims (and each advisor's entries) as
  three comma-separated lists of integers that numpy parses in one call;
- a reserve's check: a row per claim, with hold ids and expiry, and the reservation token's own
  hold.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

import numpy as np
from sqlalchemy import (
    BigInteger,
    Integer,
    LargeBinary,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import ARRAY, String

from meetbook.availability.model import BUSY, STATUS_CODE, CalendarColumns, ClaimColumns, Occupancy
from meetbook.core.pipeline import as_sqlalchemys
from meetbook.tables.calendar import CalendarEntryRow
from meetbook.tables.claims import ClaimRow, HoldRow, employee_resource, room_resource

# Two days either side: a window edge can fall in a 25-hour autumn day, and caps and the fair
# tie-break count every claim of each local day the window touches.
WIDEN = 2 * 86400


async def load_occupancy(
    session: AsyncSession,
    window_start: int,
    window_end: int,
    now: int,
    *,
    ignore_meeting_ids: Collection[str] = (),
    ignore_hold_ids: Collection[str] = (),
    advisor_ids: Collection[str] | None = None,
    room_ids: Collection[str] = (),
) -> Occupancy:
    """Active claims and calendar time around the window (a search's read, and a check's).

    The window is widened on each side (see WIDEN): daily caps and the fair tie-break count the
    whole local day of every slot. Expired holds are left out: they never block anyone. With
    `advisor_ids`, only those advisors' time and the given rooms' time is read: a search for one
    advisor reads a handful of rows, not the whole bank's.
    """
    params = _params(window_start, window_end, now, ignore_meeting_ids, ignore_hold_ids, advisor_ids, room_ids)
    connection = await session.connection()
    named = advisor_ids is not None
    if connection.dialect.name == "postgresql":
        return await _load_packed(connection, params, named, bool(ignore_meeting_ids), bool(ignore_hold_ids))
    return await _load_listed(connection, params, named, bool(ignore_meeting_ids), bool(ignore_hold_ids))


@dataclass(frozen=True, slots=True)
class CustomerHold:
    """A live hold of the reserving customer, as the read before claiming found it (epoch
    seconds); `mine` when it is the reservation token's own."""

    id: str
    employee_id: str
    room_id: str | None
    start: int
    end: int
    expires: int
    mine: bool = True


@dataclass(frozen=True, slots=True)
class ClaimingRead:
    """What a transaction about to claim learns in one round trip: the occupancy, the expired
    holds in the way (it deletes them: they would trip the database's overlap check), and the
    customer's own holds."""

    occupancy: Occupancy
    expired_holds: frozenset[str]
    customer_holds: tuple[CustomerHold, ...] = ()


async def read_before_claiming(session: AsyncSession, window_start: int, window_end: int, now: int, **read) -> ClaimingRead:
    """The narrow read of load_occupancy, a row per claim, with expired holds' claims too, as
    read_before_claiming_statement describes it (`read`: its keyword arguments)."""
    statement, params = read_before_claiming_statement(session.bind.dialect.name, window_start, window_end, now, **read)
    connection = await session.connection()
    return claiming_read((await connection.execute(statement, params)).all(), now)


def read_before_claiming_statement(
    dialect: str,
    window_start: int,
    window_end: int,
    now: int,
    *,
    advisor_ids: Collection[str],
    room_ids: Collection[str] = (),
    ignore_meeting_ids: Collection[str] = (),
    ignore_hold_ids: Collection[str] = (),
    customer_session: tuple[str, str] | None = None,
    all_holds: bool = True,
) -> tuple:
    """The narrow read's statement and parameters (a row per claim, with expired holds' claims
    too), to send with others in one round trip (core.pipeline); its rows make a ClaimingRead with
    claiming_read. With `customer_session` (subject, reservation token), that session's hold does
    not count (moving one's own hold within its time is fine), and comes back with the customer's
    other live holds (`all_holds`; without it only the session's own: an employee, who has no limit,
    may hold hundreds)."""
    params = _params(window_start, window_end, now, ignore_meeting_ids, ignore_hold_ids, advisor_ids, room_ids)
    if customer_session is not None:
        params["subject"], params["token"] = customer_session
    query = _named_query(True, bool(ignore_meeting_ids), bool(ignore_hold_ids), dialect == "postgresql",
                         customer_session is not None, all_holds)
    return query, params


def _params(window_start: int, window_end: int, now: int, ignore_meeting_ids, ignore_hold_ids, advisor_ids, room_ids) -> dict:
    lo, hi = window_start - WIDEN, window_end + WIDEN
    params: dict = {"lo": lo, "hi": hi, "now": now}
    if ignore_meeting_ids:
        params["ignored_meetings"] = list(ignore_meeting_ids)
    if ignore_hold_ids:
        params["ignored_holds"] = list(ignore_hold_ids)
    if advisor_ids is not None:
        # Rooms by name, not by a LIKE pattern, so the (resource, start) index serves the read.
        params["wanted"] = list(dict.fromkeys([employee_resource(a) for a in advisor_ids] + [room_resource(r) for r in room_ids]))
        params["advisors"] = list(advisor_ids)
    return params


async def _load_packed(connection, params: dict, named: bool, ignore_meetings: bool, ignore_holds: bool) -> Occupancy:
    """A search's read on PostgreSQL, in one statement: each resource's claims packed into one
    bytea (500-odd rows for a month of a bank instead of 20,000+, and no Python object per
    claim), each advisor's calendar entries likewise, rooms' as rows (docs/performance.md)."""
    packed: list[tuple[str, bytes]] = []
    calendar = _Calendar()
    sql, defaults = _packed_text(named, ignore_meetings, ignore_holds)
    values = {**defaults, **{k: _array_text(v) if isinstance(v, list) else v for k, v in params.items()}}
    for who, claims, entries, start, end, status, room_id in await _binary_rows(connection, sql, values):
        if claims is not None:
            packed.append((who, claims))
        elif entries is not None:
            calendar.add_packed(who, entries)
        else:
            calendar.add(None, room_id, start, end, status)
    return calendar.occupancy(*_unpacked_columns(packed))


async def _binary_rows(connection, sql: str, values: dict) -> list[tuple]:
    """The rows of `sql` run on the session's own psycopg connection, its answer in binary: the
    packed values arrive as they are (not as hex text), and no SQLAlchemy row or result is made
    for them. The engine's before_cursor_execute listeners still see the statement, with no
    execution context (the benchmark's read floor records it to replay it), and a driver error is
    raised as SQLAlchemy's, as from the session."""
    import psycopg  # only here: the embedded default runs without PostgreSQL's driver in use

    raw = (await connection.get_raw_connection()).driver_connection
    cursor = raw.cursor(binary=True)
    sync = connection.sync_connection
    if sync.dispatch.before_cursor_execute:
        sync.dispatch.before_cursor_execute(sync, cursor, sql, values, None, False)
    try:
        await cursor.execute(sql, values)
        return await cursor.fetchall()
    except psycopg.Error as exc:
        raise await as_sqlalchemys(connection, raw, exc, sql, values) from exc


def _one_of(column, name: str, arrays: bool):
    """`column IN (the list bound as name)`. On PostgreSQL one array parameter (= ANY): the
    statement text stays the same whatever the list's length, and a list of a few hundred
    names costs SQLAlchemy and the database a few milliseconds less than as many parameters."""
    if arrays:
        return column == func.any(bindparam(name, type_=ARRAY(String)))
    return column.in_(bindparam(name, expanding=True))


# One packed claim: start, end and meeting seconds as big-endian int8 (int8send's format).
_PACKED = np.dtype([("start", ">i8"), ("end", ">i8"), ("meeting_seconds", ">i8")])


# The reads are built once per shape, with bound parameters: building a statement costs more
# than a narrow read's rows (a reserve checks one advisor). Core over the tables, not ORM
# entities: rows through the ORM's loading machinery cost far more.
@cache
def _packed_query(named: bool, ignore_meetings: bool, ignore_holds: bool):
    c = ClaimRow.__table__.c
    packed, no = LargeBinary, cast(null(), LargeBinary)
    one = func.int8send(c.start_s).op("||")(func.int8send(c.end_s)).op("||")(func.int8send(cast(c.meeting_seconds, BigInteger)))
    aggregated = func.string_agg(one, literal_column("''::bytea"), type_=packed)
    padding = (cast(null(), BigInteger), cast(null(), BigInteger), cast(null(), String), cast(null(), String))
    if named:
        # Each named resource's claims through the (resource, start_s) index, one lookup per name:
        # the same filters over every claim in the window cost PostgreSQL more (a generic plan
        # compares each row against the whole list of names).
        wanted = func.unnest(bindparam("wanted", type_=ARRAY(String))).table_valued("resource").render_derived(name="w")
        own = select(aggregated.label("packed")).where(
            c.resource == wanted.c.resource, *_claim_filters(False, ignore_meetings, ignore_holds, True)).lateral("c")
        claims = select(wanted.c.resource, own.c.packed, no, *padding).select_from(
            wanted.join(own, true())).where(own.c.packed.is_not(None))
    else:
        claims = select(c.resource, aggregated, no, *padding).where(
            *_claim_filters(False, ignore_meetings, ignore_holds, True)).group_by(c.resource)
    e = CalendarEntryRow.__table__.c
    code = case(STATUS_CODE, value=e.status, else_=-1)
    entry = func.int8send(e.start_s).op("||")(func.int8send(e.end_s)).op("||")(func.int8send(cast(code, BigInteger)))
    advisors = select(e.employee_id, no, func.string_agg(entry, literal_column("''::bytea"), type_=packed), *padding).where(
        e.end_s > bindparam("lo"), e.start_s < bindparam("hi"), e.employee_id.is_not(None))
    if named:
        advisors = advisors.where(_one_of(e.employee_id, "advisors", True))
    rooms = select(cast(null(), String), no, no, e.start_s, e.end_s, e.status, e.room_id).where(
        e.end_s > bindparam("lo"), e.start_s < bindparam("hi"), e.employee_id.is_(None))
    return union_all(claims, advisors.group_by(e.employee_id), rooms)


@cache
def _packed_text(named: bool, ignore_meetings: bool, ignore_holds: bool) -> tuple[str, dict]:
    """_packed_query as psycopg's text and the values the statement carries (its literals)."""
    from sqlalchemy.dialects.postgresql.psycopg import dialect

    compiled = _packed_query(named, ignore_meetings, ignore_holds).compile(dialect=dialect())
    return str(compiled), {k: v for k, v in compiled.params.items() if k not in _PARAMETERS}


def _array_text(names: list[str]) -> str:
    """A list of names as one PostgreSQL array literal, made in a few C calls: psycopg's list
    dumpers (text or binary) spend microseconds in Python on each name, and a branch search
    names 300."""
    if '"' in (joined := "".join(names)) or "\\" in joined:  # quoted characters: escaped one name at a time
        names = [n.replace("\\", "\\\\").replace('"', '\\"') for n in names]
    return '{"' + '","'.join(names) + '"}' if names else "{}"


# The parameters a read is given (see _params); the statement's other parameters are its literals.
_PARAMETERS = {"lo", "hi", "now", "wanted", "advisors", "ignored_meetings", "ignored_holds"}


async def _load_listed(connection, params: dict, named: bool, ignore_meetings: bool, ignore_holds: bool) -> Occupancy:
    """A search's read on SQLite, in one statement, shaped like _load_packed's: SQLite has no
    int8send, so each resource's claims come as three group_concat lists (starts, ends, meeting
    seconds), each advisor's entries likewise, rooms' entries as rows. 500-odd rows for a month
    of a bank instead of 20,000+, and one numpy parse for all the numbers (docs/performance.md)."""
    resources: list[str] = []
    counts: list[int] = []
    lists: tuple[list[str], list[str], list[str]] = ([], [], [])
    calendar = _Calendar()
    for kind, who, count, first, second, third, start, end, status, room_id in (
            await connection.execute(_listed_query(named, ignore_meetings, ignore_holds), params)).all():
        if kind == _CLAIMS:
            resources.append(who)
            counts.append(count)
            lists[0].append(first)
            lists[1].append(second)
            lists[2].append(third)
        elif kind == _ADVISOR_ENTRIES:
            calendar.add_listed(who, count, first, second, third)
        else:
            calendar.add(None, room_id, start, end, status)
    if not resources:
        return calendar.occupancy(*_columns(()))
    owner, (start_s, end_s, seconds) = _parsed(counts, lists)
    return calendar.occupancy(*_split_owners(resources, owner, start_s, end_s, seconds))


# The kinds of row _listed_query returns.
_CLAIMS, _ADVISOR_ENTRIES, _ROOM_ENTRY = 0, 1, 2


@cache
def _listed_query(named: bool, ignore_meetings: bool, ignore_holds: bool):
    # Three group_concat of bare integers cost SQLite less than one group_concat of a
    # concatenation or of a printf (hex) per claim. All the aggregates of a group step over its
    # rows together, so the lists are in the same order; none of the columns is nullable
    # (group_concat would skip a NULL), and _parsed checks the counts anyway.
    c = ClaimRow.__table__.c
    text, number = cast(null(), String), cast(null(), BigInteger)
    claims = select(
        literal(_CLAIMS, Integer), c.resource, func.count(), _listed(c.start_s), _listed(c.end_s), _listed(c.meeting_seconds),
        number, number, text, text,
    ).where(*_claim_filters(False, ignore_meetings, ignore_holds))
    if named:
        claims = claims.where(_one_of(c.resource, "wanted", False))
    e = CalendarEntryRow.__table__.c
    code = case(STATUS_CODE, value=e.status, else_=-1)
    advisors = select(
        literal(_ADVISOR_ENTRIES, Integer), e.employee_id, func.count(), _listed(e.start_s), _listed(e.end_s), _listed(code),
        number, number, text, text,
    ).where(e.end_s > bindparam("lo"), e.start_s < bindparam("hi"), e.employee_id.is_not(None))
    if named:
        advisors = advisors.where(_one_of(e.employee_id, "advisors", False))
    rooms = select(
        literal(_ROOM_ENTRY, Integer), text, cast(null(), Integer), text, text, text, e.start_s, e.end_s, e.status, e.room_id,
    ).where(e.end_s > bindparam("lo"), e.start_s < bindparam("hi"), e.employee_id.is_(None))
    return union_all(claims.group_by(c.resource), advisors.group_by(e.employee_id), rooms)


def _listed(column):
    """SQLite: the group's values of an integer column as one text, comma-separated."""
    return func.group_concat(column, type_=String)


def _parsed(counts: list[int], lists: tuple[list[str], ...]) -> tuple[np.ndarray, list[np.ndarray]]:
    """(for each value the index of the group it came from, one int64 array per column) from
    group_concat lists: group k has counts[k] values in each column's k-th text."""
    total = sum(counts)
    values = np.fromstring(",".join([text for column in lists for text in column]), dtype=np.int64, sep=",")
    if values.size != total * len(lists):
        raise ValueError(f"expected {total * len(lists)} integers in the listed occupancy, parsed {values.size}")
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), np.array(counts, dtype=np.int64))
    return owner, [values[k * total:(k + 1) * total] for k in range(len(lists))]


# One packed calendar entry: start, end and status code (STATUS_CODE) as big-endian int8.
_PACKED_ENTRY = np.dtype([("start", ">i8"), ("end", ">i8"), ("status", ">i8")])


def _unpacked_columns(packed) -> tuple[ClaimColumns, ClaimColumns]:
    """Columns from (resource, packed claims) rows: one frombuffer over all of them."""
    if not packed:
        return _columns(())
    owner, claims = _unpacked([b for _, b in packed], _PACKED)
    return _split_owners([r for r, _ in packed], owner, claims["start"].astype(np.int64), claims["end"].astype(np.int64),
                         claims["meeting_seconds"].astype(np.int64))


def _unpacked(buffers: list[bytes], dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """(for each record the index of the buffer it came from, the records of all the buffers)."""
    counts = np.fromiter(map(len, buffers), dtype=np.int64, count=len(buffers)) // dtype.itemsize
    return np.repeat(np.arange(len(buffers), dtype=np.int64), counts), np.frombuffer(b"".join(buffers), dtype=dtype)


# The status column's markers for the customer's holds (no calendar status looks like these).
_TOKEN_HOLD = "token hold"
_OTHER_HOLD = "other hold"


async def _load_named(connection, query, params: dict, now: int) -> ClaimingRead:
    """A narrow read (named advisors and rooms) in one round trip: claims, calendar entries (and
    the customer's holds) as one UNION ALL, told apart by the status column."""
    return claiming_read((await connection.execute(query, params)).all(), now)


def claiming_read(rows, now: int) -> ClaimingRead:
    """What a narrow read's rows say (see _load_named)."""
    claims: list[tuple[str, int, int, int]] = []
    expired: set[str] = set()
    holds: list[CustomerHold] = []
    calendar = _Calendar()
    for who, start, end, seconds, expires, hold, status, room_id in rows:
        if status is None:  # a claim
            if expires is not None and expires <= now:
                expired.add(hold)
                continue
            claims.append((who, start, end, seconds))
        elif status == _TOKEN_HOLD or status == _OTHER_HOLD:
            holds.append(CustomerHold(hold, who, room_id, start, end, expires, status == _TOKEN_HOLD))
        else:
            calendar.add(who, room_id, start, end, status)
    return ClaimingRead(calendar.occupancy(*_columns(claims)), frozenset(expired), tuple(holds))


class _Calendar:
    """Calendar entries as a read meets them: advisors' as columns, rooms' Busy time as claims."""

    def __init__(self) -> None:
        self.owners: dict[str, int] = {}
        self.owner: list[int] = []
        self.start: list[int] = []
        self.end: list[int] = []
        self.status: list[int] = []
        self.packed_owner: list[int] = []
        self.packed: list[bytes] = []
        self.listed_owner: list[int] = []
        self.listed_count: list[int] = []
        self.listed: tuple[list[str], list[str], list[str]] = ([], [], [])
        self.room_busy: list[tuple[str, int, int]] = []

    def add_packed(self, employee_id: str, entries: bytes) -> None:
        """An advisor's entries packed by the database (see _PACKED_ENTRY)."""
        self.packed_owner.append(self.owners.setdefault(employee_id, len(self.owners)))
        self.packed.append(entries)

    def add_listed(self, employee_id: str, count: int, starts: str, ends: str, codes: str) -> None:
        """An advisor's `count` entries listed by SQLite (see _listed_query)."""
        self.listed_owner.append(self.owners.setdefault(employee_id, len(self.owners)))
        self.listed_count.append(count)
        for column, text in zip(self.listed, (starts, ends, codes)):
            column.append(text)

    def add(self, employee_id: str | None, room_id: str | None, start: int, end: int, status: str) -> None:
        if employee_id:
            self.owner.append(self.owners.setdefault(employee_id, len(self.owners)))
            self.start.append(start)
            self.end.append(end)
            self.status.append(STATUS_CODE.get(status, -1))
        elif room_id and status == BUSY:
            self.room_busy.append((room_id, start, end))

    def occupancy(self, advisor_claims: ClaimColumns, room_claims: ClaimColumns) -> Occupancy:
        if self.room_busy:
            room_claims = _with_room_busy(room_claims, self.room_busy)
        owner = np.array(self.owner, dtype=np.int64)
        start = np.array(self.start, dtype=np.int64)
        end = np.array(self.end, dtype=np.int64)
        status = np.array(self.status, dtype=np.int64)
        if self.packed:
            which, entries = _unpacked(self.packed, _PACKED_ENTRY)
            owner = np.concatenate([owner, np.array(self.packed_owner, dtype=np.int64)[which]])
            start = np.concatenate([start, entries["start"].astype(np.int64)])
            end = np.concatenate([end, entries["end"].astype(np.int64)])
            status = np.concatenate([status, entries["status"].astype(np.int64)])
        if self.listed_count:
            which, (listed_start, listed_end, listed_status) = _parsed(self.listed_count, self.listed)
            owner = np.concatenate([owner, np.array(self.listed_owner, dtype=np.int64)[which]])
            start = np.concatenate([start, listed_start])
            end = np.concatenate([end, listed_end])
            status = np.concatenate([status, listed_status])
        calendar = CalendarColumns(owners=list(self.owners), owner=owner, start=start, end=end, status=status)
        return Occupancy(advisor_claims=advisor_claims, room_claims=room_claims, calendar=calendar)


@cache
def _named_query(with_expired: bool, ignore_meetings: bool, ignore_holds: bool, arrays: bool, of_token: bool = False,
                 all_holds: bool = True):
    c = ClaimRow.__table__.c
    claims = select(
        c.resource, c.start_s, c.end_s, c.meeting_seconds, c.expires_s, c.hold_id,
        cast(null(), String).label("status"), cast(null(), String).label("room_id"),
    ).where(*_claim_filters(with_expired, ignore_meetings, ignore_holds), _one_of(c.resource, "wanted", arrays))
    e = CalendarEntryRow.__table__.c
    padding = (literal(0, Integer), cast(null(), BigInteger), cast(null(), String))
    parts = [claims, _entries_rows(True, arrays, e.employee_id, e.start_s, e.end_s, *padding, e.status, e.room_id)]
    if of_token:
        h = HoldRow.__table__.c
        is_mine = h.token == bindparam("token")
        mine = select(h.id).where(h.subject == bindparam("subject"), is_mine)
        parts[0] = claims.where(or_(c.hold_id.is_(None), c.hold_id.not_in(mine.scalar_subquery())))
        expires = _epoch(h.expires_at, arrays)
        parts.append(select(
            h.employee_id, _epoch(h.start, arrays), _epoch(h.end, arrays), literal(0, Integer), expires,
            h.id, case((is_mine, literal(_TOKEN_HOLD, String)), else_=literal(_OTHER_HOLD, String)), h.room_id,
        ).where(h.subject == bindparam("subject"), or_(is_mine, expires > bindparam("now")) if all_holds else is_mine))
    return union_all(*parts)


def _epoch(column, postgres: bool):
    """A stored instant as whole epoch seconds (what claims hold), in SQL."""
    seconds = extract("epoch", column)
    return cast(func.floor(seconds) if postgres else seconds, BigInteger)


def _entries_rows(named: bool, arrays: bool, *columns):
    """Calendar entries in the window as `columns` (the second half of a UNION ALL with claims);
    named: the wanted advisors' and every room's."""
    e = CalendarEntryRow.__table__.c
    entries = select(*columns).where(
        e.end_s > bindparam("lo"), e.start_s < bindparam("hi"))
    if named:
        entries = entries.where(or_(_one_of(e.employee_id, "advisors", arrays), e.employee_id.is_(None)))
    return entries


def _claim_filters(with_expired: bool, ignore_meetings: bool, ignore_holds: bool, arrays: bool = False) -> list:
    """arrays: the ignored ids bound as one array each (PostgreSQL), not as an expanding list."""
    c = ClaimRow.__table__.c
    where = [c.end_s > bindparam("lo"), c.start_s < bindparam("hi")]
    if not with_expired:
        where.append(or_(c.expires_s.is_(None), c.expires_s > bindparam("now")))
    for wanted, column, name in ((ignore_meetings, c.meeting_id, "ignored_meetings"), (ignore_holds, c.hold_id, "ignored_holds")):
        if wanted:
            outside = column != func.all(bindparam(name, type_=ARRAY(String))) if arrays else column.not_in(bindparam(name, expanding=True))
            where.append(or_(column.is_(None), outside))
    return where


def _columns(rows) -> tuple[ClaimColumns, ClaimColumns]:
    """Advisors' and rooms' claims as columns over the same arrays: each side names only its own
    owners (the other side's are None, so the engine skips them)."""
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        none = ClaimColumns(owners=(), owner=empty, start=empty, end=empty, meeting_seconds=empty)
        return none, none
    resources, starts, ends, seconds = zip(*rows)
    index = {r: k for k, r in enumerate(dict.fromkeys(resources))}
    owner = np.fromiter(map(index.__getitem__, resources), dtype=np.int64, count=len(resources))
    return _split_owners(index, owner, np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64),
                         np.array(seconds, dtype=np.int64))


def _split_owners(resources, owner, start, end, secs) -> tuple[ClaimColumns, ClaimColumns]:
    advisors: list[str | None] = []
    rooms: list[str | None] = []
    for resource in resources:
        kind, _, ident = resource.partition(":")
        advisors.append(ident if kind == "employee" else None)
        rooms.append(ident if kind == "room" else None)
    return ClaimColumns(advisors, owner, start, end, secs), ClaimColumns(rooms, owner, start, end, secs)


def _with_room_busy(rooms: ClaimColumns, busy: list[tuple[str, int, int]]) -> ClaimColumns:
    """A room's own calendar: busy time blocks it like a claim, counting no meeting time."""
    owners = list(rooms.owners)
    position = {o: k for k, o in enumerate(owners) if o is not None}
    extra = []
    for room_id, _, _ in busy:
        if room_id not in position:
            position[room_id] = len(owners)
            owners.append(room_id)
        extra.append(position[room_id])
    return ClaimColumns(
        owners=owners,
        owner=np.concatenate([rooms.owner, np.array(extra, dtype=np.int64)]),
        start=np.concatenate([rooms.start, np.array([b[1] for b in busy], dtype=np.int64)]),
        end=np.concatenate([rooms.end, np.array([b[2] for b in busy], dtype=np.int64)]),
        meeting_seconds=np.concatenate([rooms.meeting_seconds, np.zeros(len(busy), dtype=np.int64)]),
    )

