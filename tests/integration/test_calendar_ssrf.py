"""An advisor's calendar URL cannot point the service inside the bank's network in production: refused
when it is saved, and every request of a sync (hrefs the calendar server returns included) is checked
again before it is sent. No packet leaves for anything but the loopback, and nothing connects there."""

from __future__ import annotations

import socket

import pytest

from meetbook.calendarsync.caldav_source import Account, CalDav, CalendarUnavailable, calendar_policy
from meetbook.core.config import Settings
from tests import bankdata as b
from tests.integration.helpers import refused

PRODUCTION_SECRET = "a-production-secret-of-our-own-0123456789"
SECRET_KEY = "a-calendar-secret-key-of-our-own-0123456789"


@pytest.fixture
def listener():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


def _accepted(sock) -> int:
    count = 0
    while True:
        try:
            connection, _ = sock.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def test_production_refuses_internal_calendar_urls_when_saved(database_url, tmp_path, clock, load_bank, listener):
    from fastapi.testclient import TestClient

    from meetbook.app import create_app
    from meetbook.auth.tokens import issue_token

    load_bank(b.bank())
    settings = Settings(environment="production", database_url=database_url, sweep_interval_seconds=0, dispatch_in_server=False,
                        calendar_sync_seconds=0, auth_secret=PRODUCTION_SECRET, secret_key=SECRET_KEY, mail_dir=str(tmp_path / "mail"))
    admin = {"Authorization": "Bearer " + issue_token(settings, "admin", "prod-admin", 3600)}
    port = listener.getsockname()[1]
    with TestClient(create_app(settings, clock), raise_server_exceptions=False) as production:
        for url, reason in {
            f"https://127.0.0.1:{port}/dav/": "loopback",
            f"https://localhost:{port}/dav/": "loopback",
            "https://10.0.0.1/remote.php/dav/": "private",
            "https://169.254.169.254/latest/meta-data/": "link-local",
            "http://93.184.216.34/dav/": "https",
        }.items():
            body = {"url": url, "username": "anna", "password": "pw"}
            answer = refused(production.put(f"/config/employees/{b.ANNA}/calendar-connection", json=body, headers=admin), 400, reason)
            assert answer["errors"][0]["field"] == "url", url
    assert _accepted(listener) == 0


def test_every_request_of_a_sync_is_checked_before_it_is_sent(listener):
    production = calendar_policy(Settings(environment="production", auth_secret=PRODUCTION_SECRET))
    port = listener.getsockname()[1]
    for url in (f"https://127.0.0.1:{port}/dav/", "https://10.0.0.1/dav/", "https://[::1]/dav/"):
        with CalDav(Account(url, "anna", "pw", 5.0, production)) as calendar, pytest.raises(CalendarUnavailable, match="not allowed"):
            calendar.collection(url)
    assert _accepted(listener) == 0
    allowed = calendar_policy(Settings(environment="production", auth_secret=PRODUCTION_SECRET, calendar_allow_private=True))
    assert not allowed.public_only and allowed.https_only
