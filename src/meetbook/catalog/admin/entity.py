"""Shared steps of every configuration write: ids, references, uniqueness, JSON Patch, in-use refusals.

An entity's write rules are data (`Entity`); `admin_crud` runs create, replace, patch and delete
over any of them, so each entity module only says what it refers to and what refers to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import String, cast, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.core import patching
from meetbook.core.db import new_id, refused_as
from meetbook.core.errors import Conflict, Invalid, NotFound
from meetbook.tables import catalog as m
from meetbook.tables.claims import HoldRow
from meetbook.tables.meetings import BOOKED, MeetingRow

# (count, singular, plural): one kind of thing that still refers to what is being deleted.
Usage = tuple[int, str, str]


@dataclass(frozen=True)
class Entity:
    """How one configuration entity is written. `check(session, new, old)` validates a wire object
    (old is None on create) against the rest of the bank; `usages` lists what still refers to a
    row; `cleanup` removes what may go with it; `after` follows a change through (renames)."""

    kind: str  # "customer type": used in every message
    table: type
    schema: type[BaseModel]  # the wire shape, validated on create and after a patch
    out: Callable[[Any], BaseModel]
    fields: Callable[[Any], dict]
    path: str  # the collection's URL, for Location headers
    label: Callable[[Any], str]  # a row in words: "topic 'Housing'"
    check: Callable[[AsyncSession, Any, Any | None], Awaitable[None]]
    usages: Callable[[AsyncSession, Any, dt.datetime], Awaitable[list[Usage]]]
    cleanup: Callable[[AsyncSession, Any, dt.datetime], Awaitable[None]] | None = None
    after: Callable[[AsyncSession, Any, Any], Awaitable[None]] | None = None
    # Every create, change and delete followed through (an outbox event): (session, wire object, deleted, now).
    written: Callable[[AsyncSession, Any, bool, dt.datetime], Awaitable[None]] | None = None
    hint: str = ""  # appended to an in-use refusal: what to do instead


# --- ids and references ------------------------------------------------------------------------------


async def claim_id(session: AsyncSession, table: type, given: str | None, kind: str) -> str:
    """A client may choose the id of a new object (a UUID, already checked by the schema)."""
    if given is None:
        return new_id()
    if await session.get(table, given) is not None:
        raise Conflict(f"a {kind} with id '{given}' already exists; leave id out to get a new one")
    return given


def added(new: Iterable[str | None], old: Iterable[str | None] | None = None) -> list[str]:
    """The values of `new` not already in `old`: only fresh references need checking, so an edit of
    one field never fails on data imported earlier."""
    before = set(old or ())
    return sorted({x for x in new if x and x not in before})


async def require(session: AsyncSession, table: type, ids: Iterable[str], kind: str, field: str) -> None:
    """Every id exists, or a 404 that names each missing one and the field it came from."""
    wanted = set(ids)
    if not wanted:
        return
    found = set((await session.scalars(select(table.id).where(table.id.in_(wanted)))).all())
    missing = sorted(wanted - found)
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise NotFound(
            f"{kind} '{missing[0]}' was not found{more}",
            [{"field": field, "message": f"no {kind} with id '{x}'"} for x in missing],
        )


async def require_locations(session: AsyncSession, names: Iterable[str], field: str) -> None:
    """Branches are referred to by name (`location: Copenhagen`); the name must be configured."""
    wanted = set(names)
    if not wanted:
        return
    known = list((await session.scalars(select(m.LocationRow.location))).all())
    missing = sorted(wanted - set(known))
    if missing:
        by_lower = {k.lower(): k for k in known}
        guesses = [f" (did you mean '{by_lower[x.lower()]}'?)" if x.lower() in by_lower else "" for x in missing]
        raise NotFound(
            f"location '{missing[0]}' was not found{guesses[0]}; create it under /bookme/config/locations first",
            [{"field": field, "message": f"no location named '{x}'{g}"} for x, g in zip(missing, guesses)],
        )


def changed(old: BaseModel | None, new: BaseModel, *attrs: str) -> bool:
    return old is None or any(getattr(old, a) != getattr(new, a) for a in attrs)


async def ensure_unique(session: AsyncSession, table: type, ident: str, message: str, **values: Any) -> None:
    """No other row has these values (text compared without regard to letter case)."""
    conditions = []
    for name, value in values.items():
        column = getattr(table, name)
        conditions.append(func.lower(column) == value.lower() if isinstance(value, str) else column == value)
    if await session.scalar(select(table.id).where(*conditions, table.id != ident).limit(1)) is not None:
        raise Conflict(message)


async def flush(session: AsyncSession, kind: str) -> None:
    """A unique index that catches what the checks missed (two writers at once) is a 409 too."""
    async with refused_as(Conflict(f"the {kind} collides with another one written at the same moment; read it and try again")):
        await session.flush()


# --- JSON Patch ---------------------------------------------------------------------------------------


def patched(before: BaseModel, body: Any, schema: type[BaseModel], key: str = "id") -> Any:
    """RFC 6902 on the object's wire shape, then validated like a new request. The key stays."""
    document = before.model_dump(by_alias=True, mode="json")
    after = patching.apply(document, body, schema)
    if getattr(after, key) != getattr(before, key):
        alias = schema.model_fields[key].alias or key
        raise Invalid(f"'{alias}' cannot be changed", [{"field": alias, "message": "cannot be changed"}])
    return after


