"""Where a webhook may go: public addresses only, checked when subscribing and again at each delivery.

A subscription's URL is chosen by whoever holds an admin token, and notify posts to it from inside
the municipality's network; unchecked, it is a way to reach what only notify can reach (the cloud
metadata service, MongoDB, the other services, notify itself). So the host is resolved and *every*
address it resolves to must be public. Refused, with the reason shown:

- loopback (127.0.0.0/8, ::1), link-local (169.254.0.0/16 — the metadata service —, fe80::/10),
  private (10/8, 172.16/12, 192.168/16 and the like), unique-local (fc00::/7), multicast,
  unspecified (0.0.0.0, ::), reserved and any other address that is not globally routable;
- the addresses of the machine notify runs on;
- plain ``http`` outside dev mode (``LOTSEN_ENV=dev``).

``NOTIFY_WEBHOOK_ALLOWED_NETWORKS`` lists networks (CIDR) an operator lets through all the same,
e.g. a department's system on the municipality's own network. At delivery the name is resolved
once more and the connection goes to exactly the address that was checked (see :mod:`webhooks`),
so a name that answers differently the second time (DNS rebinding) gains nothing.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import httpx

from lotsen.addresses import Network, networks
from lotsen.errors import DomainError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")


class TargetRefused(DomainError):
    """A webhook URL notify will not post to; the message says why."""

    status = 422
    code = "webhook_target_refused"


class TargetUnresolvable(TargetRefused):
    code = "webhook_target_unresolvable"


@dataclass(frozen=True)
class Target:
    """A checked webhook URL and the one address the request is to connect to."""

    url: httpx.URL
    address: IPAddress


def ascii_host(url: httpx.URL) -> str:
    """The host as it goes on the wire: an internationalised name in its IDNA form."""
    return url.raw_host.decode("ascii")


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to, as the operating system resolves it."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])  # drop an IPv6 zone id
        if address not in found:
            found.append(address)
    return found


def address_class(address: IPAddress) -> str | None:
    """Why ``address`` is not a public one (``"private"``, ``"loopback"``, …), or None if it is."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return address_class(embedded)
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unique-local", address in UNIQUE_LOCAL),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("not public", not address.is_global),
    )
    return next((name for name, applies in checks if applies), None)


@dataclass(frozen=True)
class WebhookTargets:
    """The rule for webhook URLs, built once at start-up from the settings."""

    allowed: tuple[Network, ...] = ()
    own_addresses: frozenset[IPAddress] = frozenset()
    require_https: bool = True
    resolve: Resolver = system_resolver

    @classmethod
    def from_settings(
        cls,
        allowed: Iterable[str],
        *,
        dev_mode: bool,
        own_addresses: Iterable[IPAddress] = (),
        resolve: Resolver = system_resolver,
    ) -> WebhookTargets:
        return cls(tuple(networks(allowed)), frozenset(own_addresses), not dev_mode, resolve)

    def refusal(self, address: IPAddress) -> str | None:
        """Why notify will not connect to ``address``, or None if it may."""
        plain = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
        if any((plain or address) in net or address in net for net in self.allowed):
            return None
        if address in self.own_addresses or (plain is not None and plain in self.own_addresses):
            return f"address not allowed: {address} is this service's own address"
        kind = address_class(address)
        return f"address not allowed: {address} is {kind}" if kind else None

    async def check(self, url: str) -> Target:
        """The target of ``url`` if every address its host resolves to is allowed; else
        :class:`TargetRefused` (or :class:`TargetUnresolvable`) saying why."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise TargetRefused(f"the URL cannot be used: {exc}") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise TargetRefused("the URL must be http(s)://host/…")
        if self.require_https and parsed.scheme != "https":
            raise TargetRefused("the URL must use https (plain http is for dev mode only)")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            addresses = await self.resolve(ascii_host(parsed), port)
        except (OSError, UnicodeError) as exc:
            raise TargetUnresolvable(f"the host {parsed.host} cannot be resolved: {exc}") from None
        if not addresses:
            raise TargetUnresolvable(f"the host {parsed.host} resolves to no address")
        for address in addresses:
            if (why := self.refusal(address)) is not None:
                raise TargetRefused(why, details={"host": parsed.host, "address": str(address)})
        return Target(url=parsed, address=addresses[0])


async def own_addresses() -> list[IPAddress]:
    """The addresses this machine's name resolves to (best effort: none if it resolves to none)."""
    try:
        return await system_resolver(socket.gethostname(), 0)
    except OSError:
        return []
