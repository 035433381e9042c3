"""Small shared reads and writes of the configuration."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.catalog import models as m
from meetbook.errors import NotFound


async def organization_settings(session: AsyncSession) -> m.OrganizationSettings:
    """The bank's settings row, created with defaults the first time anyone asks."""
    row = await session.get(m.OrganizationSettings, 1)
    if row is None:
        row = m.OrganizationSettings(id=1, closing_days=[], version=1)
        session.add(row)
        await session.flush()
    return row


async def configuration_changed(session: AsyncSession) -> None:
    """Every configuration write calls this, so cached snapshots of the bank reload."""
    await organization_settings(session)
    await session.execute(
        update(m.OrganizationSettings).where(m.OrganizationSettings.id == 1).values(
            version=m.OrganizationSettings.version + 1
        )
    )


async def configuration_version(session: AsyncSession) -> int:
    version = await session.scalar(select(m.OrganizationSettings.version).where(m.OrganizationSettings.id == 1))
    return version or 0


async def get_or_404(session: AsyncSession, table: type, ident: str, kind: str):
    row = await session.get(table, ident) if ident else None
    if row is None:
        raise NotFound.of(kind, ident)
    return row
