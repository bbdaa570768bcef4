"""The embedded broker on s3:// storage: a SIGKILL loses neither records nor committed offsets."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from lotsen.kafka.broker import create_topics
from tests.chaos.stores import DurableBroker, MissingTool, S3Storage

pytestmark = pytest.mark.integration

TOPIC = "chaos.durability"


async def read(bootstrap: str, count: int) -> list[bytes]:
    """Up to ``count`` records as group ``chaos``, committing what was read."""
    consumer = AIOKafkaConsumer(
        TOPIC,
        bootstrap_servers=bootstrap,
        group_id="chaos",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    values: list[bytes] = []
    try:
        for _ in range(100):
            batches = await consumer.getmany(timeout_ms=300, max_records=count - len(values))
            values += [m.value for records in batches.values() for m in records if m.value is not None]
            if len(values) >= count:
                break
        await consumer.commit()
    finally:
        await consumer.stop()
    return values


async def test_a_killed_broker_comes_back_with_its_records_and_the_groups_offsets(tmp_path: Path) -> None:
    try:
        storage = S3Storage(tmp_path)
    except MissingTool as missing:
        pytest.skip(str(missing))
    broker = DurableBroker(storage, tmp_path / "broker.log")
    await storage.ready()
    try:
        await broker.start()
        await create_topics(broker.bootstrap_servers, partitions=1, names=(TOPIC,))
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
        await producer.start()
        try:
            for n in range(10):
                await producer.send_and_wait(TOPIC, f"contact {n}".encode())
        finally:
            await producer.stop()
        first = await read(broker.bootstrap_servers, 4)

        await broker.kill()
        await broker.restart()

        rest = await read(broker.bootstrap_servers, 10)
    finally:
        await broker.stop()
        storage.stop()
    assert first == [f"contact {n}".encode() for n in range(4)]
    assert rest == [f"contact {n}".encode() for n in range(4, 10)]
