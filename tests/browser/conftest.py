"""The booking page in Debian's Chromium, against a real server in this test process.

- `serve(bank)` loads a bank into this test's database (SQLite or PostgreSQL: the root `database_url`
  fixture) and starts uvicorn in a background thread on a free port, serving `create_app(settings,
  clock)` with the test's FixedClock. Tests move that clock instead of sleeping.
- `browser` is Chromium from /usr/bin/chromium (never a Playwright browser download). Skipped when it
  is missing, except under CI=true, where that fails the run.
- `open_page(browser, live)` opens a tab whose own clock (Playwright's page clock) starts at the
  server's time, and which fails the test on any request that leaves the server, any page error and
  any console error other than the browser's note about an HTTP error status.

Playwright's sync API runs an event loop in this thread while a browser is open, so nothing may call
asyncio.run() then: the database is migrated and the bank loaded before the browser starts (fixture
order), and bank loading runs in a worker thread anyway.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import IN_CI

CHROMIUM = "/usr/bin/chromium"
# The suite runs two workers on two cores: a page may wait on a busy server longer than Playwright's 5 s default.
expect.set_options(timeout=15_000)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass
class Live:
    url: str
    clock: object
    settings: object
    client: httpx.Client = field(repr=False)

    def headers(self, subject: str | None = None, scope: str = "customer") -> dict[str, str]:
        from meetbook.auth.tokens import issue_token

        return {"Authorization": "Bearer " + issue_token(self.settings, scope, subject or f"observer-{uuid.uuid4().hex[:6]}")}

    def free_starts(self, topic: str, meeting_type: str = "physical", **params) -> list[str]:
        """The start times the API offers right now (as another customer would see them)."""
        query = {"requireEmployeeParticipation": "true", "topic": topic, "meetingTypes": meeting_type, "lookForwardTime": "7.00:00:00", **params}
        response = self.client.get("/bookme/time-slots/available", params=query, headers=self.headers())
        assert response.status_code == 200, response.text
        return [s["startDate"] for s in response.json()]


def _load_bank(database_url: str, document: dict) -> None:
    """`meetbook import` into the test's database, in a worker thread (see the module docstring)."""
    import asyncio

    from meetbook.bankfile.service import import_bank, parse
    from meetbook.core.db import run_in_transaction

    async def work():
        await run_in_transaction(database_url, lambda session: import_bank(session, parse(document)))

    problems: list[BaseException] = []

    def run():
        try:
            asyncio.run(work())
        except BaseException as exc:  # noqa: BLE001 (re-raised below, in the test's thread)
            problems.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if problems:
        raise problems[0]


@pytest.fixture
def serve(app, settings, clock, database_url):
    """serve(bank_document) -> Live: the bank loaded and the app listening on 127.0.0.1:<free port>."""
    import uvicorn

    running: list[tuple[uvicorn.Server, threading.Thread, httpx.Client]] = []

    def start(document: dict) -> Live:
        _load_bank(database_url, document)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=2)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        for _ in range(500):
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.01)
        assert server.started, "the test server did not start"
        url = f"http://127.0.0.1:{port}"
        client = httpx.Client(base_url=url, timeout=10)
        running.append((server, thread, client))
        return Live(url=url, clock=clock, settings=settings, client=client)

    yield start
    for server, thread, client in running:
        client.close()
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def browser(database_url):
    """Chromium for one test. (Depends on database_url so the database exists before the browser's loop runs.)"""
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: apt-get install chromium (make browser)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Guard:
    """What a page did that it must not: leave the server, throw, or log an error."""

    # The browser's own notes, not the page's errors: an expected HTTP error answer (a taken time, a
    # hold that ran out), and Chromium declining autofocus in a cross-origin iframe (a bank's page).
    EXPECTED = re.compile(
        r"Failed to load resource: the server responded with a status of (404|405|409)"
        r"|Blocked autofocusing on a <input> element in a cross-origin subframe"
    )

    def __init__(self, origin: str, allow: tuple[str, ...] = ()):
        self.origins = tuple(o + "/" for o in (origin, *allow))
        self.problems: list[str] = []

    def request(self, request) -> None:
        url = request.url
        if not url.startswith((*self.origins, "data:", "blob:", "about:")):
            self.problems.append(f"external request: {url}")

    def console(self, message) -> None:
        if message.type == "error" and not self.EXPECTED.search(message.text):
            self.problems.append(f"console error: {message.text}")

    def page_error(self, error) -> None:
        self.problems.append(f"page error: {error}")


@pytest.fixture
def open_page():
    """open_page(browser, live, viewport=DESKTOP, timezone=..., locale=..., allow=(other origins the test serves))
    -> Page, checked when the test ends."""
    guards: list[Guard] = []
    contexts = []

    def open_(browser, live: Live, viewport: dict | None = None, timezone: str = "Europe/Copenhagen", locale: str = "da-DK",
              allow: tuple[str, ...] = ()):
        context = browser.new_context(viewport=viewport or DESKTOP, timezone_id=timezone, locale=locale, accept_downloads=True)
        context.set_default_timeout(15_000)
        # The page's clock starts where the server's FixedClock stands, and can be fast-forwarded.
        context.clock.install(time=live.clock.now())
        guard = Guard(live.url, allow)
        page = context.new_page()
        page.on("request", guard.request)
        page.on("console", guard.console)
        page.on("pageerror", guard.page_error)
        guards.append(guard)
        contexts.append(context)
        return page

    yield open_
    for context in contexts:
        context.close()
    problems = [p for g in guards for p in g.problems]
    assert not problems, "\n".join(problems)


@pytest.fixture
def shoot(database_url):
    """shoot(page, name): docs/screenshots/<name>-desktop.png and -phone.png (from the SQLite run only)."""
    enabled = database_url.startswith("sqlite")

    def take(page, name: str) -> None:
        if not enabled:
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        size = page.viewport_size
        page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True, animations="disabled", caret="hide")
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True, animations="disabled", caret="hide")
        page.set_viewport_size(size)

    return take
