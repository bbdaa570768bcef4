"""Handling one record: decode, skip duplicates, call the handler, dead-letter what can never work.

Shared by the Kafka consumer runner and the in-memory bus, so unit tests exercise the same rules
that run in production.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from opentelemetry import trace
from pydantic import ValidationError

from lotsen.contracts import topics
from lotsen.contracts.envelope import Event, InvalidEvent, decode_event
from lotsen.kafka.tracing import Headers, extract_trace_context

log = logging.getLogger(__name__)
tracer = trace.get_tracer("lotsen.kafka")

Handler = Callable[[Event[Any]], Awaitable[None]]


class RetryLater(Exception):
    """A passing failure (a dependency is down): back off and retry the same record, do not commit."""


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
) -> str:
    """Handle one record and say what happened: ``handled``, ``duplicate`` or ``dead_lettered``.

    ``RetryLater`` and any unexpected error propagate: the caller must not commit past this record.
    """
    try:
        event = decode_event(record.value)
    except InvalidEvent as exc:
        await dead_letter(record, exc, dead_letters)
        return "dead_lettered"
    event_id = str(event.event_id)
    if dedupe is not None and await dedupe.seen(event_id):
        return "duplicate"
    ctx = extract_trace_context(record.headers)
    with tracer.start_as_current_span(f"handle {event.type}", context=ctx, kind=trace.SpanKind.CONSUMER):
        try:
            await handler(event)
        except (InvalidEvent, ValidationError) as exc:
            # A ValidationError here means the handler cannot turn this event into valid data: it
            # would fail the same way on every redelivery, so it is parked, not retried for ever.
            await dead_letter(record, exc, dead_letters)
            return "dead_lettered"
    if dedupe is not None:
        await dedupe.remember(event_id)
    return "handled"


async def dead_letter(record: RawRecord, error: Exception, sink: DeadLetterSink) -> None:
    """Send the original bytes with the error to ``<topic>.dlq``; raises if the DLQ refuses it."""
    log.warning("dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset, error)
    headers = [
        *record.headers,
        ("lotsen-error", str(error)[:2000].encode("utf-8")),
        ("lotsen-source-topic", record.topic.encode()),
        ("lotsen-source-partition", str(record.partition).encode()),
        ("lotsen-source-offset", str(record.offset).encode()),
        ("lotsen-failed-at", datetime.now(UTC).isoformat().encode()),
    ]
    await sink.publish_raw(topics.dlq(record.topic), record.value, key=record.key, headers=headers)
