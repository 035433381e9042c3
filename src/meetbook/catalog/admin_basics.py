"""The write rules of customer types, topics, locations and rooms."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.catalog import convert
from meetbook.catalog import schemas as c
from meetbook.catalog.admin_common import (
    Entity,
    Usage,
    active_holds,
    added,
    changed,
    count_rows,
    detach_meetings,
    ensure_unique,
    in_list,
    require,
    require_locations,
    upcoming_meetings,
)
from meetbook.core.errors import Invalid
from meetbook.tables import catalog as m
from meetbook.tables.claims import ClaimRow, HoldRow, room_resource
from meetbook.tables.meetings import MeetingRow

# --- customer types ------------------------------------------------------------------------------------


async def _check_customer_type(session: AsyncSession, new: c.CustomerType, old: c.CustomerType | None) -> None:
    if changed(old, new, "name"):
        await ensure_unique(session, m.CustomerTypeRow, new.id, f"a customer type named '{new.name}' already exists", name=new.name)


async def _customer_type_usages(session: AsyncSession, row: m.CustomerTypeRow, now: dt.datetime) -> list[Usage]:
    ident = row.id
    return [
        (await upcoming_meetings(session, MeetingRow.customer_type_id, ident, now), "upcoming meeting", "upcoming meetings"),
        (await count_rows(session, m.TopicRow, lambda t: in_list(ident, t.customer_type_ids)), "topic", "topics"),
        (await count_rows(session, m.EmployeeRow, lambda e: in_list(ident, e.skill_customer_type_ids)), "employee's skills", "employees' skills"),
        (await count_rows(session, m.CompetenceGroupRow, lambda g: in_list(ident, g.customer_type_ids)), "competence group", "competence groups"),
        (await count_rows(session, m.ServiceGroupRow, lambda g: in_list(ident, (g.service_trigger or {}).get("customerTypeIds"))),
         "service group trigger", "service group triggers"),
    ]


async def _customer_type_cleanup(session: AsyncSession, row: m.CustomerTypeRow, now: dt.datetime) -> None:
    await detach_meetings(session, MeetingRow.customer_type_id, row.id, now)


CUSTOMER_TYPES = Entity(
    kind="customer type",
    table=m.CustomerTypeRow,
    schema=c.CustomerType,
    out=convert.customer_type_out,
    fields=convert.customer_type_fields,
    path="/config/customer-types",
    label=lambda r: f"customer type '{r.name}'",
    check=_check_customer_type,
    usages=_customer_type_usages,
    cleanup=_customer_type_cleanup,
)

# --- topics ---------------------------------------------------------------------------------------------


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


async def _check_topic(session: AsyncSession, new: c.Topic, old: c.Topic | None) -> None:
    if new.meeting_duration is not None and not 60 <= new.meeting_duration <= 86400:
        raise Invalid("meetingDuration must be between 00:01:00 and 1.00:00:00",
                      [{"field": "meetingDuration", "message": "out of range"}])
    unique_id = new.unique_topic_id or new.name
    if old is None or unique_id != (old.unique_topic_id or old.name):
        await ensure_unique(session, m.TopicRow, new.id, f"a topic with uniqueTopicId '{unique_id}' already exists", unique_topic_id=unique_id)
    if changed(old, new, "parent_id") and new.parent_id is not None:
        await require(session, m.TopicRow, [new.parent_id], "topic", "parentId")
        parents = await parents_of(session, m.TopicRow, "parent_id")
        parents[new.id] = new.parent_id
        check_tree(parents, new.id, "topic", "parentId")
    await require(session, m.CustomerTypeRow, added(new.customer_type_ids, old and old.customer_type_ids), "customer type", "customerTypeIds")


async def _topic_usages(session: AsyncSession, row: m.TopicRow, now: dt.datetime) -> list[Usage]:
    ident = row.id
    return [
        (await upcoming_meetings(session, MeetingRow.topic_id, ident, now), "upcoming meeting", "upcoming meetings"),
        (await count_rows(session, m.TopicRow, lambda t: t.parent_id == ident), "sub-topic", "sub-topics"),
        (await count_rows(session, m.EmployeeRow, lambda e: in_list(ident, e.skill_topic_ids)), "employee's skills", "employees' skills"),
        (await count_rows(session, m.CompetenceGroupRow, lambda g: in_list(ident, g.topic_ids)), "competence group", "competence groups"),
        (await count_rows(session, m.ServiceGroupRow, lambda g: in_list(ident, (g.service_trigger or {}).get("topicIds"))),
         "service group trigger", "service group triggers"),
    ]


async def _topic_cleanup(session: AsyncSession, row: m.TopicRow, now: dt.datetime) -> None:
    await detach_meetings(session, MeetingRow.topic_id, row.id, now)


TOPICS = Entity(
    kind="topic",
    table=m.TopicRow,
    schema=c.Topic,
    out=convert.topic_out,
    fields=convert.topic_fields,
    path="/bookme/meeting-topics",
    label=lambda r: f"topic '{r.name}'",
    check=_check_topic,
    usages=_topic_usages,
    cleanup=_topic_cleanup,
)

# --- locations (branches) ---------------------------------------------------------------------------------


async def _check_location(session: AsyncSession, new: c.Location, old: c.Location | None) -> None:
    if changed(old, new, "location"):
        await ensure_unique(session, m.LocationRow, new.id, f"a location named '{new.location}' already exists", location=new.location)


def _schedule_at(row: m.EmployeeScheduleRow, name: str) -> bool:
    return any(w.get("location") == name for w in row.workdays or ())


async def _location_usages(session: AsyncSession, row: m.LocationRow, now: dt.datetime) -> list[Usage]:
    name = row.location
    return [
        (await count_rows(session, m.RoomRow, lambda r: r.location == name), "room", "rooms"),
        (await count_rows(session, m.EmployeeScheduleRow, lambda s: _schedule_at(s, name)), "employee schedule", "employee schedules"),
        (await count_rows(session, m.EmployeeRow, lambda e: e.location == name), "employee's home location", "employees' home locations"),
        (await count_rows(session, m.ServiceGroupRow, lambda g: in_list(name, (g.service_level or {}).get("locations"))),
         "service group level", "service group levels"),
    ]


async def _location_renamed(session: AsyncSession, before: c.Location, after: c.Location) -> None:
    """A branch is referred to by name; renaming it renames it everywhere in the configuration."""
    old, new = before.location, after.location
    if old == new:
        return
    await session.execute(update(m.RoomRow).where(m.RoomRow.location == old).values(location=new))
    await session.execute(update(m.EmployeeRow).where(m.EmployeeRow.location == old).values(location=new))
    for schedule in (await session.scalars(select(m.EmployeeScheduleRow))).all():
        if _schedule_at(schedule, old):
            schedule.workdays = [{**w, "location": new} if w.get("location") == old else w for w in schedule.workdays]
    for group in (await session.scalars(select(m.ServiceGroupRow))).all():
        level, trigger = dict(group.service_level or {}), dict(group.service_trigger or {})
        if old in (level.get("locations") or ()):
            group.service_level = {**level, "locations": [new if x == old else x for x in level["locations"]]}
        if old in (trigger.get("customerLocations") or ()):
            group.service_trigger = {**trigger, "customerLocations": [new if x == old else x for x in trigger["customerLocations"]]}
    await session.flush()


LOCATIONS = Entity(
    kind="location",
    table=m.LocationRow,
    schema=c.Location,
    out=convert.location_out,
    fields=convert.location_fields,
    path="/bookme/config/locations",
    label=lambda r: f"location '{r.location}'",
    check=_check_location,
    usages=_location_usages,
    after=_location_renamed,
)

# --- rooms ------------------------------------------------------------------------------------------------


async def _check_room(session: AsyncSession, new: c.Room, old: c.Room | None) -> None:
    if changed(old, new, "location"):
        await require_locations(session, [new.location], "location")
    if changed(old, new, "location", "name"):
        await ensure_unique(session, m.RoomRow, new.id, f"{new.location} already has a room named '{new.name}'",
                            location=new.location, name=new.name)


async def _room_usages(session: AsyncSession, row: m.RoomRow, now: dt.datetime) -> list[Usage]:
    return [
        (await upcoming_meetings(session, MeetingRow.room_id, row.id, now), "upcoming meeting", "upcoming meetings"),
        (await active_holds(session, HoldRow.room_id, row.id, now), "active hold", "active holds"),
    ]


async def _room_cleanup(session: AsyncSession, row: m.RoomRow, now: dt.datetime) -> None:
    await detach_meetings(session, MeetingRow.room_id, row.id, now)
    await session.execute(delete(HoldRow).where(HoldRow.room_id == row.id))  # all expired by now
    await session.execute(delete(ClaimRow).where(ClaimRow.resource == room_resource(row.id)))  # past meetings' time


ROOMS = Entity(
    kind="room",
    table=m.RoomRow,
    schema=c.Room,
    out=convert.room_out,
    fields=convert.room_fields,
    path="/config/rooms",
    label=lambda r: f"room '{r.name}' ({r.location})",
    check=_check_room,
    usages=_room_usages,
    cleanup=_room_cleanup,
)
