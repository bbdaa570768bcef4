"""In-process sliding-window rate limits per client, e.g. per IP address for public endpoints.

Each process counts for itself: with several replicas behind a load balancer the effective limit is
per replica, which is acceptable for the purpose (slowing down guessing and flooding), and needs no
shared store.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lotsen.errors import DomainError


class TooManyRequests(DomainError):
    status = 429
    code = "rate_limited"


@dataclass
class WindowLimit:
    count: int
    seconds: float
    label: str


@dataclass
class RateLimiter:
    """At most ``limit.count`` hits within any ``limit.seconds``, for every limit, per key."""

    limits: list[WindowLimit]
    what: str = "requests"
    clock: Callable[[], float] = time.monotonic
    _hits: dict[str, deque[float]] = field(default_factory=dict)

    def hit(self, key: str) -> None:
        """Count one hit for ``key``, or raise :class:`TooManyRequests` (a refused hit is not counted)."""
        now = self.clock()
        longest = max(limit.seconds for limit in self.limits)
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - longest:
            hits.popleft()
        for limit in self.limits:
            recent = [t for t in hits if t > now - limit.seconds]
            if len(recent) >= limit.count:
                wait = max(1, math.ceil(recent[0] + limit.seconds - now))
                raise TooManyRequests(
                    f"too many {self.what} from your address (at most {limit.count} {limit.label}); "
                    f"try again in {wait} seconds",
                    details={"retry_after_seconds": wait},
                    headers={"Retry-After": str(wait)},
                )
        hits.append(now)
        if len(self._hits) > 100_000:
            self._forget_idle(now - longest)

    def _forget_idle(self, before: float) -> None:
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= before]:
            del self._hits[key]


def client_address(peer: str | None, forwarded_for: str | None, trusted_proxies: Iterable[str]) -> str:
    """The peer, or behind a trusted proxy the last untrusted hop of ``X-Forwarded-For``."""
    peer = peer or "unknown"
    networks = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]
    if not forwarded_for or not _in(peer, networks):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _in(hop, networks):
            return hop
    return peer


def _in(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)