# --- what still refers to something ------------------------------------------------------------------


async def count_rows(session: AsyncSession, table: type, refers: Callable[[Any], bool]) -> int:
    """Rows whose JSON lists mention something. Configuration tables are small, and JSON
    containment is spelled differently on each database, so the test runs here."""
    return sum(1 for row in (await session.scalars(select(table))).all() if refers(row))


def in_list(value: str, items: Iterable[str] | None) -> bool:
    return value in (items or ())


async def upcoming_meetings(session: AsyncSession, column, ident: str, now: dt.datetime) -> int:
    """Booked meetings not yet over (upcoming or in progress) that refer to `ident`."""
    query = select(func.count()).select_from(MeetingRow).where(
        column == ident, MeetingRow.status == BOOKED, MeetingRow.end > now
    )
    return int(await session.scalar(query) or 0)


async def active_holds(session: AsyncSession, column, ident: str, now: dt.datetime) -> int:
    query = select(func.count()).select_from(HoldRow).where(column == ident, HoldRow.expires_at > now)
    return int(await session.scalar(query) or 0)


async def detach_meetings(session: AsyncSession, column, ident: str, now: dt.datetime) -> None:
    """Past and cancelled meetings keep their record but stop pointing at a deleted object."""
    await session.execute(
        update(MeetingRow).where(column == ident).values({column.key: None, MeetingRow.date_modified.key: now})
    )


async def meetings_of_employee(session: AsyncSession, employee_id: str, now: dt.datetime) -> tuple[int, int]:
    """(upcoming booked, all others) meetings the employee leads or takes part in."""
    rows = (
        await session.execute(
            select(MeetingRow.employee_id, MeetingRow.additional_employees, MeetingRow.status, MeetingRow.end).where(
                or_(
                    MeetingRow.employee_id == employee_id,
                    cast(MeetingRow.additional_employees, String).contains(employee_id),
                )
            )
        )
    ).all()
    upcoming = other = 0
    for lead, extra, status, end in rows:
        if lead != employee_id and employee_id not in (extra or ()):
            continue
        if status == BOOKED and end > now:
            upcoming += 1
        else:
            other += 1
    return upcoming, other


def refuse_if_used(label: str, usages: list[Usage], hint: str = "") -> None:
    parts = [f"{n} {one if n == 1 else many}" for n, one, many in usages if n]
    if not parts:
        return
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    raise Conflict(f"{label} is used by {text}; remove those references first{hint}")


def check_tree(parents: dict[str, str | None], node: str, kind: str, field: str, max_depth: int | None = None) -> None:
    """`parents` (with the change applied) has no cycle through `node`, and, given `max_depth`,
    no chain from a top-level item down through `node`'s deepest descendant is longer than that."""
    seen: list[str] = []
    current: str | None = node
    while current is not None:
        if current in seen:
            raise Invalid(f"{field}: a {kind} cannot sit below itself (this would form a cycle)",
                          [{"field": field, "message": "forms a cycle"}])
        seen.append(current)
        current = parents.get(current)
    if max_depth is None:
        return
    children: dict[str, list[str]] = {}
    for child, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)

    def height(item: str) -> int:
        return 1 + max((height(x) for x in children.get(item, ())), default=0)

    if len(seen) - 1 + height(node) > max_depth:
        raise Invalid(f"{field}: {kind}s nest at most {max_depth} levels deep",
                      [{"field": field, "message": f"nests deeper than {max_depth} levels"}])


async def parents_of(session: AsyncSession, table: type, column: str) -> dict[str, str | None]:
    return {ident: parent for ident, parent in (await session.execute(select(table.id, getattr(table, column)))).all()}
