"""The CalDAV connector (RFC 4791): find the calendar behind a URL, read its CTag, fetch the events
of a time range, write one event. The `caldav` library carries the HTTP (authentication, sessions);
the requests are written here so that what is asked of a server is plain to see and the same on all.

Synchronous, like the library: callers run it in a thread (`asyncio.to_thread`), every request
bounded by the account's timeout. Every failure is a `CalendarUnavailable` whose message never
holds the password.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin

from meetbook.core import addresses

if TYPE_CHECKING:
    from caldav import DAVClient
    from lxml import etree

# caldav (with requests, lxml, vobject) is imported by the first conversation with a calendar, not
# with this module: every server worker imports it, and most never sync a calendar (about 15 MB of
# each worker's memory; bench/memory.py).

NS = {"d": "DAV:", "c": "urn:ietf:params:xml:ns:caldav", "cs": "http://calendarserver.org/ns/"}
XML = {"Content-Type": "application/xml; charset=utf-8"}

_COLLECTION = """<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/" xmlns:c="urn:ietf:params:xml:ns:caldav">
<d:prop><d:resourcetype/><cs:getctag/><d:sync-token/><d:current-user-principal/><c:calendar-home-set/>
<c:supported-calendar-component-set/></d:prop></d:propfind>"""

_EVENTS = """<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
<d:prop><d:getetag/><c:calendar-data/></d:prop>
<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">
<c:time-range start="{start}" end="{end}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"""

# Statuses after which sending the same again cannot succeed (our event refused as such).
REFUSED = {400, 409, 412, 413, 415, 422}


