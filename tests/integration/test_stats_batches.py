"""The batch consumer runner stats uses, against a real broker: dead letters, retries, "caught up"."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

import pytest

from lotsen.contracts import topics
from lotsen.contracts.envelope import Event
from lotsen.kafka.batches import BatchConsumerRunner
from lotsen.kafka.processing import RetryLater
from lotsen.kafka.publisher import KafkaPublisher
from tests.helpers import eventually
from tests.integration.test_consumer_runner import committed, created, fresh_topic, read_all

pytestmark = pytest.mark.integration


@pytest.fixture
async def publisher(kafka_bootstrap: str) -> Any:
    pub = KafkaPublisher(kafka_bootstrap, client_id="test-batches")
    await pub.start()
    yield pub
    await pub.stop()


def runner_for(
    bootstrap: str, topic: str, handler: Any, dead_letters: Any, **options: Any
) -> BatchConsumerRunner:
    return BatchConsumerRunner(
        bootstrap_servers=bootstrap,
        group_id=f"g-{uuid.uuid4().hex[:6]}",
        topics=[topic],
        handler=handler,
        dead_letters=dead_letters,
        **options,
    )


async def test_a_poll_is_handled_at_once_and_poison_is_dead_lettered(
    kafka_bootstrap: str, publisher: KafkaPublisher
) -> None:
    topic = await fresh_topic(kafka_bootstrap)
    good = [created(f"KGA-2026-{n:06d}") for n in range(5)]
    await publisher.publish_raw(topic, b"not an event", key=b"poison")
    for event in good:
        await publisher.publish(topic, event, key=event.data.case_ref)
    polls: list[list[Event[Any]]] = []

    async def handler(events: Sequence[Event[Any]]) -> None:
        polls.append(list(events))

    runner = runner_for(kafka_bootstrap, topic, handler, publisher)
    await runner.start()
    await asyncio.wait_for(runner.run(until_caught_up=True), timeout=60)
    assert [e.event_id for poll in polls for e in poll] == [e.event_id for e in good]
    assert runner.handled == 5
    [dead] = await read_all(kafka_bootstrap, topics.dlq(topic), 1)
    assert dead.value == b"not an event"
    assert await committed(kafka_bootstrap, runner.group_id, topic) == 6


async def test_retry_later_hands_the_same_poll_again_and_commits_after(
    kafka_bootstrap: str, publisher: KafkaPublisher
) -> None:
    topic = await fresh_topic(kafka_bootstrap)
    await publisher.publish(topic, created("KGA-2026-000009"), key="KGA-2026-000009")
    attempts = 0

    async def flaky(events: Sequence[Event[Any]]) -> None:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise RetryLater("the database is restarting")

    runner = runner_for(kafka_bootstrap, topic, flaky, publisher, retry_initial_seconds=0.05)
    await runner.start()
    task = asyncio.create_task(runner.run())
    try:
        await eventually(lambda: asyncio.sleep(0, result=runner.handled == 1))
        assert attempts == 3
        assert await eventually(lambda: _equals(committed(kafka_bootstrap, runner.group_id, topic), 1))
    finally:
        await runner.stop()
        await task


async def test_an_empty_topic_is_caught_up_at_once(kafka_bootstrap: str, publisher: KafkaPublisher) -> None:
    topic = await fresh_topic(kafka_bootstrap)

    async def nothing(events: Sequence[Event[Any]]) -> None:
        raise AssertionError("no events expected")

    runner = runner_for(kafka_bootstrap, topic, nothing, publisher, idle_polls=5)
    await runner.start()
    await asyncio.wait_for(runner.run(until_caught_up=True), timeout=30)
    assert runner.handled == 0


async def _equals(value: Any, expected: Any) -> bool:
    return (await value) == expected
