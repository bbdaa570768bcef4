"""The consumer runners against a real broker: dead letters, poison, retries and commits."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import REGISTRY

from lotsen.contracts import CaseCreated, Event, topics
from lotsen.contracts.cases import CaseCreatedData
from lotsen.contracts.envelope import decode_event
from lotsen.directory import directory_from
from lotsen.kafka.batches import BatchConsumerRunner
from lotsen.kafka.broker import create_topics
from lotsen.kafka.consumer import ConsumerRunner
from lotsen.kafka.processing import MemoryDeduplicator, RetryLater
from lotsen.kafka.publisher import KafkaPublisher, PublishRefused
from lotsen.kafka.replay import replay
from lotsen.service import Runtime
from lotsen.settings import ServiceSettings
from tests.helpers import eventually

pytestmark = pytest.mark.integration


def created(ref: str) -> CaseCreated:
    return CaseCreated(
        producer="test",
        organization="karlskoga",
        data=CaseCreatedData(
            case_ref=ref,
            channel="email",
            received_at=datetime.now(UTC),
            category="ovriga-arenden",
            handled_by="first_line",
            rosa_level=1,
        ),
    )


async def fresh_topic(bootstrap: str) -> str:
    topic = f"test.{uuid.uuid4().hex[:10]}"
    await create_topics(bootstrap, partitions=1, names=(topic, topics.dlq(topic)))
    return topic


async def committed(bootstrap: str, group: str, topic: str) -> int | None:
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await probe.start()
    try:
        return await probe.committed(TopicPartition(topic, 0))  # type: ignore[no-any-return]
    finally:
        await probe.stop()


async def read_all(bootstrap: str, topic: str, count: int) -> list[Any]:
    reader = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        group_id=f"reader-{uuid.uuid4().hex[:6]}",
    )
    await reader.start()
    records: list[Any] = []
    try:

        async def enough() -> bool:
            batch = await reader.getmany(timeout_ms=200)
            for messages in batch.values():
                records.extend(messages)
            return len(records) >= count

        await eventually(enough)
    finally:
        await reader.stop()
    return records


@pytest.fixture
async def publisher(kafka_bootstrap: str) -> Any:
    pub = KafkaPublisher(kafka_bootstrap, client_id="test")
    await pub.start()
    yield pub
    await pub.stop()


async def run(runner: ConsumerRunner) -> asyncio.Task[None]:
    await runner.start()
    return asyncio.create_task(runner.run())


async def test_an_undecodable_record_is_dead_lettered_and_the_consumer_goes_on(
    kafka_bootstrap: str, publisher: KafkaPublisher
) -> None:
    topic = await fresh_topic(kafka_bootstrap)
    await publisher.publish_raw(topic, b"\x00 this is not an event", key=b"poison")
    good = created("KGA-2026-000001")
    await publisher.publish(topic, good, key="KGA-2026-000001")

    handled: list[Event[Any]] = []

    async def handler(event: Event[Any]) -> None:
        handled.append(event)

    group = f"g-{uuid.uuid4().hex[:6]}"
    runner = ConsumerRunner(
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        topics=[topic],
        handler=handler,
        dead_letters=publisher,
        dedupe=MemoryDeduplicator(),
    )
    task = await run(runner)
    try:
        await eventually(lambda: asyncio.sleep(0, result=handled))
        assert [e.event_id for e in handled] == [good.event_id]
        [dead] = await read_all(kafka_bootstrap, topics.dlq(topic), 1)
        assert dead.value == b"\x00 this is not an event"
        assert dead.key == b"poison"
        assert b"not JSON" in dict(dead.headers)["lotsen-error"]
        assert await eventually(lambda: _equals(committed(kafka_bootstrap, group, topic), 2))
    finally:
        await runner.stop()
        await task


async def test_retry_later_backs_off_without_committing(
    kafka_bootstrap: str, publisher: KafkaPublisher
) -> None:
    topic = await fresh_topic(kafka_bootstrap)
    await publisher.publish(topic, created("KGA-2026-000002"), key="KGA-2026-000002")
    group = f"g-{uuid.uuid4().hex[:6]}"
    attempts: list[datetime] = []
    may_succeed = asyncio.Event()

    async def flaky(event: Event[Any]) -> None:
        attempts.append(datetime.now(UTC))
        if not may_succeed.is_set():
            raise RetryLater("the database is restarting")

    runner = ConsumerRunner(
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        topics=[topic],
        handler=flaky,
        dead_letters=publisher,
        retry_initial_seconds=0.05,
    )
    task = await run(runner)
    try:
        await eventually(lambda: asyncio.sleep(0, result=len(attempts) >= 3))
        assert await committed(kafka_bootstrap, group, topic) is None, (
            "nothing may be committed while retrying"
        )
        may_succeed.set()
        assert await eventually(lambda: _equals(committed(kafka_bootstrap, group, topic), 1))
        assert len(attempts) >= 4
    finally:
        await runner.stop()
        await task


async def _equals(value: Any, expected: Any) -> bool:
    return (await value) == expected


async def test_a_poison_record_goes_to_the_dlq_after_its_tries_and_the_partition_goes_on(
    kafka_bootstrap: str, publisher: KafkaPublisher
) -> None:
    topic = await fresh_topic(kafka_bootstrap)
    poison, good = created("KGA-2026-000003"), created("KGA-2026-000004")
    await publisher.publish(topic, poison, key="same-partition")
    await publisher.publish(topic, good, key="same-partition")
    tries: list[str] = []
    handled: list[str] = []

    async def handler(event: Event[Any]) -> None:
        tries.append(event.data.case_ref)
        if event.event_id == poison.event_id:
            raise ZeroDivisionError("division by zero")
        handled.append(event.data.case_ref)

    group = f"g-{uuid.uuid4().hex[:6]}"
    runner = ConsumerRunner(
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        topics=[topic],
        handler=handler,
        dead_letters=publisher,
        retry_initial_seconds=0.01,
        max_attempts=3,
    )
    task = await run(runner)
    try:
        assert await eventually(lambda: _equals(committed(kafka_bootstrap, group, topic), 2))
        assert handled == ["KGA-2026-000004"]
        assert tries.count("KGA-2026-000003") == 3
        [dead] = await read_all(kafka_bootstrap, topics.dlq(topic), 1)
        assert dead.key == b"same-partition"
        assert decode_event(dead.value).event_id == poison.event_id
        headers = dict(dead.headers)
        assert headers["lotsen-error"] == b"ZeroDivisionError: division by zero"
        assert headers["lotsen-source-offset"] == b"0"
        assert dead_lettered(group, topic) == 1
    finally:
        await runner.stop()
        await task


async def test_a_poison_record_in_a_batch_does_not_take_the_polls_good_records_with_it(
    kafka_bootstrap: str, publisher: KafkaPublisher
) -> None:
    topic = await fresh_topic(kafka_bootstrap)
    events = [created(f"KGA-2026-0001{n:02d}") for n in range(9)]
    poison = events[4]
    for event in events:
        await publisher.publish(topic, event, key="same-partition")
    handled: list[str] = []

    async def batch_handler(batch: Sequence[Event[Any]]) -> None:
        if any(event.event_id == poison.event_id for event in batch):
            raise ValueError("not enough values to unpack (expected 2, got 3)")
        handled.extend(event.data.case_ref for event in batch)

    group = f"g-{uuid.uuid4().hex[:6]}"
    runner = BatchConsumerRunner(
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        topics=[topic],
        handler=batch_handler,
        dead_letters=publisher,
        retry_initial_seconds=0.01,
    )
    await runner.start()
    await asyncio.wait_for(runner.run(until_caught_up=True), timeout=60)
    assert sorted(handled) == sorted(e.data.case_ref for e in events if e is not poison)
    assert runner.handled == 8
    [dead] = await read_all(kafka_bootstrap, topics.dlq(topic), 1)
    assert decode_event(dead.value).event_id == poison.event_id
    assert dict(dead.headers)["lotsen-error"].startswith(b"ValueError: not enough values")
    assert await committed(kafka_bootstrap, group, topic) == 9
    assert dead_lettered(group, topic) == 1


async def test_an_event_larger_than_kafka_takes_is_refused_for_good(publisher: KafkaPublisher) -> None:
    with pytest.raises(PublishRefused, match="for good"):
        await publisher.publish_raw(topics.CONTACTS_ROUTED, b"x" * (2 * 1024 * 1024), key=b"k")


def dead_lettered(group: str, topic: str) -> float:
    return (
        REGISTRY.get_sample_value(
            "lotsen_consumer_records_total", {"group": group, "topic": topic, "outcome": "dead_lettered"}
        )
        or 0.0
    )


async def test_a_dead_letter_topic_is_replayed_once_the_cause_is_fixed(
    kafka_bootstrap: str, publisher: KafkaPublisher
) -> None:
    topic = await fresh_topic(kafka_bootstrap)
    parked = created("KGA-2026-000201")
    await publisher.publish(topic, parked, key="KGA-2026-000201")
    fixed = asyncio.Event()
    handled: list[str] = []

    async def handler(event: Event[Any]) -> None:
        if not fixed.is_set():
            raise LookupError("no answer group 'bygg' in the directory")
        handled.append(event.data.case_ref)

    group = f"g-{uuid.uuid4().hex[:6]}"
    runner = ConsumerRunner(
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        topics=[topic],
        handler=handler,
        dead_letters=publisher,
        dedupe=MemoryDeduplicator(),
        retry_initial_seconds=0.01,
    )
    task = await run(runner)
    try:
        assert await eventually(lambda: _equals(committed(kafka_bootstrap, group, topic), 1))
        assert handled == []
        listed = await replay(kafka_bootstrap, topics.dlq(topic), dry_run=True)
        assert [(r.event_id, r.source_topic) for r in listed] == [(str(parked.event_id), topic)]
        assert listed[0].error == "LookupError: no answer group 'bygg' in the directory"

        fixed.set()  # the directory is corrected
        assert len(await replay(kafka_bootstrap, topics.dlq(topic))) == 1
        await eventually(lambda: asyncio.sleep(0, result=handled == ["KGA-2026-000201"]))
        assert await replay(kafka_bootstrap, topics.dlq(topic)) == [], (
            "a replayed record is not replayed again"
        )
    finally:
        await runner.stop()
        await task


async def test_a_services_consumer_keeps_handled_event_ids_for_the_configured_days(
    kafka_bootstrap: str, publisher: KafkaPublisher, mongo_db: Any
) -> None:
    settings = ServiceSettings(
        env="dev", kafka_bootstrap_servers=kafka_bootstrap, processed_events_ttl_days=21
    )
    runtime = Runtime(settings=settings, db=mongo_db, publisher=publisher, directory=directory_from())
    topic = await fresh_topic(kafka_bootstrap)

    async def handler(event: Event[Any]) -> None:
        pass

    await runtime.consume("ttl-check", [topic], handler)
    try:
        indexes = await mongo_db["processed_events.lotsen-ttl-check"].index_information()
        assert [i["expireAfterSeconds"] for i in indexes.values() if "expireAfterSeconds" in i] == [
            21 * 86400
        ]
    finally:
        await runtime.stop_consumers()


async def test_a_case_waiting_on_the_database_does_not_hold_up_other_cases_in_its_partition(
    kafka_bootstrap: str, publisher: KafkaPublisher
) -> None:
    """One partition, two cases: the first case's events wait until the second case was handled, so
    the second case must not queue behind the first; each case's events still come in order."""
    topic = await fresh_topic(kafka_bootstrap)
    slow = [created("KGA-2026-000301"), created("KGA-2026-000301")]
    quick = created("KGA-2026-000302")
    for event in [*slow, quick]:
        await publisher.publish(topic, event, key=event.data.case_ref)
    quick_handled = asyncio.Event()
    handled: list[str] = []

    async def handler(event: Event[Any]) -> None:
        if event.event_id == slow[0].event_id:
            await quick_handled.wait()
        handled.append(str(event.event_id))
        if event.event_id == quick.event_id:
            quick_handled.set()

    group = f"g-{uuid.uuid4().hex[:6]}"
    runner = ConsumerRunner(
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        topics=[topic],
        handler=handler,
        dead_letters=publisher,
        dedupe=MemoryDeduplicator(),
    )
    task = await run(runner)
    try:
        assert await eventually(lambda: _equals(committed(kafka_bootstrap, group, topic), 3))
        assert handled == [str(quick.event_id), str(slow[0].event_id), str(slow[1].event_id)]
    finally:
        await runner.stop()
        await task


