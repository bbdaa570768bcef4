"""Client addresses: networks from settings, and who the client behind trusted proxies is.

A service believes ``X-Forwarded-For`` only from the proxies its ``TRUSTED_PROXIES`` setting lists
(uvicorn's own proxy-header handling is off, ``lotsen/service.py``).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Sequence
from typing import Annotated

from pydantic import AfterValidator
from starlette.requests import HTTPConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip()]


def _valid_networks(entries: list[str]) -> list[str]:
    for entry in entries:
        try:
            ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError as exc:
            raise ValueError(f"{entry!r} is no IP address or network (CIDR)") from exc
    return entries


NetworkList = Annotated[list[str], AfterValidator(_valid_networks)]
"""A setting listing IP addresses or networks (CIDR), refused at start-up if one is neither."""


def address_in(address: str, nets: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in nets)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """The peer, or, when the peer is a trusted proxy, the last hop of ``X-Forwarded-For`` that is not
    one (the first hop if all are)."""
    peer = peer or "unknown"
    if not trusted or not forwarded_for or not address_in(peer, trusted):
        return peer
    chain = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(chain):
        if not address_in(hop, trusted):
            return hop
    return chain[0] if chain else peer


def request_client(request: HTTPConnection, trusted_proxies: Sequence[str]) -> str:
    """:func:`client_address` of a request, the proxies as a service's ``TRUSTED_PROXIES`` lists them."""
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("X-Forwarded-For"), _trusted(tuple(trusted_proxies)))


@functools.lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> list[Network]:
    return networks(entries)  # parsed once per setting, not per request


def rate_limit_key(address: str) -> str:
    """What a rate limit counts a client under: an IPv4 address as it is, an IPv6 address by its /64.

    One subscriber gets a whole /64 and picks addresses in it at will (privacy extensions), so
    counting single IPv6 addresses would give one attacker some 18 quintillion fresh starts.
    Something that is no address (an unparsable header hop) is counted as given.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
