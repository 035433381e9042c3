"""The write rules of customer types."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.catalog import convert
from meetbook.catalog import schemas as c
from meetbook.catalog.admin import entity as e
from meetbook.tables import catalog as m
from meetbook.tables.meetings import MeetingRow


async def _check_customer_type(session: AsyncSession, new: c.CustomerType, old: c.CustomerType | None) -> None:
    if e.changed(old, new, "name"):
        await e.ensure_unique(session, m.CustomerTypeRow, new.id, f"a customer type named '{new.name}' already exists", name=new.name)


async def _customer_type_usages(session: AsyncSession, row: m.CustomerTypeRow, now: dt.datetime) -> list[e.Usage]:
    ident = row.id
    return [
        (await e.upcoming_meetings(session, MeetingRow.customer_type_id, ident, now), "upcoming meeting", "upcoming meetings"),
        (await e.count_rows(session, m.TopicRow, lambda t: e.in_list(ident, t.customer_type_ids)), "topic", "topics"),
        (await e.count_rows(session, m.EmployeeRow, lambda row: e.in_list(ident, row.skill_customer_type_ids)), "employee's skills", "employees' skills"),
        (await e.count_rows(session, m.CompetenceGroupRow, lambda g: e.in_list(ident, g.customer_type_ids)), "competence group", "competence groups"),
        (await e.count_rows(session, m.ServiceGroupRow, lambda g: e.in_list(ident, (g.service_trigger or {}).get("customerTypeIds"))),
         "service group trigger", "service group triggers"),
    ]


async def _customer_type_cleanup(session: AsyncSession, row: m.CustomerTypeRow, now: dt.datetime) -> None:
    await e.detach_meetings(session, MeetingRow.customer_type_id, row.id, now)


CUSTOMER_TYPES = e.Entity(
    kind="customer type", table=m.CustomerTypeRow, schema=c.CustomerType, out=convert.customer_type_out,
    fields=convert.customer_type_fields, path="/config/customer-types", label=lambda r: f"customer type '{r.name}'",
    check=_check_customer_type, usages=_customer_type_usages, cleanup=_customer_type_cleanup,
)