async def test_an_outage_on_one_case_commits_nothing_past_it_and_the_other_case_is_handled_once(
    kafka_bootstrap: str, publisher: KafkaPublisher
) -> None:
    topic = await fresh_topic(kafka_bootstrap)
    waiting, other = created("KGA-2026-000311"), created("KGA-2026-000312")
    await publisher.publish(topic, waiting, key=waiting.data.case_ref)
    await publisher.publish(topic, other, key=other.data.case_ref)
    database_back = asyncio.Event()
    handled: list[str] = []

    async def handler(event: Event[Any]) -> None:
        if event.event_id == waiting.event_id and not database_back.is_set():
            raise RetryLater("the database is restarting")
        handled.append(event.data.case_ref)

    group = f"g-{uuid.uuid4().hex[:6]}"
    runner = ConsumerRunner(
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        topics=[topic],
        handler=handler,
        dead_letters=publisher,
        dedupe=MemoryDeduplicator(),
        retry_initial_seconds=0.05,
    )
    task = await run(runner)
    try:
        await eventually(lambda: asyncio.sleep(0, result=handled == ["KGA-2026-000312"]))
        assert await committed(kafka_bootstrap, group, topic) is None, (
            "the record that waits for the database is not committed past"
        )
        database_back.set()
        assert await eventually(lambda: _equals(committed(kafka_bootstrap, group, topic), 2))
        assert handled == ["KGA-2026-000312", "KGA-2026-000311"], "the other case is not handled twice"
    finally:
        await runner.stop()
        await task