class CalendarUnavailable(Exception):
    """The calendar could not be read or written; `message` is safe to show and store."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status

    @property
    def permanent(self) -> bool:
        return self.status in REFUSED


@dataclass(frozen=True)
class Account:
    url: str
    username: str
    password: str = field(repr=False)  # never in a log line, whatever prints this
    timeout: float = 20.0
    # Where the calendar's requests may go: checked before each one, hrefs the server returns included.
    policy: addresses.Policy | None = None

    def scrub(self, text: str) -> str:
        """The text with the password taken out, whatever a library put into it."""
        return text.replace(self.password, "***") if self.password else text


def calendar_policy(settings) -> addresses.Policy:
    return addresses.Policy.of(settings.environment, settings.calendar_allow_private, "calendar",
                               "MEETBOOK_CALENDAR_ALLOW_PRIVATE")


@dataclass(frozen=True)
class Collection:
    url: str
    ctag: str | None  # changes whenever anything in the calendar changes (CTag, else the sync-token)


def _utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


class CalDav:
    """One conversation with a calendar server (a session reused for its requests)."""

    def __init__(self, account: Account):
        self.account = account
        self._client: DAVClient | None = None

    def __enter__(self) -> CalDav:
        from caldav import DAVClient
        from requests.auth import HTTPBasicAuth

        try:
            # Basic sent with the first request: asking without, to be told which scheme, costs a round trip (and
            # a second on servers that slow down refused logins); `_request` falls back to asking for Digest.
            self._client = DAVClient(
                url=self.account.url, username=self.account.username, password=self.account.password, timeout=self.account.timeout,
                auth=HTTPBasicAuth(self.account.username, self.account.password),
            )
        except Exception as exc:  # noqa: BLE001  (a malformed URL, an unknown scheme)
            raise self._unavailable("the calendar URL cannot be used", exc) from None
        return self

    def __exit__(self, *_exc) -> None:
        if self._client is not None:
            self._client.close()

    def _unavailable(self, doing: str, exc: Exception) -> CalendarUnavailable:
        detail = self.account.scrub(f"{type(exc).__name__}: {exc}")[:500]
        return CalendarUnavailable(f"{doing}: {detail}")

    def _request(self, url: str, method: str, body: str = "", headers: dict | None = None, doing: str = "asking the calendar"):
        from caldav.lib.error import AuthorizationError

        if self.account.policy is not None:
            try:
                addresses.check_blocking(url, self.account.policy)
            except addresses.Refused as exc:
                raise CalendarUnavailable(f"{doing}: not allowed: {exc}") from None
        try:
            try:
                return self._client.request(url, method, body, headers or {})
            except AuthorizationError:
                if self._client.auth is None:
                    raise
                self._client.auth = None  # the library negotiates the server's scheme from its 401
                return self._client.request(url, method, body, headers or {})
        except AuthorizationError:
            raise CalendarUnavailable(f"{doing}: the calendar server refused the username or password, or this account "
                                      f"may not use {url} (HTTP 401/403)", 401) from None
        except Exception as exc:  # noqa: BLE001  (refused connection, timeout, TLS, an unreadable answer)
            raise self._unavailable(doing, exc) from None

    def _multistatus(self, url: str, method: str, body: str, depth: int, doing: str) -> etree._Element:
        response = self._request(url, method, body, {**XML, "Depth": str(depth)}, doing)
        if response.status != 207:
            raise CalendarUnavailable(f"{doing}: the server answered HTTP {response.status} for {url}", response.status)
        if response.tree is None:  # parsed by the library (lxml: no network, no external entities)
            raise CalendarUnavailable(f"{doing}: the server's answer from {url} is not XML")
        return response.tree

    def collection(self, url: str) -> Collection:
        """The calendar at `url`, or, when `url` is a server, a principal or a calendar home, the
        principal's first calendar that holds events (Nextcloud, Fastmail and iCloud all answer this)."""
        for _ in range(3):  # the URL, its principal, the principal's calendar home
            props = self._props(url, 0)[0][1]
            if props.find("d:resourcetype/c:calendar", NS) is not None:
                return Collection(url, _text(props, "cs:getctag") or _text(props, "d:sync-token"))
            home = props.find("c:calendar-home-set/d:href", NS)
            principal = props.find("d:current-user-principal/d:href", NS)
            if home is not None and home.text:
                return self._first_calendar(urljoin(url, home.text.strip()))
            if principal is None or not principal.text or urljoin(url, principal.text.strip()) == url:
                break
            url = urljoin(url, principal.text.strip())
        raise CalendarUnavailable(
            f"no calendar found at {self.account.url}: give the address of a calendar (see docs/calendar-sync.md)"
        )

    def _first_calendar(self, home: str) -> Collection:
        for href, props in self._props(home, 1):
            if props.find("d:resourcetype/c:calendar", NS) is None:
                continue
            components = {c.get("name") for c in props.findall("c:supported-calendar-component-set/c:comp", NS)}
            if components and "VEVENT" not in components:
                continue  # a task list
            return Collection(urljoin(home, href), _text(props, "cs:getctag") or _text(props, "d:sync-token"))
        raise CalendarUnavailable(f"the account has no calendar of events under {home}")

    def _props(self, url: str, depth: int) -> list[tuple[str, etree._Element]]:
        tree = self._multistatus(url, "PROPFIND", _COLLECTION, depth, "reading the calendar's properties")
        out = []
        for response in tree.findall("d:response", NS):
            href = (response.findtext("d:href", "", NS) or "").strip()
            statuses = response.findall("d:propstat", NS)
            found = [p.find("d:prop", NS) for p in statuses if " 200 " in (p.findtext("d:status", "", NS) or "")]
            prop = found[0] if found and found[0] is not None else _empty_prop()
            out.append((href, prop))
        if not out:
            raise CalendarUnavailable(f"the server said nothing about {url}")
        return out

    def events(self, calendar_url: str, start: dt.datetime, end: dt.datetime) -> list[bytes]:
        """Every calendar object with an event in [start, end) (a recurring one whole: it is expanded here)."""
        body = _EVENTS.format(start=_utc(start), end=_utc(end))
        tree = self._multistatus(calendar_url, "REPORT", body, 1, "reading the calendar's events")
        out = []
        for data in tree.iterfind("d:response/d:propstat/d:prop/c:calendar-data", NS):
            if data.text and data.text.strip():
                out.append(data.text.encode())
        return out

    def put(self, calendar_url: str, name: str, ics: bytes) -> tuple[str, int]:
        """Write one event at `name` in the calendar (created or replaced). Returns its URL and the status."""
        href = urljoin(calendar_url if calendar_url.endswith("/") else calendar_url + "/", quote(name))
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        response = self._request(href, "PUT", ics.decode(), headers, "writing the meeting")
        if response.status not in (200, 201, 204):
            raise CalendarUnavailable(f"writing the meeting: the server answered HTTP {response.status}", response.status)
        return href, response.status


def _empty_prop() -> etree._Element:
    from lxml import etree

    return etree.Element("{DAV:}prop")


def _text(props: etree._Element, path: str) -> str | None:
    value = props.findtext(path, None, NS)
    return value.strip() if value and value.strip() else None
