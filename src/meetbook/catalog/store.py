"""Small shared reads and writes of the configuration."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.auth.tokens import Principal
from meetbook.core.db import AFTER_COMMIT
from meetbook.core.errors import Forbidden, NotFound
from meetbook.tables import catalog as m

# session.info key: this transaction wrote configuration (its own reads must see it).
CONFIGURATION_WRITTEN = "meetbook.configuration_written"


async def organization_settings(session: AsyncSession) -> m.OrganizationSettings:
    """The bank's settings row, created with defaults the first time anyone asks."""
    row = await session.get(m.OrganizationSettings, 1)
    if row is None:
        row = m.OrganizationSettings(id=1, closing_days=[], version=1)
        session.add(row)
        await session.flush()
    return row


# Configuration writes this process has committed: its snapshot caches recheck the version at
# once after one, instead of waiting for their recheck interval.
_local_writes = 0


def local_writes() -> int:
    return _local_writes


def _count_local_write() -> None:
    global _local_writes
    _local_writes += 1


async def configuration_changed(session: AsyncSession) -> None:
    """Every configuration write calls this, so cached snapshots of the bank reload."""
    session.info.setdefault(AFTER_COMMIT, []).append(_count_local_write)
    session.info[CONFIGURATION_WRITTEN] = True
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


async def own_employee(session: AsyncSession, employee_id: str, who: Principal, what: str) -> m.EmployeeRow:
    """The employee (else 404), when `who` may manage their `what` (a calendar feed, a calendar
    connection): an admin, or that employee, whose id or externalId is the token's subject."""
    employee = await get_or_404(session, m.EmployeeRow, employee_id, "employee")
    if "admin" not in who.scopes and who.subject not in {employee.id, employee.external_id}:
        raise Forbidden(f"an employee may manage only their own {what} (the token's subject is their id or externalId)")
    return employee
