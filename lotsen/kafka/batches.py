"""The batch consumer runner: one handler call per poll, commits only after the whole poll succeeded.

Some consumers (stats) fold many events into few database writes; handing them a poll at a time
turns four round trips per event into a handful per poll. The rules are those of
:class:`~lotsen.kafka.consumer.ConsumerRunner`: records that can never be decoded go to
``<topic>.dlq``; an outage (``RetryLater``, MongoDB or Kafka away) seeks every partition back to the
start of the poll and backs off. When the handler fails otherwise, the poll is split in halves and
each half handed over again, down to single records, so one poison record does not take the poll's
good ones with it; a single record that still fails after ``max_attempts`` tries goes to
``<topic>.dlq`` with its error. A batch handler must therefore be idempotent: it may see an event
again, after a crash (the uncommitted poll) or in a half of a poll that failed.

``run(until_caught_up=True)`` stops once every assigned partition has been read up to the high
watermark seen in the fetch responses and a further poll came back empty. That is how a rebuild
knows it is done: Tansu answers ``end_offsets`` wrongly (DESIGN §2), while the high watermark it
returns with each fetch is right. A partition that never answered a fetch (nothing to read) counts
as caught up after ``idle_polls`` empty polls in a row.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import TopicPartition

from lotsen.contracts.envelope import Event, InvalidEvent, decode_event
from lotsen.kafka.consumer import RECORDS_HANDLED, GroupRunner, raw_record
from lotsen.kafka.failures import as_retry_later, attempt, is_outage, never_works
from lotsen.kafka.processing import DeadLetterSink, RawRecord, RetryLater, dead_letter

log = logging.getLogger(__name__)

BatchHandler = Callable[[Sequence[Event[Any]]], Awaitable[None]]


@dataclass(frozen=True)
class Decoded:
    record: RawRecord
    event: Event[Any]

    def describe(self) -> str:
        record = self.record
        where = f"{record.topic}[{record.partition}]@{record.offset}"
        return f"{self.event.type} {self.event.event_id} from {where}"


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
        max_attempts: int = 3,
        idle_polls: int = 10,
        poll_timeout_ms: int = 200,
        fetch_max_wait_ms: int = 50,
        commit_interval_ms: int = 0,
    ) -> None:
        super().__init__(
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            topics=topics,
            dead_letters=dead_letters,
            retry_initial_seconds=retry_initial_seconds,
            retry_max_seconds=retry_max_seconds,
            max_attempts=max_attempts,
            commit_interval_ms=commit_interval_ms,
            max_poll_records=max_records,
            # The broker answers a fetch as soon as a record is there or after this wait; aiokafka's
            # 500 ms default would be most of the half second a case may take to be counted.
            fetch_max_wait_ms=fetch_max_wait_ms,
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
                    await self._commit_if_due()
                    if until_caught_up and await self._caught_up(empty_polls):
                        return
                await self._report_lag()
        finally:
            await self._stop_consumer()

    async def _handle_poll(self, batches: dict[TopicPartition, list[Any]]) -> None:
        decoded: list[Decoded] = []
        outcomes: dict[str, dict[str, int]] = {}

        def count(topic: str, outcome: str) -> None:
            counts = outcomes.setdefault(topic, {})
            counts[outcome] = counts.get(outcome, 0) + 1

        try:
            for messages in batches.values():
                for message in messages:
                    record = raw_record(message)
                    try:
                        decoded.append(Decoded(record, decode_event(record.value)))
                    except InvalidEvent as exc:
                        await dead_letter(record, exc, self._dead_letters)
                        count(record.topic, "dead_lettered")
            poison = await self._handle_split(decoded) if decoded else []
            for item, error in poison:
                await dead_letter(item.record, error, self._dead_letters, event_id=str(item.event.event_id))
        except RetryLater as exc:
            for tp, messages in batches.items():
                self._consumer.seek(tp, messages[0].offset)
                RECORDS_HANDLED.labels(self.group_id, tp.topic, "retry").inc(len(messages))
            log.warning("retrying a poll of %d records in %.1fs: %s", len(decoded), self._retry_delay, exc)
            await self._sleep(self._retry_delay)
            self._retry_delay = min(self._retry_delay * 2, self._retry_max)
            return
        self._retry_delay = self._retry_initial
        await self._commit({tp: messages[-1].offset + 1 for tp, messages in batches.items()})
        self.handled += len(decoded) - len(poison)
        dead = {id(item) for item, _ in poison}
        for item in decoded:
            count(item.record.topic, "dead_lettered" if id(item) in dead else "handled")
        for topic, counts in outcomes.items():
            for outcome, number in counts.items():
                RECORDS_HANDLED.labels(self.group_id, topic, outcome).inc(number)

    async def _handle_split(self, items: list[Decoded]) -> list[tuple[Decoded, Exception]]:
        """Hand ``items`` to the handler; on a failure that is not an outage, each half on its own,
        down to single records tried up to ``max_attempts`` times. Returns the poison with its error."""
        try:
            await self._handler([item.event for item in items])
            return []
        except Exception as error:
            if is_outage(error):
                raise as_retry_later(error) from error
            if len(items) > 1:
                middle = len(items) // 2
                return await self._handle_split(items[:middle]) + await self._handle_split(items[middle:])
            [item] = items
            last = error
            if not never_works(error):
                log.warning("%s failed (try 1 of %d): %s", item.describe(), self._policy.max_attempts, error)
                retried = await attempt(
                    lambda: self._handler([item.event]),
                    policy=self._policy,
                    what=item.describe(),
                    sleep=self._wait_before_next_try,
                    tried=1,
                )
                if retried is None:
                    return []
                last = retried
            return [(item, last)]

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
