"""The consumer runner against a real broker: dead letters, retries and commits."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from lotsen.contracts import CaseCreated, Event, topics
from lotsen.contracts.cases import CaseCreatedData
from lotsen.kafka.broker import create_topics
from lotsen.kafka.consumer import ConsumerRunner
from lotsen.kafka.processing import MemoryDeduplicator, RetryLater
from lotsen.kafka.publisher import KafkaPublisher
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
