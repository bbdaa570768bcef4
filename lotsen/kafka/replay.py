"""Replaying a dead-letter topic once the cause is fixed: ``python -m lotsen.kafka.replay <topic>.dlq``.

Each record of ``<topic>.dlq`` is published again, with its key and its original headers (trace
context), to the topic named in its ``lotsen-source-topic`` header; a record parked without its
value (``lotsen-value-omitted``) is read back from its source offset first. The consumers take it
as any other record: a group that had handled it already skips it by its event id.

The replay reads as consumer group ``lotsen-replay-<dlq topic>`` and commits what it replayed, so a
second run replays only what was dead-lettered since. ``--event-id`` replays only the named events
and commits nothing (the others stay for a later replay); ``--dry-run`` only lists.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from lotsen.kafka.publisher import KafkaPublisher

REPLAY_GROUP = "lotsen-replay"


@dataclass(frozen=True)
class Replayed:
    source_topic: str
    event_id: str | None
    error: str


async def replay(
    bootstrap_servers: str,
    dlq_topic: str,
    *,
    event_ids: frozenset[str] = frozenset(),
    dry_run: bool = False,
    idle_polls: int = 3,
) -> list[Replayed]:
    """Publish the records of ``dlq_topic`` to their source topics; return what was (or would be) sent."""
    reader = AIOKafkaConsumer(
        dlq_topic,
        bootstrap_servers=bootstrap_servers,
        group_id=f"{REPLAY_GROUP}-{dlq_topic}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    publisher = KafkaPublisher(bootstrap_servers, client_id=REPLAY_GROUP)
    await reader.start()
    await publisher.start()
    replayed: list[Replayed] = []
    try:
        empty = 0
        while empty < idle_polls:
            batches = await reader.getmany(timeout_ms=1000)
            empty = 0 if batches else empty + 1
            for messages in batches.values():
                for message in messages:
                    done = await _replay_one(message, bootstrap_servers, publisher, event_ids, dry_run)
                    if done is not None:
                        replayed.append(done)
            if batches and not dry_run and not event_ids:
                await reader.commit({tp: messages[-1].offset + 1 for tp, messages in batches.items()})
    finally:
        await reader.stop()
        await publisher.stop()
    return replayed


async def _replay_one(
    message: Any, bootstrap_servers: str, publisher: KafkaPublisher, event_ids: frozenset[str], dry_run: bool
) -> Replayed | None:
    headers = {name: value.decode("utf-8", "replace") for name, value in message.headers or []}
    event_id = headers.get("lotsen-event-id")
    if event_ids and event_id not in event_ids:
        return None
    source = headers["lotsen-source-topic"]
    done = Replayed(source, event_id, headers.get("lotsen-error", ""))
    if dry_run:
        return done
    value = message.value or b""
    if "lotsen-value-omitted" in headers:
        value = await _original(
            bootstrap_servers,
            source,
            int(headers["lotsen-source-partition"]),
            int(headers["lotsen-source-offset"]),
        )
    original = [(name, value) for name, value in message.headers or [] if not name.startswith("lotsen-")]
    await publisher.publish_raw(source, value, key=message.key, headers=original)
    return done


async def _original(bootstrap_servers: str, topic: str, partition: int, offset: int) -> bytes:
    """The record at ``offset``, read from its source topic (while the topic's retention keeps it)."""
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await reader.start()
    try:
        tp = TopicPartition(topic, partition)
        reader.assign([tp])
        reader.seek(tp, offset)
        message = await asyncio.wait_for(reader.getone(tp), timeout=30)
        if message.offset != offset:
            raise LookupError(f"{topic}[{partition}]@{offset} is no longer kept by Kafka (retention)")
        return message.value or b""
    finally:
        await reader.stop()


def main() -> None:  # pragma: no cover - a command for operators
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dlq_topic", help="e.g. contacts.received.dlq")
    parser.add_argument("--event-id", action="append", default=[], help="replay only this event (repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="list what would be replayed, send nothing")
    args = parser.parse_args()
    if not args.dlq_topic.endswith(".dlq"):
        parser.error("name a dead-letter topic, ending in .dlq")
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    done = asyncio.run(
        replay(bootstrap, args.dlq_topic, event_ids=frozenset(args.event_id), dry_run=args.dry_run)
    )
    verb = "would replay" if args.dry_run else "replayed"
    for item in done:
        print(f"{verb} {item.event_id} to {item.source_topic}: {item.error}")
    print(f"{len(done)} record(s) {'to replay' if args.dry_run else 'replayed'} from {args.dlq_topic}")


if __name__ == "__main__":  # pragma: no cover
    main()
