"""Create, read, replace, patch and delete for any configuration entity described by an `Entity`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.catalog.admin.entity import Entity, claim_id, flush, patched, refuse_if_used
from meetbook.catalog.store import configuration_changed, get_or_404
from meetbook.core.errors import Invalid


async def create(session: AsyncSession, spec: Entity, body: BaseModel, now: dt.datetime | None = None) -> BaseModel:
    ident = await claim_id(session, spec.table, body.id, spec.kind)
    new = body.model_copy(update={"id": ident})
    await spec.check(session, new, None)
    row = spec.table(id=ident, **spec.fields(new))
    session.add(row)
    await flush(session, spec.kind)
    await configuration_changed(session)
    return await _written(session, spec, spec.out(row), now)


async def get(session: AsyncSession, spec: Entity, ident: str) -> BaseModel:
    return spec.out(await get_or_404(session, spec.table, ident, spec.kind))


async def list_all(session: AsyncSession, spec: Entity, *order) -> list[BaseModel]:
    rows = (await session.scalars(select(spec.table).order_by(*order, spec.table.id))).all()
    return [spec.out(r) for r in rows]


async def replace(
    session: AsyncSession, spec: Entity, ident: str, body: BaseModel, now: dt.datetime | None = None
) -> tuple[BaseModel, bool]:
    """PUT: the whole object at this id, created when new. Returns (object, created)."""
    try:
        ident = str(uuid.UUID(ident))
    except ValueError:
        raise Invalid(f"'{ident}' is not a UUID", [{"field": "id", "message": "must be a UUID"}]) from None
    if body.id is not None and body.id != ident:
        raise Invalid("the body's id differs from the id in the path", [{"field": "id", "message": "must match the path"}])
    row = await session.get(spec.table, ident)
    if row is None:
        return await create(session, spec, body.model_copy(update={"id": ident}), now), True
    return await update(session, spec, row, spec.out(row), body.model_copy(update={"id": ident}), now), False


async def patch(session: AsyncSession, spec: Entity, ident: str, operations: Any, now: dt.datetime | None = None) -> BaseModel:
    """RFC 6902 JSON Patch on the object's wire shape, validated again as a whole."""
    row = await get_or_404(session, spec.table, ident, spec.kind)
    before = spec.out(row)
    return await update(session, spec, row, before, patched(before, operations, spec.schema), now)


async def update(
    session: AsyncSession, spec: Entity, row: Any, before: BaseModel, after: BaseModel, now: dt.datetime | None = None
) -> BaseModel:
    """Write `after` over `row` (whose wire shape was `before`), after the entity's checks."""
    await spec.check(session, after, before)
    for key, value in spec.fields(after).items():
        setattr(row, key, value)
    await flush(session, spec.kind)
    if spec.after is not None:
        await spec.after(session, before, after)
    await configuration_changed(session)
    return await _written(session, spec, spec.out(row), now)


async def delete(session: AsyncSession, spec: Entity, ident: str, now: dt.datetime) -> None:
    """Refused (409, naming every reference) while anything still refers to the object."""
    row = await get_or_404(session, spec.table, ident, spec.kind)
    refuse_if_used(spec.label(row), await spec.usages(session, row, now), spec.hint)
    if spec.cleanup is not None:
        await spec.cleanup(session, row, now)
    last = spec.out(row)
    await session.delete(row)
    await flush(session, spec.kind)
    await configuration_changed(session)
    await _written(session, spec, last, now, deleted=True)


async def _written(session: AsyncSession, spec: Entity, out: BaseModel, now: dt.datetime | None, deleted: bool = False):
    if spec.written is not None:
        if now is None:
            raise TypeError(f"writing a {spec.kind} records an event: pass the time")
        await spec.written(session, out, deleted, now)
    return out
