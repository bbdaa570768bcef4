"""Handling one record: decode, skip duplicates, call the handler, dead-letter what can never work.

Shared by the Kafka consumer runner and the in-memory bus, so unit tests exercise the same rules
that run in production.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from opentelemetry import trace

from lotsen.contracts import topics
from lotsen.contracts.envelope import Event, InvalidEvent, decode_event
from lotsen.kafka.failures import (
    RetryLater,
    RetryPolicy,
    Sleep,
    as_retry_later,
    attempt,
    described,
    is_outage,
)
from lotsen.kafka.publisher import PublishFailed, PublishRefused
from lotsen.kafka.tracing import Headers, extract_trace_context

log = logging.getLogger(__name__)

__all__ = ["RetryLater", "RetryPolicy", "dead_letter", "process_record"]
tracer = trace.get_tracer("lotsen.kafka")

Handler = Callable[[Event[Any]], Awaitable[None]]


class Deduplicator(Protocol):
    """Remembers which event ids a consumer group has handled (idempotency on ``event_id``)."""

    async def seen(self, event_id: str) -> bool: ...

    async def remember(self, event_id: str) -> None: ...


class MemoryDeduplicator:
    def __init__(self) -> None:
        self._ids: set[str] = set()

    async def seen(self, event_id: str) -> bool:
        return event_id in self._ids

    async def remember(self, event_id: str) -> None:
        self._ids.add(event_id)


@dataclass(frozen=True)
class RawRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: Headers = field(default_factory=list)


class DeadLetterSink(Protocol):
    async def publish_raw(
        self, topic: str, value: bytes, *, key: bytes | None, headers: Headers | None = None
    ) -> None: ...


async def process_record(
    record: RawRecord,
    handler: Handler,
    *,
    dead_letters: DeadLetterSink,
    dedupe: Deduplicator | None = None,
    policy: RetryPolicy = RetryPolicy(),
    sleep: Sleep = asyncio.sleep,
    event_types: Collection[str] | None = None,
) -> str:
    """Handle one record and say what happened: ``handled``, ``duplicate``, ``ignored`` (a type not
    in ``event_types``, left without a look-up in the event-id store) or ``dead_lettered``.

    The failure rules are :mod:`lotsen.kafka.failures`': an outage raises :class:`RetryLater` (the
    caller must not commit past this record); poison is dead-lettered after ``policy.max_attempts``.
    """
    try:
        event = decode_event(record.value)
    except InvalidEvent as exc:
        await dead_letter(record, exc, dead_letters)
        return "dead_lettered"
    if event_types is not None and event.type not in event_types:
        return "ignored"
    event_id = str(event.event_id)
    try:
        if dedupe is not None and await dedupe.seen(event_id):
            return "duplicate"
    except Exception as exc:
        if is_outage(exc):
            raise as_retry_later(exc) from exc
        raise
    ctx = extract_trace_context(record.headers)
    with tracer.start_as_current_span(f"handle {event.type}", context=ctx, kind=trace.SpanKind.CONSUMER):
        error = await attempt(
            lambda: handler(event),
            policy=policy,
            what=f"{event.type} {event_id} from {record.topic}[{record.partition}]@{record.offset}",
            sleep=sleep,
        )
    if error is not None:
        await dead_letter(record, error, dead_letters, event_id=event_id)
        return "dead_lettered"
    if dedupe is not None:
        try:
            await dedupe.remember(event_id)
        except Exception as exc:
            if is_outage(exc):
                raise as_retry_later(exc) from exc
            raise
    return "handled"


async def dead_letter(
    record: RawRecord, error: Exception, sink: DeadLetterSink, *, event_id: str | None = None
) -> None:
    """Send the original bytes with the error to ``<topic>.dlq``.

    If the DLQ does not take them because Kafka is away: :class:`RetryLater` (the record stays
    uncommitted and is handled again later). If Kafka refuses them for good (the record plus the
    DLQ's headers is larger than its record limit), the DLQ gets the headers without the value,
    saying so: the original stays readable at its source offset until the topic's retention.
    """
    log.warning(
        "dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset, described(error)
    )
    headers = [
        *record.headers,
        ("lotsen-error", described(error)[:2000].encode("utf-8", "replace")),
        ("lotsen-source-topic", record.topic.encode()),
        ("lotsen-source-partition", str(record.partition).encode()),
        ("lotsen-source-offset", str(record.offset).encode()),
        ("lotsen-failed-at", datetime.now(UTC).isoformat().encode()),
    ]
    if event_id is not None:
        headers.append(("lotsen-event-id", event_id.encode()))
    dlq = topics.dlq(record.topic)
    try:
        try:
            await sink.publish_raw(dlq, record.value, key=record.key, headers=headers)
        except PublishRefused:
            omitted = f"{len(record.value)} bytes, more than Kafka takes; read it at the source offset"
            headers.append(("lotsen-value-omitted", omitted.encode()))
            await sink.publish_raw(dlq, b"", key=record.key, headers=headers)
    except PublishFailed as exc:
        raise as_retry_later(exc) from exc