async def test_records_handled_before_a_rebalance_are_committed_and_not_handled_again_by_the_new_owner(
    kafka_bootstrap: str, publisher: KafkaPublisher
) -> None:
    """With commits coalesced (a minute apart here), a member that loses a partition to a newcomer
    commits what it handled first: no record is handled twice, even without an event-id store."""
    topic = f"test.{uuid.uuid4().hex[:10]}"
    await create_topics(kafka_bootstrap, partitions=2, names=(topic, topics.dlq(topic)))
    group = f"g-{uuid.uuid4().hex[:6]}"
    handled: dict[str, list[str]] = {"first": [], "second": []}

    def member(name: str) -> ConsumerRunner:
        async def handler(event: Event[Any]) -> None:
            handled[name].append(str(event.event_id))

        return ConsumerRunner(
            bootstrap_servers=kafka_bootstrap,
            group_id=group,
            topics=[topic],
            handler=handler,
            dead_letters=publisher,
            commit_interval_ms=60_000,
        )

    async def publish(count: int) -> None:
        for n in range(count):
            ref = f"KGA-2026-{n:06d}"  # keys on both partitions
            await publisher.publish(topic, created(ref), key=ref)

    first, second = member("first"), member("second")
    first_task = await run(first)
    tasks = [first_task]
    try:
        await publish(10)
        await eventually(lambda: asyncio.sleep(0, result=len(handled["first"]) == 10))
        await publish(10)  # handled within the minute: not yet committed
        await eventually(lambda: asyncio.sleep(0, result=len(handled["first"]) == 20))

        tasks.append(await run(second))  # the group rebalances: the first member gives up a partition

        async def both_own_a_partition() -> bool:
            return len(first._consumer.assignment()) == 1 and len(second._consumer.assignment()) == 1

        assert await eventually(both_own_a_partition, timeout=60)
        await publish(10)
        every = lambda: [*handled["first"], *handled["second"]]  # noqa: E731
        assert await eventually(lambda: asyncio.sleep(0, result=len(every()) >= 30))
        await asyncio.sleep(0.5)  # anything handled twice would show now
        assert len(every()) == len(set(every())) == 30
        assert handled["second"], "the newcomer owns a partition and handled its records"
    finally:
        await first.stop()
        await second.stop()
        await asyncio.gather(*tasks)
