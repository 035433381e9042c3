"""The write rules of locations (branches); a renamed location carries its name to rooms and schedules."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.catalog import convert
from meetbook.catalog import schemas as c
from meetbook.catalog.admin import entity as e
from meetbook.tables import catalog as m


async def _check_location(session: AsyncSession, new: c.Location, old: c.Location | None) -> None:
    if e.changed(old, new, "location"):
        await e.ensure_unique(session, m.LocationRow, new.id, f"a location named '{new.location}' already exists", location=new.location)


def _schedule_at(row: m.EmployeeScheduleRow, name: str) -> bool:
    return any(w.get("location") == name for w in row.workdays or ())


async def _location_usages(session: AsyncSession, row: m.LocationRow, now: dt.datetime) -> list[e.Usage]:
    name = row.location
    return [
        (await e.count_rows(session, m.RoomRow, lambda r: r.location == name), "room", "rooms"),
        (await e.count_rows(session, m.EmployeeScheduleRow, lambda s: _schedule_at(s, name)), "employee schedule", "employee schedules"),
        (await e.count_rows(session, m.EmployeeRow, lambda row: row.location == name), "employee's home location", "employees' home locations"),
        (await e.count_rows(session, m.ServiceGroupRow, lambda g: e.in_list(name, (g.service_level or {}).get("locations"))),
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


LOCATIONS = e.Entity(
    kind="location", table=m.LocationRow, schema=c.Location, out=convert.location_out, fields=convert.location_fields,
    path="/bookme/config/locations", label=lambda r: f"location '{r.location}'", check=_check_location,
    usages=_location_usages, after=_location_renamed,
)
