"""The bank's configuration is cached per process: its own writes show at once, another
process's within `config_recheck_seconds` (a round trip per request saved), on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from meetbook.catalog.snapshot import SnapshotCache
from meetbook.core.db import sync_url
from tests import bankdata as b
from tests.integration.helpers import search


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def anna_slots(client, h) -> int:
    return len(search(client, h, requireEmployeeParticipation="false", explicitEmployeeIds=b.ANNA))


def another_process_stops_booking_anna(database_url: str) -> None:
    """What a configuration write in another process leaves in the database: new rows and a new version."""
    engine = create_engine(sync_url(database_url))
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE employee_schedules SET can_be_booked = false WHERE employee_id = :id"), {"id": b.ANNA})
            connection.execute(text("UPDATE organization_settings SET version = version + 1 WHERE id = 1"))
    finally:
        engine.dispose()


@pytest.fixture
def ticks(app) -> Ticks:
    ticks = Ticks()
    app.state.snapshots = SnapshotCache(recheck_seconds=60, monotonic=ticks)
    return ticks


def test_another_process_write_shows_after_the_recheck_interval(client, token, load_bank, database_url, ticks):
    load_bank(b.bank())
    h = token()
    assert anna_slots(client, h) > 0
    another_process_stops_booking_anna(database_url)
    ticks.now += 59
    assert anna_slots(client, h) > 0  # still the cached configuration
    ticks.now += 2
    assert anna_slots(client, h) == 0


def test_this_process_write_shows_at_once(client, token, load_bank, ticks):
    load_bank(b.bank())
    h, admin = token(), token("admin")
    assert anna_slots(client, h) > 0
    patched = client.patch(
        f"/bookme/config/employee-schedules/{b.ANNA}", json=[{"op": "replace", "path": "/canBeBooked", "value": False}], headers=admin
    )
    assert patched.status_code == 200, patched.text
    assert anna_slots(client, h) == 0  # no time has passed on the recheck clock
    assert client.get(f"/bookme/config/employee-schedules/{b.ANNA}", headers=admin).json()["canBeBooked"] is False
