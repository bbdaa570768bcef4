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
from lotsen.contracts.envelope import Event, InvalidEvent, decode_event, decode_event_of_types
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

__all__ = [
    "BatchDeduplicator",
    "RetryLater",
    "RetryPolicy",
    "dead_letter",
    "decode_record",
    "process_decoded",
    "process_record",
]
tracer = trace.get_tracer("lotsen.kafka")

Handler = Callable[[Event[Any]], Awaitable[None]]


class Deduplicator(Protocol):
    """Remembers which event ids a consumer group has handled (idempotency on ``event_id``)."""

    async def seen(self, event_id: str) -> bool: ...

    async def remember(self, event_id: str) -> None: ...

    async def seen_among(self, event_ids: Collection[str]) -> set[str]:
        """Those of ``event_ids`` handled before, in one look-up."""
        ...

    async def remember_all(self, event_ids: Collection[str]) -> None: ...


class MemoryDeduplicator:
    def __init__(self) -> None:
        self._ids: set[str] = set()

    async def seen(self, event_id: str) -> bool:
        return event_id in self._ids

    async def remember(self, event_id: str) -> None:
        self._ids.add(event_id)

    async def seen_among(self, event_ids: Collection[str]) -> set[str]:
        return self._ids.intersection(event_ids)

    async def remember_all(self, event_ids: Collection[str]) -> None:
        self._ids.update(event_ids)


class BatchDeduplicator:
    """The event-id store as one batch of records sees it: the batch's ids are looked up together
    before handling, and the ids handled are remembered together by :meth:`flush`, which the caller
    must await before committing the batch. Two records with the same id in one batch are handled
    once: the second finds the first's id among those handled."""

    def __init__(self, store: Deduplicator, seen: set[str]) -> None:
        self._store = store
        self._seen = seen
        self._handled: list[str] = []

    @classmethod
    async def load(cls, store: Deduplicator, event_ids: Collection[str]) -> BatchDeduplicator:
        """Raises :class:`RetryLater` when the store is away."""
        try:
            return cls(store, await store.seen_among(event_ids) if event_ids else set())
        except Exception as exc:
            if is_outage(exc):
                raise as_retry_later(exc) from exc
            raise

    async def seen(self, event_id: str) -> bool:
        return event_id in self._seen

    async def remember(self, event_id: str) -> None:
        self._seen.add(event_id)
        self._handled.append(event_id)

    async def seen_among(self, event_ids: Collection[str]) -> set[str]:
        return self._seen.intersection(event_ids)

    async def remember_all(self, event_ids: Collection[str]) -> None:
        for event_id in event_ids:
            await self.remember(event_id)

    async def flush(self) -> None:
        """Raises :class:`RetryLater` when the store is away: none of the batch may be committed."""
        if not self._handled:
            return
        try:
            await self._store.remember_all(self._handled)
        except Exception as exc:
            if is_outage(exc):
                raise as_retry_later(exc) from exc
            raise
        self._handled = []


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
    in ``event_types``, neither validated nor looked up in the event-id store) or ``dead_lettered``.

    The failure rules are :mod:`lotsen.kafka.failures`': an outage raises :class:`RetryLater` (the
    caller must not commit past this record); poison is dead-lettered after ``policy.max_attempts``.
    """
    return await process_decoded(
        record,
        decode_record(record, event_types),
        handler,
        dead_letters=dead_letters,
        dedupe=dedupe,
        policy=policy,
        sleep=sleep,
    )


Decoded = Event[Any] | InvalidEvent | None
"""A record's event; the reason it can never be one; or ``None``, a type the consumer passes over."""


def decode_record(record: RawRecord, event_types: Collection[str] | None = None) -> Decoded:
    try:
        if event_types is None:
            return decode_event(record.value)
        return decode_event_of_types(record.value, event_types)
    except InvalidEvent as exc:
        return exc


async def process_decoded(
    record: RawRecord,
    decoded: Decoded,
    handler: Handler,
    *,
    dead_letters: DeadLetterSink,
    dedupe: Deduplicator | None = None,
    policy: RetryPolicy = RetryPolicy(),
    sleep: Sleep = asyncio.sleep,
) -> str:
    """:func:`process_record` for a record decoded already (:func:`decode_record`)."""
    if isinstance(decoded, InvalidEvent):
        await dead_letter(record, decoded, dead_letters)
        return "dead_lettered"
    if decoded is None:
        return "ignored"
    event = decoded
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
