"""The write rules of customer types."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.catalog import convert
from meetbook.catalog import schemas as c
from meetbook.catalog.admin.entity import (
    Entity,
    Usage,
    changed,
    count_rows,
    detach_meetings,
    ensure_unique,
    in_list,
    upcoming_meetings,
)
from meetbook.tables import catalog as m
from meetbook.tables.meetings import MeetingRow


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
