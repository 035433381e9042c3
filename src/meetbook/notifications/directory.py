"""What the e-mails need to know of the bank (names, mailboxes, addresses, wording), loaded once per
configuration version instead of half a dozen lookups per message."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meetbook.catalog.admin.messages import stored_templates
from meetbook.catalog.store import configuration_version
from meetbook.messages import Template
from meetbook.tables import catalog as m


@dataclass(frozen=True)
class Bank:
    name: str
    time_zone: str
    default_language: str
    send_to_customer: bool
    reminder_leads: tuple[int, ...]


@dataclass(frozen=True)
class Person:
    name: str
    email: str | None


@dataclass(frozen=True)
class Room:
    name: str
    email: str | None
    location: str


@dataclass(frozen=True)
class Branch:
    name: str
    address: str | None
    names: dict[str, str] = field(default_factory=dict)  # the name per language (catalog.localized)


@dataclass
class Directory:
    bank: Bank
    advisors: dict[str, Person] = field(default_factory=dict)
    rooms: dict[str, Room] = field(default_factory=dict)
    branches: dict[str, Branch] = field(default_factory=dict)  # by location name
    topics: dict[str, str] = field(default_factory=dict)
    topic_names: dict[str, dict[str, str]] = field(default_factory=dict)  # topic id -> its name per language
    templates: dict[tuple[str, str], Template] = field(default_factory=dict)


def advisor_name(employee: m.EmployeeRow) -> str:
    return employee.display_name or " ".join(filter(None, [employee.first_name, employee.last_name])) or employee.initials


async def load_directory(session: AsyncSession) -> Directory:
    row = await session.get(m.OrganizationSettings, 1)
    if row is None:  # a bank nobody has configured yet: the settings' defaults
        bank = Bank("meetbook", "Europe/Copenhagen", "da-DK", True, (86400,))
    else:
        bank = Bank(row.bank_name or "meetbook", row.time_zone, row.default_language or "da-DK",
                    bool(row.send_confirmation_to_customer), tuple(row.reminder_lead_times or ()))
    directory = Directory(bank)
    for e in (await session.scalars(select(m.EmployeeRow))).all():
        directory.advisors[e.id] = Person(advisor_name(e), e.email or None)
    for r in (await session.scalars(select(m.RoomRow))).all():
        directory.rooms[r.id] = Room(r.name, r.email or None, r.location)
    for loc in (await session.scalars(select(m.LocationRow))).all():
        directory.branches[loc.location] = Branch(loc.display_name or loc.location, loc.address, loc.names or {})
    for t in (await session.scalars(select(m.TopicRow))).all():
        directory.topics[t.id] = t.name
        directory.topic_names[t.id] = t.names or {}
    directory.templates = await stored_templates(session)
    return directory


class DirectoryCache:
    """The directory as of the configuration version last seen: one small read per round to see
    whether the configuration changed, a reload only when it did."""

    def __init__(self) -> None:
        self._version: int | None = None
        self._directory: Directory | None = None

    async def get(self, session: AsyncSession) -> Directory:
        version = await configuration_version(session)
        if self._directory is None or version != self._version:
            self._directory = await load_directory(session)
            self._version = version
        return self._directory
