"""The write rules of rooms."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.catalog import convert
from meetbook.catalog import schemas as c
from meetbook.catalog.admin import entity as e
from meetbook.tables import catalog as m
from meetbook.tables.claims import ClaimRow, HoldRow, room_resource
from meetbook.tables.meetings import MeetingRow


async def _check_room(session: AsyncSession, new: c.Room, old: c.Room | None) -> None:
    if e.changed(old, new, "location"):
        await e.require_locations(session, [new.location], "location")
    if e.changed(old, new, "location", "name"):
        await e.ensure_unique(session, m.RoomRow, new.id, f"{new.location} already has a room named '{new.name}'",
                            location=new.location, name=new.name)


async def _room_usages(session: AsyncSession, row: m.RoomRow, now: dt.datetime) -> list[e.Usage]:
    return [
        (await e.upcoming_meetings(session, MeetingRow.room_id, row.id, now), "upcoming meeting", "upcoming meetings"),
        (await e.active_holds(session, HoldRow.room_id, row.id, now), "active hold", "active holds"),
    ]


async def _room_cleanup(session: AsyncSession, row: m.RoomRow, now: dt.datetime) -> None:
    await e.detach_meetings(session, MeetingRow.room_id, row.id, now)
    await session.execute(delete(HoldRow).where(HoldRow.room_id == row.id))  # all expired by now
    await session.execute(delete(ClaimRow).where(ClaimRow.resource == room_resource(row.id)))  # past meetings' time


ROOMS = e.Entity(
    kind="room", table=m.RoomRow, schema=c.Room, out=convert.room_out, fields=convert.room_fields, path="/config/rooms",
    label=lambda r: f"room '{r.name}' ({r.location})", check=_check_room, usages=_room_usages, cleanup=_room_cleanup,
)
