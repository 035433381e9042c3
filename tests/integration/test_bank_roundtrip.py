"""`meetbook export` reads back to the same bank: import, export, import the export into an empty
database, export again, and the two exports are equal."""

from __future__ import annotations

import asyncio
import shutil

import pytest

import meetbook.tables  # noqa: F401  (every table in the metadata)
from meetbook.bankfile.service import export_bank, import_bank, parse
from meetbook.core.db import Base, run_in_transaction
from meetbook.demo import demo_bank
from tests import bankdata as b


def _full_test_bank() -> dict:
    """tests/bankdata's bank with every key of the file in use."""
    return b.bank(
        organizationSettings={"timeZone": "Europe/Copenhagen", "openingTime": "08:00:00", "closingTime": "17:00:00",
                              "bufferBetweenMeetings": "00:15:00", "workingTimeBuffer": "02:00:00",
                              "maxTimeFromBookingToMeeting": "60.00:00:00", "maxMeetingTimePerDay": "04:00:00",
                              "closingDays": ["2026-12-24", "2026-06-05"], "iCalMeetingTitle": "Meeting with {{employee}}"},
        employees=[{**e, "skills": {"topicIds": [b.T_HOUSING], "customerTypeIds": [b.CT_PRIVATE]}} if e["id"] == b.BO else e
                   for e in b.BASE["employees"]],
        competenceGroups=[
            {"id": b.ident("cg-top"), "name": "Advice", "topicIds": [b.T_HOUSING], "labels": ["a"]},
            {"id": b.ident("cg-sub"), "name": "Advice North", "parentGroupId": b.ident("cg-top"), "employeeIds": [b.ANNA]},
        ],
        serviceGroups=[{"id": b.ident("sg"), "name": "Desk", "membershipEmail": "desk@bank.test", "employeeIds": [b.BO],
                        "competenceGroupIds": [b.ident("cg-top")], "labels": ["VIP"], "maxMeetingTimePerDay": "05:00:00",
                        "serviceTrigger": {"topicIds": [b.T_HOUSING], "customerTypeIds": [b.CT_PRIVATE], "customerLocations": ["Aarhus"]},
                        "serviceLevel": {"meetingTypes": ["Online"], "locations": ["Aarhus"]}}],
        priorityRules=[{"type": "Explicit"}, {"type": "ServiceGroup", "label": "VIP"}, {"type": "Local"}, {"type": "ServiceGroup"}],
        timeSlots=[{"employeeId": b.ANNA, "startDate": "2026-06-03T07:00:00Z", "endDate": "2026-06-03T09:00:00Z", "status": "Busy"},
                   {"employeeId": b.BO, "startDate": "2026-06-04T14:00:00Z", "endDate": "2026-06-04T16:00:00Z", "status": "ExtraOpen"}],
    )


async def _empty(session) -> None:
    for table in reversed(Base.metadata.sorted_tables):
        if table.name != "audit_log":  # append-only (its rows never refer to the bank by a foreign key)
            await session.execute(table.delete())


@pytest.mark.parametrize("document", [_full_test_bank, demo_bank], ids=["test-bank", "demo-bank"])
def test_export_imports_back_to_the_same_bank(database_url, sqlite_template, tmp_path, document):
    bank = parse(document())
    first = asyncio.run(run_in_transaction(database_url, lambda s: import_bank(s, bank)))
    assert first["employees"] >= 3
    exported = asyncio.run(run_in_transaction(database_url, export_bank))
    assert len(exported["employees"]) == len(bank.employees) and len(exported["timeSlots"]) == len(bank.time_slots)

    if database_url.startswith("sqlite"):  # a second, empty database
        second = tmp_path / "second.db"
        shutil.copy(sqlite_template, second)
        target = f"sqlite+aiosqlite:///{second}"
    else:  # the same PostgreSQL database, emptied
        target = database_url
        asyncio.run(run_in_transaction(target, _empty))
        assert asyncio.run(run_in_transaction(target, export_bank))["employees"] == []

    asyncio.run(run_in_transaction(target, lambda s: import_bank(s, parse(exported))))
    again = asyncio.run(run_in_transaction(target, export_bank))
    assert again == exported
