"""The consumer runner: at-least-once handling with commits only after success.

The partitions of a poll are handled concurrently, and so are the records of a partition with
different keys; records with the same key are handled one after the other, in order (a case's events,
a contact's messages). After a poll the runner commits, for every partition in one request, the
offset after the last record of the unbroken run of handled (or dead-lettered) records from the
start of the partition's batch; a record after a gap is handled again on redelivery and skipped by
the event-id store. An outage (``RetryLater``, MongoDB or Kafka away) stops its key's records,
commits what came before the gap, seeks back to the first record not handled and backs off
exponentially, for as long as the outage lasts. A record whose handler keeps failing otherwise is
poison: after ``max_attempts`` tries it goes to ``<topic>.dlq`` with its error and the partition
goes on (:mod:`lotsen.kafka.failures`). An error of the runner itself (a commit Kafka refuses)
stops it, so the process exits and its supervisor restarts it from the last commit.

Commits are coalesced (``commit_interval_ms``, the setting ``KAFKA_COMMIT_INTERVAL_MS``): what a poll
handled is committed at once when the last commit is that long ago, else with the next poll's, at
the latest after the interval plus one poll timeout; and always before the group takes partitions
away (a rebalance) and when the runner stops. A commit never runs ahead of what was handled, so a
crash only hands the records of the last interval to the handlers again, whose ``event_id`` check
skips them. Under load a group polls many times a second, and a commit per poll was a request to
the broker each time.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter as Tally
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import (
    CommitFailedError,
    IllegalGenerationError,
    IllegalStateError,
    RebalanceInProgressError,
    UnknownMemberIdError,
)
from prometheus_client import Counter, Gauge

from lotsen.contracts.envelope import Event
from lotsen.kafka.processing import (
    BatchDeduplicator,
    DeadLetterSink,
    Decoded,
    Deduplicator,
    Handler,
    RawRecord,
    RetryLater,
    RetryPolicy,
    decode_record,
    process_decoded,
)

log = logging.getLogger(__name__)


@dataclass
class PartitionResult:
    """What handling one partition's records of a poll came to."""

    tp: TopicPartition
    handled: set[int]  # offsets handled or dead-lettered
    retries: list[tuple[int, RetryLater]]  # offsets that wait for an outage to end
    outcomes: Tally[str]
    gap: int | None = None  # the first offset not handled


# How long a stop or a rebalance waits for the commit of what was handled.
PARTING_COMMIT_SECONDS = 5.0
# What a commit raises when the group rebalanced under this member (the partition has a new owner).
GROUP_MOVED_ON = (
    CommitFailedError,
    IllegalGenerationError,
    IllegalStateError,
    RebalanceInProgressError,
    UnknownMemberIdError,
)

CONSUMER_LAG = Gauge(
    "lotsen_consumer_lag",
    "Records in the partition not yet handled by the consumer group",
    ["group", "topic", "partition"],
)
RECORDS_HANDLED = Counter(
    "lotsen_consumer_records_total", "Records taken off a topic, by outcome", ["group", "topic", "outcome"]
)


