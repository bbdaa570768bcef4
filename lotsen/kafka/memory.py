"""An in-memory bus with the publisher's interface, for handler tests without a broker.

Published events are kept per topic; :meth:`InMemoryBus.deliver` runs a handler over a topic's
records with the same rules as the Kafka consumer (decode, dedupe, DLQ).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from lotsen.contracts.envelope import Event, decode_event, encode_event
from lotsen.kafka.processing import Deduplicator, Handler, RawRecord, RetryPolicy, process_record
from lotsen.kafka.tracing import Headers, inject_trace_headers


class InMemoryBus:
    def __init__(self) -> None:
        self.records: dict[str, list[RawRecord]] = defaultdict(list)
        self.fail_publishing = False
        self._positions: dict[tuple[str, str], int] = defaultdict(int)

    async def publish(self, topic: str, event: Event[Any], *, key: str) -> None:
        await self.publish_raw(topic, encode_event(event), key=key.encode("utf-8"))

    async def publish_raw(
        self, topic: str, value: bytes, *, key: bytes | None, headers: Headers | None = None
    ) -> None:
        from lotsen.kafka.publisher import PublishFailed

        if self.fail_publishing:
            raise PublishFailed(f"in-memory bus set to refuse {topic}")
        log = self.records[topic]
        log.append(RawRecord(topic, 0, len(log), key, value, inject_trace_headers(headers)))

    def published(self, topic: str) -> list[Event[Any]]:
        """The events on ``topic`` in publishing order, decoded."""
        return [decode_event(r.value) for r in self.records[topic]]

    async def deliver(
        self,
        topic: str,
        handler: Handler,
        *,
        group: str = "test",
        dedupe: Deduplicator | None = None,
        policy: RetryPolicy = RetryPolicy(),
    ) -> list[str]:
        """Hand the group's not-yet-handled records on ``topic`` to ``handler``; return the outcomes.

        The consumer's rules, without its waits: a failing record is tried ``policy.max_attempts``
        times at once; an outage raises :class:`RetryLater` with the record left unhandled."""
        outcomes = []
        log = self.records[topic]
        while self._positions[(group, topic)] < len(log):
            record = log[self._positions[(group, topic)]]
            outcomes.append(
                await process_record(
                    record, handler, dead_letters=self, dedupe=dedupe, policy=policy, sleep=_no_wait
                )
            )
            self._positions[(group, topic)] += 1
        return outcomes


async def _no_wait(seconds: float) -> None:
    pass
