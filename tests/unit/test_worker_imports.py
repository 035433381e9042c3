"""A server worker does not import what only a calendar sync or a webhook delivery needs: caldav
(with requests, lxml, vobject), recurring_ical_events, and httpx (with its command line's click,
rich and pygments) are imported on first use. Together about 15 MB of every worker's memory
(`python -m bench.run --only memory`), and most workers never sync a calendar or send a webhook."""

from __future__ import annotations

import os
import subprocess
import sys

ON_FIRST_USE = ("caldav", "lxml", "requests", "vobject", "recurring_ical_events", "x_wr_timezone", "httpx", "rich",
                "pygments")


def _imported_by(code: str, tmp_path) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETBOOK_")}
    env["MEETBOOK_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"],
                         env=env, capture_output=True, text=True, timeout=120, check=True).stdout
    return set(out.split())


def test_a_worker_imports_no_calendar_or_webhook_client_at_startup(tmp_path):
    loaded = _imported_by("import meetbook.asgi", tmp_path)
    assert "meetbook" in loaded and "fastapi" in loaded
    assert loaded.isdisjoint(ON_FIRST_USE), sorted(loaded & set(ON_FIRST_USE))


def test_they_are_imported_when_used(tmp_path):
    code = """
import datetime as dt, zoneinfo
from meetbook.calendarsync.caldav_source import Account, CalDav, CalendarUnavailable
from meetbook.calendarsync.expand import expand
try:
    with CalDav(Account(url="http://127.0.0.1:9/dav/", username="u", password="p", timeout=0.5)) as dav:
        dav.collection("http://127.0.0.1:9/dav/")
except CalendarUnavailable:
    pass
t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
expand([], t, t + dt.timedelta(days=1), zone=zoneinfo.ZoneInfo("Europe/Copenhagen"), me=[], uid_domain="x")
"""
    loaded = _imported_by(code, tmp_path)
    assert {"caldav", "requests", "recurring_ical_events"} <= loaded
