"""Rate limits per client address, and which address is the client's."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lotsen.addresses import client_address, networks
from lotsen.ratelimit import RateLimiter, TooManyRequests, WindowLimit
from services.casestore.settings import CasestoreSettings
from services.intake.settings import IntakeSettings

PROXIES = networks(["10.0.0.0/8", "192.0.2.7"])


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        ("198.51.100.1", None, "198.51.100.1"),  # straight from the citizen
        ("198.51.100.1", "203.0.113.9", "198.51.100.1"),  # not a proxy of ours: its header is not believed
        ("10.1.2.3", "203.0.113.9", "203.0.113.9"),
        ("10.1.2.3", "203.0.113.9, 192.0.2.7", "203.0.113.9"),  # through two proxies of ours
        ("10.1.2.3", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # what the citizen wrote in is not believed
        ("10.1.2.3", "10.9.9.9", "10.9.9.9"),  # only proxies: the first hop
        ("10.1.2.3", " , ", "10.1.2.3"),
        ("10.1.2.3", "not-an-address", "not-an-address"),  # counted as given, never a crash
        (None, None, "unknown"),
    ],
)
def test_the_client_is_the_last_hop_that_is_not_a_trusted_proxy(
    peer: str | None, forwarded_for: str | None, expected: str
) -> None:
    assert client_address(peer, forwarded_for, PROXIES) == expected


def test_without_trusted_proxies_the_header_is_never_believed() -> None:
    assert client_address("127.0.0.1", "203.0.113.9", []) == "127.0.0.1"


@pytest.mark.parametrize("settings", [IntakeSettings, CasestoreSettings])
def test_a_proxy_that_is_no_address_stops_the_service_at_start_up(settings: type) -> None:
    with pytest.raises(ValidationError, match="no IP address or network"):
        settings(env="dev", trusted_proxies=["gateway.local"])


def test_the_refusal_waits_for_the_limit_that_frees_up_last() -> None:
    now = [0.0]
    limiter = RateLimiter(
        [WindowLimit(2, 60, "a minute"), WindowLimit(3, 3600, "an hour")],
        what="look-ups",
        clock=lambda: now[0],
    )
    for at in (0.0, 10.0, 100.0):
        now[0] = at
        limiter.hit("a")
    now[0] = 110.0  # two in the last minute and three in the hour: the hour decides
    with pytest.raises(TooManyRequests) as refused:
        limiter.hit("a")
    assert refused.value.headers == {"Retry-After": "3490"}
    assert refused.value.message == (
        "too many look-ups from your address (at most 3 an hour); try again in 3490 seconds"
    )


def test_idle_addresses_are_forgotten() -> None:
    now = [0.0]
    limiter = RateLimiter([WindowLimit(5, 60, "a minute")], clock=lambda: now[0])
    for n in range(100):
        limiter.hit(f"198.51.100.{n}")
    now[0] = 121.0
    limiter.hit("203.0.113.1")
    assert list(limiter._hits) == ["203.0.113.1"]


@pytest.mark.parametrize(
    ("first", "second", "shared"),
    [
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff:eeee:dddd:cccc", True),  # one subscriber's /64
        ("2001:db8:1:2::1", "2001:db8:1:3::1", False),  # the neighbour's /64
        ("::ffff:198.51.100.7", "198.51.100.7", True),  # IPv4 written as IPv6 is that IPv4 address
        ("198.51.100.7", "198.51.100.8", False),  # IPv4: each address alone
    ],
)
def test_an_ipv6_client_is_limited_by_its_64_and_an_ipv4_client_by_its_address(
    first: str, second: str, shared: bool
) -> None:
    limiter = RateLimiter([WindowLimit(1, 3600, "an hour")], what="web forms", clock=lambda: 0.0)
    limiter.hit(first)
    if shared:
        with pytest.raises(TooManyRequests):
            limiter.hit(second)
    else:
        limiter.hit(second)