class GroupRunner:
    """What both runners share: the group's consumer, start and stop, back-off, the lag gauge."""

    def __init__(
        self,
        *,
        bootstrap_servers: str,
        group_id: str,
        topics: list[str],
        dead_letters: DeadLetterSink,
        retry_initial_seconds: float,
        retry_max_seconds: float,
        max_attempts: int,
        commit_interval_ms: int = 0,
        **consumer_options: Any,
    ) -> None:
        self.group_id = group_id
        self.topics = topics
        self._dead_letters = dead_letters
        self._retry_initial = retry_initial_seconds
        self._retry_max = retry_max_seconds
        self._policy = RetryPolicy(max_attempts, retry_initial_seconds, retry_max_seconds)
        self._stopping = asyncio.Event()
        self._commit_interval = commit_interval_ms / 1000
        self._uncommitted: dict[TopicPartition, int] = {}
        self._last_commit = 0.0
        self._committing = asyncio.Lock()
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            client_id=group_id,
            enable_auto_commit=False,
            # Tansu answers 'latest' wrongly (DESIGN §2); a new group reads everything once.
            auto_offset_reset="earliest",
            **consumer_options,
        )
        self._consumer.subscribe(topics, listener=CommitBeforeRevocation(self))

    async def start(self) -> None:
        await self._consumer.start()

    async def stop(self) -> None:
        self._stopping.set()

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def _wait_before_next_try(self, seconds: float) -> None:
        """Back-off between tries of a failing record; a stop abandons the record uncommitted
        rather than cutting its tries short and dead-lettering it."""
        await self._sleep(seconds)
        if self._stopping.is_set():
            raise RetryLater("the consumer is stopping")

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        """Take handled offsets to commit: now if the last commit is ``commit_interval_ms`` ago,
        else with a later poll's (:meth:`_commit_if_due`, :meth:`_commit_now`)."""
        self._uncommitted.update(offsets)
        await self._commit_if_due()

    async def _commit_if_due(self) -> None:
        since = asyncio.get_running_loop().time() - self._last_commit
        if self._uncommitted and since >= self._commit_interval:
            await self._commit_now()

    async def _commit_now(self) -> None:
        """Commit the handled offsets not yet committed. A commit the group refuses because it
        rebalanced meanwhile (this member missed heartbeats under load, or another replica joined)
        is not a failure of this process: the partitions' new owner reads on from the last commit,
        and handlers are idempotent on ``event_id``, so the records are handled again, not lost."""
        async with self._committing:  # in order: a later commit never lands before an earlier one
            if not self._uncommitted:
                return
            offsets, self._uncommitted = self._uncommitted, {}
            self._last_commit = asyncio.get_running_loop().time()
            try:
                await self._consumer.commit(offsets)
            except GROUP_MOVED_ON as exc:
                log.warning(
                    "group %s rebalanced before a commit; the new owner goes on: %s", self.group_id, exc
                )

    async def _commit_in_time(self, why: str) -> None:
        """:meth:`_commit_now`, given up after ``PARTING_COMMIT_SECONDS``: aiokafka retries a commit
        for as long as the broker is away, and a stop or a rebalance must not wait for it. What is
        left uncommitted is handled again and skipped by its event id."""
        try:
            await asyncio.wait_for(self._commit_now(), timeout=PARTING_COMMIT_SECONDS)
        except Exception as exc:
            log.warning("group %s %s without committing its last records: %s", self.group_id, why, exc)

    async def _stop_consumer(self) -> None:
        """Commit what was handled, then leave the group."""
        try:
            await self._commit_in_time("stops")
        finally:
            await self._consumer.stop()

    async def _report_lag(self) -> None:
        for tp in self._consumer.assignment():
            highwater = self._consumer.highwater(tp)
            if highwater is None:
                continue
            position = await self._consumer.position(tp)
            CONSUMER_LAG.labels(self.group_id, tp.topic, str(tp.partition)).set(max(highwater - position, 0))


class CommitBeforeRevocation(ConsumerRebalanceListener):  # type: ignore[misc]
    """Commits what the runner handled before the group hands its partitions to another member, so
    the new owner does not handle them again."""

    def __init__(self, runner: GroupRunner) -> None:
        self._runner = runner

    async def on_partitions_revoked(self, revoked: Any) -> None:
        await self._runner._commit_in_time("gives up partitions")

    async def on_partitions_assigned(self, assigned: Any) -> None:
        return None


def raw_record(message: Any) -> RawRecord:
    """A fetched record as the processing rules see it."""
    return RawRecord(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
        value=message.value or b"",
        headers=list(message.headers or []),
    )


