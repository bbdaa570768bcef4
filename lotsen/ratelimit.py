"""In-process sliding-window rate limits per client address, for the public endpoints.

Each process counts for itself: with several replicas behind a load balancer the effective limit is
per replica, which is acceptable for the purpose (slowing down guessing and flooding) and needs no
shared store.
"""

from __future__ import annotations

import functools
import math
import time
from bisect import bisect_right
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from lotsen.addresses import rate_limit_key
from lotsen.errors import DomainError


class TooManyRequests(DomainError):
    status = 429
    code = "rate_limited"


def too_many(what: str, count: int, label: str, wait: float, *, advice: str = "") -> TooManyRequests:
    """The 429 for more than ``count`` ``what`` ``label`` ("an hour"), with ``Retry-After``."""
    seconds = max(1, math.ceil(wait))
    return TooManyRequests(
        f"too many {what} (at most {count} {label}); try again in {seconds} seconds"
        + (f", {advice}" if advice else ""),
        details={"retry_after_seconds": seconds},
        headers={"Retry-After": str(seconds)},
    )


@dataclass(frozen=True)
class WindowLimit:
    count: int
    seconds: float
    label: str  # "an hour", as the refusal says it


@dataclass
class RateLimiter:
    """At most ``limit.count`` hits within any ``limit.seconds``, for every limit, per key."""

    limits: list[WindowLimit]
    what: str = "requests"
    advice: str = ""  # what else the refused caller can do, at the end of the refusal
    clock: Callable[[], float] = time.monotonic
    _hits: dict[str, deque[float]] = field(default_factory=dict)
    _next_sweep: float = 0.0

    def hit(self, address: str) -> None:
        """Count one hit for the client at ``address`` (an IPv6 client by its /64), or raise
        :class:`TooManyRequests` (a refused hit is not counted)."""
        key = rate_limit_key(address)
        now = self.clock()
        longest = self._longest
        self._sweep(now, idle=longest, every=self._shortest)
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - longest:
            hits.popleft()
        waits: list[tuple[float, WindowLimit]] = []
        for limit in self.limits:
            within = len(hits) - bisect_right(hits, now - limit.seconds)  # hits are in time order
            if within >= limit.count:
                waits.append((hits[len(hits) - within] + limit.seconds - now, limit))
        if waits:
            self._refuse(*max(waits, key=lambda wait: wait[0]))
        hits.append(now)

    @functools.cached_property
    def _longest(self) -> float:
        return max(limit.seconds for limit in self.limits)

    @functools.cached_property
    def _shortest(self) -> float:
        return min(limit.seconds for limit in self.limits)

    def _refuse(self, wait: float, limit: WindowLimit) -> None:
        raise too_many(f"{self.what} from your address", limit.count, limit.label, wait, advice=self.advice)

    def _sweep(self, now: float, *, idle: float, every: float) -> None:
        """Forget keys idle for the longest window, at most once per the shortest, so memory stays
        bounded."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + every
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - idle]:
            del self._hits[key]
