"""Publishing events to Kafka: ``acks=all``, keyed records, trace context in the headers."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
)

from lotsen.contracts.envelope import Event, encode_event
from lotsen.kafka.tracing import Headers, inject_trace_headers

log = logging.getLogger(__name__)


class PublishFailed(Exception):
    """Kafka did not acknowledge the record in time; the caller must answer 'try again later'."""


class PublishRefused(PublishFailed):
    """Kafka refuses this record for good (larger than its record limit): trying again cannot help."""


# The most bytes of one partition the producer sends in one request. It keeps one request in flight
# per broker, so what queues for a partition meanwhile has to fit the next one: at aiokafka's 16 KB
# (some ten contacts) intake took 500 web forms a second only with four partitions, and refused
# connections with one. A quarter of the broker's record limit (message.max.bytes, 1 MB by default)
# let one partition take them in time (docs/benchmarks.md).
MAX_BATCH_BYTES = 256 * 1024

# Refusals of the record itself, whatever the state of the cluster.
REFUSED_FOR_GOOD = (MessageSizeTooLargeError, RecordTooLargeError, RecordListTooLargeError)


class Publisher(Protocol):
    async def publish(self, topic: str, event: Event[Any], *, key: str) -> None:
        """Return only when the broker acknowledged the record; raise PublishFailed otherwise."""

    async def publish_raw(
        self, topic: str, value: bytes, *, key: bytes | None, headers: Headers | None = None
    ) -> None: ...


class KafkaPublisher:
    def __init__(
        self,
        bootstrap_servers: str,
        *,
        client_id: str,
        enable_idempotence: bool = False,
        timeout_seconds: float = 10.0,
        linger_ms: int = 10,
    ) -> None:
        """``linger_ms``: how long a record waits for others to share its produce request. The
        producer keeps one request in flight per broker and sends what queued meanwhile in the next,
        so under load records share requests anyway; below that, 2 ms gained nothing at 200 records/s
        (1.2 records per request, as with 0), and 10 ms makes it 1.7 for 10 ms more per record, with a
        third less CPU per record in the embedded broker and a sixth less here."""
        self._timeout = timeout_seconds
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers,
            client_id=client_id,
            acks="all",
            enable_idempotence=enable_idempotence,
            request_timeout_ms=int(timeout_seconds * 1000),
            linger_ms=linger_ms,
            max_batch_size=MAX_BATCH_BYTES,
        )
        self._started = False

    async def start(self) -> None:
        await self._producer.start()
        self._started = True

    async def stop(self) -> None:
        if self._started:
            await self._producer.stop()
            self._started = False

    async def publish(self, topic: str, event: Event[Any], *, key: str) -> None:
        await self.publish_raw(topic, encode_event(event), key=key.encode("utf-8"))

    async def publish_raw(
        self, topic: str, value: bytes, *, key: bytes | None, headers: Headers | None = None
    ) -> None:
        try:
            traced = inject_trace_headers(headers)
            async with asyncio.timeout(self._timeout):  # no task of its own per record, as wait_for makes
                await self._producer.send_and_wait(topic, value, key=key, headers=traced)
        except REFUSED_FOR_GOOD as exc:
            log.warning("Kafka refuses a record of %d bytes on %s: %r", len(value), topic, exc)
            raise PublishRefused(
                f"Kafka refuses the record on {topic} for good ({len(value)} bytes): {exc!r}"
            ) from exc
        except (KafkaError, TimeoutError) as exc:
            log.warning("publish to %s failed: %r", topic, exc)
            raise PublishFailed(f"Kafka did not acknowledge the record on {topic}: {exc!r}") from exc

    async def ping(self) -> bool:
        """True when the broker answers a metadata request."""
        try:
            await asyncio.wait_for(self._producer.client.force_metadata_update(), timeout=3)
        except (KafkaError, TimeoutError, OSError):
            return False
        return bool(self._producer.client.cluster.brokers())
