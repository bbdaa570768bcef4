"""A consumer group commits what it handled at most every ``commit_interval_ms``: never ahead of
what was handled, always before its partitions are taken away and before it stops."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import TopicPartition

from lotsen.contracts import topics
from lotsen.contracts.envelope import Event, encode_event
from lotsen.kafka import consumer as consumer_module
from lotsen.kafka.consumer import CommitBeforeRevocation, ConsumerRunner
from lotsen.kafka.memory import InMemoryBus
from tests.unit.test_consumer_rebalance import Message
from tests.unit.test_processing import created

TP = TopicPartition(topics.CASES_EVENTS, 0)


class ScriptedConsumer:
    """Answers the runner's polls from a script; an empty poll once the script is read."""

    def __init__(self, polls: list[list[Message]], on_poll: Any = None) -> None:
        self.polls = polls
        self.on_poll = on_poll
        self.commits: list[dict[TopicPartition, int]] = []
        self.stopped_after: int | None = None

    async def getmany(self, *, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[Message]]:
        if self.on_poll is not None:
            await self.on_poll(self)
        if self.polls:
            return {TP: self.polls.pop(0)}
        await asyncio.sleep(0)
        return {}

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(dict(offsets))

    def assignment(self) -> set[TopicPartition]:
        return set()

    async def stop(self) -> None:
        self.stopped_after = len(self.commits)


def records(first: int, count: int) -> list[Message]:
    return [
        Message(TP.topic, 0, offset, b"KGA-2026-000001", encode_event(created("KGA-2026-000001")))
        for offset in range(first, first + count)
    ]


def runner_with(consumer: ScriptedConsumer, *, interval_ms: int, handled: list[Event[Any]]) -> ConsumerRunner:
    async def handler(event: Event[Any]) -> None:
        handled.append(event)

    runner = ConsumerRunner(
        bootstrap_servers="127.0.0.1:9",
        group_id="lotsen-test",
        topics=[TP.topic],
        handler=handler,
        dead_letters=InMemoryBus(),
        commit_interval_ms=interval_ms,
    )
    runner._consumer = consumer  # type: ignore[assignment]
    return runner


async def test_polls_within_the_interval_share_one_commit_and_the_rest_is_committed_at_the_stop() -> None:
    handled: list[Event[Any]] = []

    async def stop_when_read(consumer: ScriptedConsumer) -> None:
        if not consumer.polls:
            await runner.stop()

    consumer = ScriptedConsumer([records(0, 2), records(2, 3), records(5, 1)], on_poll=stop_when_read)
    runner = runner_with(consumer, interval_ms=60_000, handled=handled)
    await runner.run()

    assert len(handled) == 6
    # the first poll commits (no commit for a minute before it); the next two wait, and go at the stop,
    # before the consumer leaves the group
    assert consumer.commits == [{TP: 2}, {TP: 6}]
    assert consumer.stopped_after == 2


async def test_without_an_interval_every_poll_commits() -> None:
    handled: list[Event[Any]] = []

    async def stop_when_read(consumer: ScriptedConsumer) -> None:
        if not consumer.polls:
            await runner.stop()

    consumer = ScriptedConsumer([records(0, 2), records(2, 3)], on_poll=stop_when_read)
    runner = runner_with(consumer, interval_ms=0, handled=handled)
    await runner.run()

    assert consumer.commits == [{TP: 2}, {TP: 5}]


async def test_what_was_handled_is_committed_before_the_partitions_go_to_another_member() -> None:
    handled: list[Event[Any]] = []
    consumer = ScriptedConsumer([])
    runner = runner_with(consumer, interval_ms=60_000, handled=handled)
    await runner._handle_poll({TP: records(0, 3)})
    await runner._handle_poll({TP: records(3, 2)})
    assert consumer.commits == [{TP: 3}]

    await CommitBeforeRevocation(runner).on_partitions_revoked({TP})

    assert consumer.commits == [{TP: 3}, {TP: 5}]


async def test_an_idle_group_commits_once_the_interval_has_passed() -> None:
    handled: list[Event[Any]] = []
    polls = 0

    async def count_and_stop(consumer: ScriptedConsumer) -> None:
        nonlocal polls
        polls += 1
        if polls == 3:
            await asyncio.sleep(0.06)  # the interval passes while the group is idle
        if polls == 4:
            await runner.stop()

    consumer = ScriptedConsumer([records(0, 1), records(1, 1)], on_poll=count_and_stop)
    runner = runner_with(consumer, interval_ms=50, handled=handled)
    await runner.run()

    assert consumer.commits == [{TP: 1}, {TP: 2}]
    assert consumer.stopped_after == 2  # committed by the idle poll, nothing left for the stop


async def test_a_stop_while_the_broker_is_away_gives_up_the_last_commit_and_leaves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handled: list[Event[Any]] = []

    class AwayConsumer(ScriptedConsumer):
        async def commit(self, offsets: dict[TopicPartition, int]) -> None:
            await asyncio.Event().wait()  # as aiokafka retrying while the broker does not answer

    async def stop_when_read(consumer: ScriptedConsumer) -> None:
        if not consumer.polls:
            await runner.stop()

    monkeypatch.setattr(consumer_module, "PARTING_COMMIT_SECONDS", 0.05)
    consumer = AwayConsumer([records(0, 2)], on_poll=stop_when_read)
    runner = runner_with(consumer, interval_ms=60_000, handled=handled)
    runner._last_commit = asyncio.get_running_loop().time()  # the first poll's commit waits, too
    await runner.run()

    assert len(handled) == 2
    assert consumer.stopped_after == 0  # left the group without the commit
