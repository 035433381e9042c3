"""What a webhook URL may reach (core.addresses): decided from the URL and the resolver's answer,
before any connection; no packet leaves the machine (literals and localhost only)."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from meetbook.core.addresses import Policy, Refused, resolve, why_not_public

PRODUCTION = Policy.of("production", allow_private=False)
DEVELOPMENT = Policy.of("development", allow_private=False)


@pytest.mark.parametrize(("address", "reason"), [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.0.0.1", "private"), ("172.16.5.4", "private"),
    ("192.168.0.1", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("100.64.0.1", "carrier-grade NAT"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"), ("fd00:ec2::254", "private"), ("::ffff:10.0.0.1", "private"), ("::ffff:127.0.0.1", "loopback"),
    ("64:ff9b::a9fe:a9fe", "link-local"), ("2002:7f00:1::", "loopback"), ("198.18.0.1", "private"),
])
def test_internal_addresses_are_refused_with_their_kind(address, reason):
    assert reason in why_not_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert why_not_public(ipaddress.ip_address(address)) is None


def test_production_wants_https_and_public_hosts():
    for url, words in [("http://93.184.216.34/x", "https"), ("https://localhost/x", "loopback"), ("https://a.localhost/x", "loopback"),
                       ("https://[::1]/x", "loopback"), ("https://10.0.0.1/x", "private"), ("ftp://93.184.216.34/x", "https://"),
                       ("https:///x", "no host"), ("https://u:p@93.184.216.34/x", "password")]:
        with pytest.raises(Refused, match=words):
            asyncio.run(resolve(url, PRODUCTION))
    target = asyncio.run(resolve("https://93.184.216.34:8443/x", PRODUCTION))
    assert target.address == "93.184.216.34" and target.host_is_address and target.host_header == "93.184.216.34:8443"


def test_development_takes_the_loopback_and_pins_the_address_it_resolved():
    target = asyncio.run(resolve("http://localhost:8080/hook", DEVELOPMENT))
    assert ipaddress.ip_address(target.address).is_loopback  # the connection goes here, not to a second lookup
    assert target.host == "localhost" and target.host_header == "localhost:8080" and not target.host_is_address
    assert asyncio.run(resolve("https://[::1]/x", DEVELOPMENT)).host_header == "[::1]"


def test_allow_private_lifts_the_address_rule_not_https():
    allowed = Policy.of("production", allow_private=True)
    assert asyncio.run(resolve("https://10.0.0.1/x", allowed)).address == "10.0.0.1"
    with pytest.raises(Refused, match="https"):
        asyncio.run(resolve("http://10.0.0.1/x", allowed))
