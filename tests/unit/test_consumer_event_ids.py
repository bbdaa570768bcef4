"""The consumer runner looks a poll's event ids up together and remembers them together, before it
commits every partition of the poll in one request; what the event-id store knows is skipped, and a
repeat within the poll too."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from aiokafka import TopicPartition
from pymongo.errors import AutoReconnect

from lotsen.contracts import topics
from lotsen.contracts.envelope import Event, encode_event
from lotsen.kafka.consumer import ConsumerRunner
from lotsen.kafka.memory import InMemoryBus
from lotsen.kafka.processing import MemoryDeduplicator
from tests.unit.test_consumer_rebalance import Message
from tests.unit.test_processing import created

TP = TopicPartition(topics.CASES_EVENTS, 0)


class Consumer:
    """The part of AIOKafkaConsumer the runner uses when nothing goes wrong with Kafka."""

    def __init__(self) -> None:
        self.commits: list[int] = []
        self.requests: list[dict[TopicPartition, int]] = []
        self.seeks: list[int] = []

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.requests.append(dict(offsets))
        if TP in offsets:
            self.commits.append(offsets[TP])

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.seeks.append(offset)


class CountingStore(MemoryDeduplicator):
    def __init__(self, *, away: bool = False) -> None:
        super().__init__()
        self.calls: list[str] = []
        self.away = away

    async def seen(self, event_id: str) -> bool:
        self.calls.append("seen")
        return await super().seen(event_id)

    async def remember(self, event_id: str) -> None:
        self.calls.append("remember")
        await super().remember(event_id)

    async def seen_among(self, event_ids: Collection[str]) -> set[str]:
        self.calls.append("seen_among")
        return await super().seen_among(event_ids)

    async def remember_all(self, event_ids: Collection[str]) -> None:
        self.calls.append("remember_all")
        if self.away:
            raise AutoReconnect("the database is restarting")
        await super().remember_all(event_ids)


def runner_with(store: CountingStore, handled: list[str]) -> tuple[ConsumerRunner, Consumer]:
    async def handler(event: Event[Any]) -> None:
        handled.append(event.data.case_ref)

    runner = ConsumerRunner(
        bootstrap_servers="127.0.0.1:9",
        group_id="lotsen-test",
        topics=[TP.topic],
        handler=handler,
        dead_letters=InMemoryBus(),
        dedupe=store,
        retry_initial_seconds=0.01,
    )
    consumer = Consumer()
    runner._consumer = consumer  # type: ignore[assignment]
    return runner, consumer


def batch(*events: Event[Any]) -> list[Message]:
    return [
        Message(TP.topic, 0, offset, event.data.case_ref.encode(), encode_event(event))
        for offset, event in enumerate(events)
    ]


async def test_a_batch_costs_one_look_up_and_one_write_and_skips_what_was_handled_before() -> None:
    before, new, other = created("KGA-2026-000001"), created("KGA-2026-000002"), created("KGA-2026-000003")
    store = CountingStore()
    await store.remember(str(before.event_id))
    store.calls.clear()
    handled: list[str] = []
    runner, consumer = runner_with(store, handled)

    await runner._handle_poll({TP: batch(before, new, new, other)})  # new: delivered twice

    assert sorted(handled) == ["KGA-2026-000002", "KGA-2026-000003"]
    assert store.calls == ["seen_among", "remember_all"]
    assert await store.seen_among([str(new.event_id), str(other.event_id)]) == {
        str(new.event_id),
        str(other.event_id),
    }
    assert consumer.commits == [4]


async def test_when_the_store_cannot_remember_the_batch_nothing_is_committed_and_it_is_read_again() -> None:
    first, second = created("KGA-2026-000011"), created("KGA-2026-000012")
    store = CountingStore(away=True)
    handled: list[str] = []
    runner, consumer = runner_with(store, handled)

    await runner._handle_poll({TP: batch(first, second)})

    assert sorted(handled) == ["KGA-2026-000011", "KGA-2026-000012"]
    assert consumer.commits == [] and consumer.seeks == [0]
    store.away = False
    await runner._handle_poll({TP: batch(first, second)})  # the redelivery: handled again, at least once
    assert consumer.commits == [2]
    assert await store.seen_among([str(first.event_id), str(second.event_id)]) == {
        str(first.event_id),
        str(second.event_id),
    }


async def test_a_poll_of_several_partitions_costs_one_look_up_one_write_and_one_commit() -> None:
    other_tp = TopicPartition(TP.topic, 1)
    first, second, third = (created(f"KGA-2026-00002{n}") for n in range(3))
    store = CountingStore()
    handled: list[str] = []
    runner, consumer = runner_with(store, handled)
    on_other = [
        Message(other_tp.topic, 1, offset, event.data.case_ref.encode(), encode_event(event))
        for offset, event in enumerate([second, third])
    ]

    await runner._handle_poll({TP: batch(first), other_tp: on_other})

    assert sorted(handled) == ["KGA-2026-000020", "KGA-2026-000021", "KGA-2026-000022"]
    assert store.calls == ["seen_among", "remember_all"]
    assert consumer.requests == [{TP: 1, other_tp: 2}]
