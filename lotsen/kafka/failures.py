"""What a consumer does when handling a record fails: retry an outage, dead-letter poison.

- An **outage** (``RetryLater``; MongoDB unreachable: ``AutoReconnect``, ``ConnectionFailure``,
  ``ServerSelectionTimeoutError``, ``NetworkTimeout``; Kafka unreachable or slow: a retriable
  ``KafkaError``, ``KafkaTimeoutError``, ``PublishFailed``; ``TimeoutError``, ``ConnectionError``)
  says nothing about the record: it is retried without limit, with back-off, and nothing after it
  is committed.
- A record that **can never work** (``InvalidEvent``, a ``ValidationError`` of the handler, an event
  the broker refuses for good: ``PublishRefused``) goes to ``<topic>.dlq`` at once.
- **Any other error** is tried ``max_attempts`` times with back-off; if it still fails, the record
  is poison: it goes to ``<topic>.dlq`` with its error and the partition goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from pydantic import ValidationError
from pymongo.errors import ConnectionFailure

from lotsen.contracts.envelope import InvalidEvent
from lotsen.kafka.publisher import PublishFailed, PublishRefused

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class RetryLater(Exception):
    """A passing failure (a dependency is down): back off and retry the same record, do not commit."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often a failing record is tried before it is poison, and how long to wait in between
    (doubling from ``initial_seconds`` up to ``max_seconds``; outages use the same back-off)."""

    max_attempts: int = 3
    initial_seconds: float = 0.2
    max_seconds: float = 30.0

    def delay(self, attempt: int) -> float:
        return float(min(self.initial_seconds * 2.0 ** (attempt - 1), self.max_seconds))


def is_outage(error: BaseException) -> bool:
    """True when ``error`` says a dependency is away rather than that the record is bad."""
    if isinstance(error, PublishRefused):
        return False
    if isinstance(error, RetryLater | PublishFailed | ConnectionFailure | TimeoutError | ConnectionError):
        return True
    if isinstance(error, KafkaConnectionError | KafkaTimeoutError):
        return True
    return isinstance(error, KafkaError) and bool(error.retriable)


def never_works(error: BaseException) -> bool:
    return isinstance(error, InvalidEvent | ValidationError | PublishRefused)


def as_retry_later(error: Exception) -> RetryLater:
    if isinstance(error, RetryLater):
        return error
    retry = RetryLater(f"{type(error).__name__}: {error}")
    retry.__cause__ = error
    return retry


def described(error: BaseException) -> str:
    """The error as the DLQ header and the log give it: its kind, then its message."""
    return f"{type(error).__name__}: {error}"


async def attempt(
    call: Callable[[], Awaitable[None]],
    *,
    policy: RetryPolicy,
    what: str,
    sleep: Sleep = asyncio.sleep,
    tried: int = 0,
) -> Exception | None:
    """Run ``call`` until it succeeds (``None``) or is poison (its last error is returned).

    An outage raises :class:`RetryLater` at once: the caller backs off without counting tries.
    ``tried``: attempts already made (and failed) elsewhere, e.g. within a larger batch.
    """
    for number in range(tried + 1, policy.max_attempts + 1):
        if number > 1:
            await sleep(policy.delay(number - 1))
        try:
            await call()
            return None
        except Exception as error:
            if is_outage(error):
                raise as_retry_later(error) from error
            if never_works(error) or number == policy.max_attempts:
                return error
            log.warning("%s failed (try %d of %d): %s", what, number, policy.max_attempts, described(error))
    return RuntimeError(f"{what} was tried {tried} times already")
