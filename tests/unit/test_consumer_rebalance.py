"""A commit refused because the group rebalanced is no reason to stop: the new owner reads on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import CommitFailedError, UnknownMemberIdError

from lotsen.contracts import topics
from lotsen.contracts.envelope import Event, encode_event
from lotsen.kafka.consumer import ConsumerRunner
from lotsen.kafka.memory import InMemoryBus
from tests.unit.test_processing import created


@dataclass
class Message:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]] = field(default_factory=list)


class RebalancedConsumer:
    """The part of AIOKafkaConsumer the runner uses, whose group moved on under it."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.commits = 0

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits += 1
        raise self.error

    def seek(self, tp: TopicPartition, offset: int) -> None:
        raise AssertionError("nothing failed: no record is read again by this member")


@pytest.mark.parametrize(
    "error",
    [CommitFailedError("the group has already rebalanced"), UnknownMemberIdError()],
    ids=["commit failed", "unknown member"],
)
async def test_records_handled_before_a_rebalance_do_not_stop_the_runner(error: Exception) -> None:
    handled: list[Event[Any]] = []

    async def handler(event: Event[Any]) -> None:
        handled.append(event)

    runner = ConsumerRunner(
        bootstrap_servers="127.0.0.1:9",
        group_id="routing",
        topics=[topics.CASES_EVENTS],
        handler=handler,
        dead_letters=InMemoryBus(),
    )
    consumer = RebalancedConsumer(error)
    runner._consumer = consumer  # type: ignore[assignment]
    tp = TopicPartition(topics.CASES_EVENTS, 0)
    messages = [
        Message(tp.topic, 0, offset, b"k", encode_event(created(f"KGA-2026-00000{offset + 1}")))
        for offset in range(3)
    ]

    await runner._handle_poll({tp: messages})  # raised before: the process exited and restarted

    assert len(handled) == 3 and consumer.commits == 1
