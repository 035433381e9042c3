"""Reading the configuration: topics, customer types, employees, rooms."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.catalog import convert
from meetbook.catalog import schemas as c
from meetbook.catalog.store import get_or_404, organization_settings
from meetbook.tables import catalog as m


async def list_topics(
    session: AsyncSession, is_customer: bool, customer_type_id: str | None, lang: str | None = None
) -> list[c.Topic]:
    if customer_type_id is not None:
        await get_or_404(session, m.CustomerTypeRow, customer_type_id, "customer type")
    rows = (await session.scalars(select(m.TopicRow))).all()
    out = []
    for row in rows:
        if is_customer and not row.is_customer_visible:
            continue
        if customer_type_id and row.customer_type_ids and customer_type_id not in row.customer_type_ids:
            continue
        out.append(row)
    out.sort(key=lambda r: (r.order is None, r.order or 0, r.name.lower()))
    return [convert.topic_out(r, lang) for r in out]


async def get_topic(session: AsyncSession, topic_id: str, lang: str | None = None) -> c.Topic:
    return convert.topic_out(await get_or_404(session, m.TopicRow, topic_id, "topic"), lang)


async def list_customer_types(session: AsyncSession, lang: str | None = None) -> list[c.CustomerType]:
    rows = (await session.scalars(select(m.CustomerTypeRow).order_by(m.CustomerTypeRow.name))).all()
    return [convert.customer_type_out(r, lang) for r in rows]


async def get_customer_type(session: AsyncSession, ident: str, lang: str | None = None) -> c.CustomerType:
    return convert.customer_type_out(await get_or_404(session, m.CustomerTypeRow, ident, "customer type"), lang)


async def list_employees(session: AsyncSession) -> list[c.Employee]:
    rows = (await session.scalars(select(m.EmployeeRow).order_by(m.EmployeeRow.last_name, m.EmployeeRow.first_name, m.EmployeeRow.id))).all()
    return [convert.employee_out(r) for r in rows]


async def get_employee(session: AsyncSession, ident: str) -> c.Employee:
    return convert.employee_out(await get_or_404(session, m.EmployeeRow, ident, "employee"))


async def list_rooms(session: AsyncSession) -> list[c.Room]:
    rows = (await session.scalars(select(m.RoomRow).order_by(m.RoomRow.location, m.RoomRow.name))).all()
    return [convert.room_out(r) for r in rows]


async def get_room(session: AsyncSession, ident: str) -> c.Room:
    return convert.room_out(await get_or_404(session, m.RoomRow, ident, "room"))


async def list_locations(session: AsyncSession, lang: str | None = None) -> list[c.Location]:
    rows = (await session.scalars(select(m.LocationRow).order_by(m.LocationRow.location))).all()
    return [convert.location_out(r, lang) for r in rows]


async def get_settings(session: AsyncSession, lang: str | None = None) -> c.OrganizationSettings:
    return convert.settings_out(await organization_settings(session), lang)
