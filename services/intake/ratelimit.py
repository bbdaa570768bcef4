"""Per-address rate limits for the public web forms: sliding windows of an hour and a day.

Counters live in the intake process (one intake process per site is the deployment; with several,
each counts for itself, so the effective limit is per process). The client address is the
connection's peer; ``X-Forwarded-For`` is believed only from a proxy listed in the settings.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fastapi import Request

from lotsen.errors import DomainError

HOUR = 3600.0
DAY = 24 * HOUR


class TooManyRequests(DomainError):
    status = 429
    code = "rate_limited"


@dataclass
class SlidingWindowLimiter:
    """At most ``per_hour`` hits in any hour and ``per_day`` in any day, per key."""

    per_hour: int
    per_day: int
    clock: Callable[[], float] = time.monotonic
    _hits: dict[str, deque[float]] = field(default_factory=dict)
    _next_sweep: float = 0.0

    def hit(self, key: str) -> None:
        """Count one request for ``key``, or raise :class:`TooManyRequests` (which is not counted)."""
        now = self.clock()
        self._sweep(now)
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - DAY:
            hits.popleft()
        in_hour = len(hits) - _first_within(hits, now - HOUR)
        if len(hits) >= self.per_day:
            self._refuse(hits[0] + DAY - now, f"{self.per_day} a day")
        if in_hour >= self.per_hour:
            self._refuse(hits[len(hits) - in_hour] + HOUR - now, f"{self.per_hour} an hour")
        hits.append(now)

    @staticmethod
    def _refuse(wait: float, limit: str) -> None:
        seconds = max(1, math.ceil(wait))
        raise TooManyRequests(
            f"too many submissions from your address (at most {limit}); try again in {seconds} seconds, "
            "or call or e-mail the municipality",
            details={"retry_after_seconds": seconds},
            headers={"Retry-After": str(seconds)},
        )

    def _sweep(self, now: float) -> None:
        """Forget addresses idle for a day, at most once an hour, so memory stays bounded."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + HOUR
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - DAY]:
            del self._hits[key]


def _first_within(hits: deque[float], since: float) -> int:
    """Index of the first hit after ``since`` (hits are in time order)."""
    lo, hi = 0, len(hits)
    while lo < hi:
        mid = (lo + hi) // 2
        if hits[mid] <= since:
            lo = mid + 1
        else:
            hi = mid
    return lo


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip()]


def address_in(address: str, nets: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in nets)


def client_address(request: Request, trusted_proxies: list[Network]) -> str:
    """The citizen's address: the peer, or, behind trusted proxies, the last untrusted hop they saw."""
    peer = request.client.host if request.client else "unknown"
    if not trusted_proxies or not address_in(peer, trusted_proxies):
        return peer
    chain = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    for hop in reversed(chain):
        if not address_in(hop, trusted_proxies):
            return hop
    return chain[0] if chain else peer