class ConsumerRunner(GroupRunner):
    def __init__(
        self,
        *,
        bootstrap_servers: str,
        group_id: str,
        topics: list[str],
        handler: Handler,
        dead_letters: DeadLetterSink,
        dedupe: Deduplicator | None = None,
        retry_initial_seconds: float = 0.2,
        retry_max_seconds: float = 30.0,
        max_attempts: int = 3,
        max_batch: int = 200,
        max_in_flight: int = 64,
        fetch_max_wait_ms: int = 50,
        commit_interval_ms: int = 0,
        event_types: Collection[str] | None = None,
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
            fetch_max_wait_ms=fetch_max_wait_ms,
        )
        self._handler = handler
        self._dedupe = dedupe
        self._max_batch = max_batch
        self._event_types = event_types
        # Keys handled at the same time, over all partitions: enough to hide the round trips to Kafka
        # and MongoDB of one record behind those of others, few enough to keep memory flat.
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._retry_delay: dict[TopicPartition, float] = {}

    async def run(self) -> None:
        """Consume until :meth:`stop`; commits are made before returning."""
        try:
            while not self._stopping.is_set():
                batches = await self._consumer.getmany(timeout_ms=200, max_records=self._max_batch)
                if batches:
                    await self._handle_poll(batches)
                else:
                    await self._commit_if_due()
                await self._report_lag()
        finally:
            await self._stop_consumer()

    async def _handle_poll(self, batches: dict[TopicPartition, list[Any]]) -> None:
        """One poll: its event ids looked up in one query, its partitions handled at the same time,
        the ids handled remembered in one write, and the offsets of every partition committed in one
        request. Per partition that would be a look-up, a write and a commit each, which at a few
        records a partition per poll costs more than the records themselves."""
        records = {tp: [raw_record(message) for message in messages] for tp, messages in batches.items()}
        decoded = {
            tp: [decode_record(record, self._event_types) for record in rs] for tp, rs in records.items()
        }
        results: list[PartitionResult]
        try:
            dedupe = await self._batch_dedupe([event for events in decoded.values() for event in events])
            results = list(
                await asyncio.gather(
                    *(self._handle_partition(tp, records[tp], decoded[tp], dedupe) for tp in batches)
                )
            )
            if dedupe is not None:
                await dedupe.flush()
        except RetryLater as away:  # the event-id store is away: the whole poll is read again
            results = [
                PartitionResult(tp, set(), [(rs[0].offset, away)], Tally()) for tp, rs in records.items()
            ]
        offsets: dict[TopicPartition, int] = {}
        for result in results:
            for outcome, number in result.outcomes.items():
                RECORDS_HANDLED.labels(self.group_id, result.tp.topic, outcome).inc(number)
            rs = records[result.tp]
            result.gap = next((r.offset for r in rs if r.offset not in result.handled), None)
            next_offset = rs[-1].offset + 1 if result.gap is None else result.gap
            if next_offset > rs[0].offset:
                offsets[result.tp] = next_offset
        if offsets:
            await self._commit(offsets)
        delays = [self._after_partition(result) for result in results]
        delay = max((d for d in delays if d is not None), default=None)
        if delay is not None:
            await self._sleep(delay)

    def _after_partition(self, result: PartitionResult) -> float | None:
        """Seek back to a partition's first record not handled; the back-off it asks for, if any."""
        tp = result.tp
        if result.gap is None:
            self._retry_delay.pop(tp, None)
            return None
        self._consumer.seek(tp, result.gap)
        if not result.retries:
            return None  # stopping
        offset, exc = min(result.retries, key=lambda retry: retry[0])
        delay = self._retry_delay.get(tp, self._retry_initial)
        self._retry_delay[tp] = min(delay * 2, self._retry_max)
        log.warning("retrying %s@%d in %.1fs: %s", tp, offset, delay, exc)
        RECORDS_HANDLED.labels(self.group_id, tp.topic, "retry").inc(len(result.retries))
        return delay

    async def _handle_partition(
        self,
        tp: TopicPartition,
        records: list[RawRecord],
        decoded: list[Decoded],
        dedupe: Deduplicator | None,
    ) -> PartitionResult:
        result = PartitionResult(tp, set(), [], Tally())
        lanes: dict[bytes | None, list[int]] = {}
        for index, record in enumerate(records):
            lanes.setdefault(record.key, []).append(index)

        async def lane(indexes: list[int]) -> None:
            async with self._in_flight:
                for index in indexes:
                    if self._stopping.is_set():
                        return
                    try:
                        outcome = await self._process(records[index], decoded[index], dedupe)
                    except RetryLater as exc:
                        result.retries.append((records[index].offset, exc))
                        return  # the key's later records wait for this one
                    result.outcomes[outcome] += 1
                    result.handled.add(records[index].offset)

        await asyncio.gather(*(lane(indexes) for indexes in lanes.values()))
        return result

    async def _batch_dedupe(self, decoded: list[Decoded]) -> BatchDeduplicator | None:
        if self._dedupe is None:
            return None
        event_ids = {str(event.event_id) for event in decoded if isinstance(event, Event)}
        return await BatchDeduplicator.load(self._dedupe, event_ids)

    async def _process(self, record: RawRecord, decoded: Decoded, dedupe: Deduplicator | None) -> str:
        return await process_decoded(
            record,
            decoded,
            self._handler,
            dead_letters=self._dead_letters,
            dedupe=dedupe,
            policy=self._policy,
            sleep=self._wait_before_next_try,
        )
