"""The batch consumer runner: one handler call per poll, commits only after the whole poll succeeded.

Some consumers (stats) fold many events into few database writes; handing them a poll at a time
turns four round trips per event into a handful per poll. The rules are those of
:class:`~lotsen.kafka.consumer.ConsumerRunner`: records that can never be decoded go to
``<topic>.dlq``; ``RetryLater`` seeks every partition back to the start of the poll and backs off;
any other error stops the runner (the process exits and restarts from the last commit). A batch
handler must therefore be idempotent: after a crash it sees the uncommitted poll again.

``run(until_caught_up=True)`` stops once every assigned partition has been read up to the high
watermark seen in the fetch responses and a further poll came back empty. That is how a rebuild
knows it is done: Tansu answers ``end_offsets`` wrongly (DESIGN §2), while the high watermark it
returns with each fetch is right. A partition that never answered a fetch (nothing to read) counts
as caught up after ``idle_polls`` empty polls in a row.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import TopicPartition

from lotsen.contracts.envelope import Event, InvalidEvent, decode_event
from lotsen.kafka.consumer import RECORDS_HANDLED, GroupRunner, raw_record
from lotsen.kafka.processing import DeadLetterSink, RetryLater, dead_letter

log = logging.getLogger(__name__)

BatchHandler = Callable[[Sequence[Event[Any]]], Awaitable[None]]


class BatchConsumerRunner(GroupRunner):
    def __init__(
        self,
        *,
        bootstrap_servers: str,
        group_id: str,
        topics: list[str],
        handler: BatchHandler,
        dead_letters: DeadLetterSink,
        max_records: int = 500,
        retry_initial_seconds: float = 0.2,
        retry_max_seconds: float = 30.0,
        idle_polls: int = 10,
        poll_timeout_ms: int = 200,
    ) -> None:
        super().__init__(
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            topics=topics,
            dead_letters=dead_letters,
            retry_initial_seconds=retry_initial_seconds,
            retry_max_seconds=retry_max_seconds,
            max_poll_records=max_records,
        )
        self.handled = 0
        self._handler = handler
        self._max_records = max_records
        self._retry_delay = retry_initial_seconds
        self._idle_polls = idle_polls
        self._poll_timeout_ms = poll_timeout_ms

    async def run(self, *, until_caught_up: bool = False) -> None:
        """Consume until :meth:`stop` (or, with ``until_caught_up``, until nothing is left to read)."""
        empty_polls = 0
        try:
            while not self._stopping.is_set():
                batches = await self._consumer.getmany(
                    timeout_ms=self._poll_timeout_ms, max_records=self._max_records
                )
                if batches:
                    empty_polls = 0
                    await self._handle_poll(batches)
                else:
                    empty_polls += 1
                    if until_caught_up and await self._caught_up(empty_polls):
                        return
                await self._report_lag()
        finally:
            await self._consumer.stop()

    async def _handle_poll(self, batches: dict[TopicPartition, list[Any]]) -> None:
        events: list[Event[Any]] = []
        outcomes: dict[str, dict[str, int]] = {}
        for tp, messages in batches.items():
            for message in messages:
                record = raw_record(message)
                try:
                    events.append(decode_event(record.value))
                    outcome = "handled"
                except InvalidEvent as exc:
                    await dead_letter(record, exc, self._dead_letters)
                    outcome = "dead_lettered"
                counts = outcomes.setdefault(tp.topic, {})
                counts[outcome] = counts.get(outcome, 0) + 1
        try:
            if events:
                await self._handler(events)
        except RetryLater as exc:
            for tp, messages in batches.items():
                self._consumer.seek(tp, messages[0].offset)
                RECORDS_HANDLED.labels(self.group_id, tp.topic, "retry").inc(len(messages))
            log.warning("retrying a poll of %d records in %.1fs: %s", len(events), self._retry_delay, exc)
            await self._sleep(self._retry_delay)
            self._retry_delay = min(self._retry_delay * 2, self._retry_max)
            return
        self._retry_delay = self._retry_initial
        await self._consumer.commit({tp: messages[-1].offset + 1 for tp, messages in batches.items()})
        self.handled += len(events)
        for topic, counts in outcomes.items():
            for outcome, count in counts.items():
                RECORDS_HANDLED.labels(self.group_id, topic, outcome).inc(count)

    async def _caught_up(self, empty_polls: int) -> bool:
        assignment = self._consumer.assignment()
        expected = {
            TopicPartition(topic, p)
            for topic in self.topics
            for p in self._consumer.partitions_for_topic(topic) or ()
        }
        if not assignment or assignment != expected:
            return False
        for tp in assignment:
            highwater = self._consumer.highwater(tp)
            if highwater is None:
                if empty_polls < self._idle_polls:
                    return False
                continue
            if await self._consumer.position(tp) < highwater:
                return False
        return True
