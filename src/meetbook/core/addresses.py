"""Where the service may connect on a client's say-so (webhooks, advisors' calendars): no
server-side request forgery.

In production a webhook URL must be https and every address its host resolves to must be public:
not loopback, private, link-local (where cloud metadata services answer), multicast, reserved,
unspecified or carrier-grade NAT. The URL is checked when it is saved and again right before each
connection; the connection then goes to the very address that was checked (`Target.address`), so a
name that resolves to a public address for the check and to 127.0.0.1 a moment later (DNS
rebinding) cannot steer the request inside. `MEETBOOK_WEBHOOK_ALLOW_PRIVATE=true` lifts the address
rule (a receiver in the bank's own network), not the https one. Outside production any http(s) URL
is taken, so a developer can point a webhook at http://127.0.0.1.

Nothing here opens a connection: a refusal is decided from the URL and the resolver's answer.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Not public, though Python's flags do not all say so (CGNAT is neither private nor global there).
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # IPv4 behind a NAT64 gateway: judged as that IPv4 address
MAX_URL_LENGTH = 2000


class Refused(Exception):
    """The URL may not be called; the message says why, for the admin who saved it."""


@dataclass(frozen=True)
class Policy:
    https_only: bool
    public_only: bool
    what: str = "webhook"  # what the URL is for, in the refusals
    allow_setting: str = "MEETBOOK_WEBHOOK_ALLOW_PRIVATE"  # the setting that allows the bank's own network

    @classmethod
    def of(cls, environment: str, allow_private: bool, what: str = "webhook",
           allow_setting: str = "MEETBOOK_WEBHOOK_ALLOW_PRIVATE") -> Policy:
        production = environment == "production"
        return cls(https_only=production, public_only=production and not allow_private, what=what, allow_setting=allow_setting)


@dataclass(frozen=True)
class Target:
    """A URL with the checked address to connect to."""

    url: str
    scheme: str
    host: str  # as written, without brackets
    port: int
    address: str  # the checked IP the connection goes to

    @property
    def host_is_address(self) -> bool:
        return _literal(self.host) is not None

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == (443 if self.scheme == "https" else 80) else f"{host}:{self.port}"


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def why_not_public(address: IPAddress) -> str | None:
    """Why an address is not a public one (None: it is)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in _NAT64 else None
        )
        if embedded is not None:
            return why_not_public(embedded)
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local (where cloud metadata services answer)"),
        (address.is_multicast, "multicast"),
        (isinstance(address, ipaddress.IPv4Address) and address in _CGNAT, "carrier-grade NAT"),
        (address.is_reserved, "reserved"),
        (address.is_private, "private"),
        (not address.is_global, "not a public address"),
    )
    return next((words for failed, words in checks if failed), None)


def parse(url: str, policy: Policy) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL the policy can take by its form alone, or Refused."""
    if len(url) > MAX_URL_LENGTH:
        raise Refused(f"the URL is over {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused(f"the URL is not valid: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise Refused("the URL must start with https:// (or http:// outside production)")
    if policy.https_only and scheme != "https":
        raise Refused(f"in production a {policy.what} URL must be https")
    if not parts.hostname:
        raise Refused("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise Refused("the URL must not hold a user name or password; receivers verify the signature instead")
    if parts.fragment:
        raise Refused("the URL must not have a #fragment")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


async def resolve(url: str, policy: Policy) -> Target:
    """The address to connect to, checked against the policy: every address the host resolves to
    must be allowed (one private answer among public ones is refused: the next lookup could pick it)."""
    scheme, host, port = parse(url, policy)
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        if policy.public_only and (host.lower().rstrip(".") == "localhost" or host.lower().rstrip(".").endswith(".localhost")):
            raise Refused(f"'{host}' is the loopback (RFC 6761): not a public address")
        try:
            answers = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise Refused(f"'{host}' does not resolve: {exc}") from None
        # An IPv6 answer may carry a zone (fe80::1%eth0): the zone is not part of the address.
        addresses = list(dict.fromkeys(ipaddress.ip_address(str(a[4][0]).partition("%")[0]) for a in answers))
        if not addresses:
            raise Refused(f"'{host}' does not resolve")
    _judge(host, literal, addresses, policy)
    return Target(url=url, scheme=scheme, host=host, port=port, address=str(addresses[0]))


def _judge(host: str, literal: IPAddress | None, addresses: list[IPAddress], policy: Policy) -> None:
    if policy.public_only:
        for address in addresses:
            reason = why_not_public(address)
            if reason is not None:
                shown = host if literal is not None else f"'{host}' resolves to {address}, which"
                raise Refused(f"{shown} is {reason}; in production a {policy.what} must reach a public address "
                              f"({policy.allow_setting}=true allows the bank's own network)")


def check_blocking(url: str, policy: Policy) -> None:
    """`resolve`'s refusals for code that runs in a thread with a blocking client (the CalDAV one),
    right before each of its requests: the URL and every address its host resolves to now."""
    if not policy.public_only:
        parse(url, policy)
        return
    scheme, host, port = parse(url, policy)
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        if host.lower().rstrip(".") == "localhost" or host.lower().rstrip(".").endswith(".localhost"):
            raise Refused(f"'{host}' is the loopback (RFC 6761): not a public address")
        try:
            answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise Refused(f"'{host}' does not resolve: {exc}") from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(str(a[4][0]).partition("%")[0]) for a in answers))
    _judge(host, literal, addresses, policy)


async def check(url: str, policy: Policy) -> None:
    """When a URL is saved: its form, and in production where it resolves to now."""
    if policy.public_only:
        await resolve(url, policy)
    else:
        parse(url, policy)
