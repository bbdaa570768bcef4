"""``python -m services.stats.rebuild``: every aggregate again, from the topics' first record.

Reads ``calls.events``, ``cases.events`` and ``outbound.results`` from the beginning with a fresh
consumer group (``lotsen-stats-rebuild-<time>``) through the same handler as the live service, into
an empty database (``--database``, default ``STATS_DATABASE``; ``--drop`` empties it first), then
re-aggregates every day and month and exits. Because the live path and the rebuild share the
handler and the state is order-independent, the figures are the same as the live ones.

"Caught up" is decided by the consumer, not by ``end_offsets`` (which Tansu answers wrongly, DESIGN
§2): every partition's position has reached the high watermark of its last fetch response and a
further poll came back empty (:class:`lotsen.kafka.batches.BatchConsumerRunner`).

The targets per organisation (collection ``targets``) are settings, not events: ``--drop`` keeps
them, and a rebuild into another ``--database`` copies them from ``STATS_DATABASE``.

To switch over without a gap, start stats on the rebuilt database with the rebuild's consumer
group, so it continues where the rebuild stopped: ``STATS_DATABASE=<database>
STATS_CONSUMER_GROUP=<group printed at the end, without "lotsen-">``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lotsen import mongo
from lotsen.errors import DomainError
from lotsen.kafka.batches import BatchConsumerRunner
from lotsen.kafka.tracing import Headers
from services.stats.aggregates import Aggregator
from services.stats.handlers import STATS_TOPICS, make_batch_handler
from services.stats.repository import StatsRepository
from services.stats.settings import StatsSettings
from services.stats.targets.repository import copy_targets


class RebuildRefused(DomainError):
    status = 409
    code = "rebuild_refused"


class CountDeadLetters:
    """Undecodable records were dead-lettered by the live consumer already; the rebuild counts them."""

    def __init__(self) -> None:
        self.count = 0

    async def publish_raw(
        self, topic: str, value: bytes, *, key: bytes | None, headers: Headers | None = None
    ) -> None:
        self.count += 1


@dataclass(frozen=True)
class Rebuilt:
    group: str
    events: int
    undecodable: int
    aggregates: int
    seconds: float


async def rebuild(
    settings: StatsSettings, db: Any, *, drop: bool = False, group: str | None = None
) -> Rebuilt:
    started = time.perf_counter()
    stats = StatsRepository(db)
    if drop:
        await stats.drop_all()
    elif not await stats.is_empty():
        raise RebuildRefused("the stats database is not empty; rebuild into another --database, or --drop it")
    await stats.ensure_indexes()
    group = group or f"stats-rebuild-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    dead = CountDeadLetters()
    runner = BatchConsumerRunner(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"lotsen-{group}",
        topics=list(STATS_TOPICS),
        handler=make_batch_handler(stats=stats, settings=settings),
        dead_letters=dead,
        max_records=settings.batch_size,
    )
    await runner.start()
    await runner.run(until_caught_up=True)
    aggregates = await Aggregator(stats, settings).flush()
    return Rebuilt(group, runner.handled, dead.count, aggregates, time.perf_counter() - started)


async def main(args: argparse.Namespace) -> int:
    settings = StatsSettings()
    client = mongo.connect(settings.mongodb_url)
    try:
        result = await rebuild(settings, client[args.database or settings.database], drop=args.drop)
        if args.database and args.database != settings.database:  # targets are settings: bring them along
            await copy_targets(client[settings.database], client[args.database])
    except RebuildRefused as exc:
        print(f"refused: {exc.message}", file=sys.stderr)
        return 2
    finally:
        await mongo.close(client)
    print(
        f"rebuilt {args.database or settings.database} from {result.events} events "
        f"({result.undecodable} undecodable) into {result.aggregates} aggregates in {result.seconds:.1f} s; "
        f"consumer group lotsen-{result.group}"
    )
    return 0


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.stats.rebuild", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database", help="the database to rebuild into (default: STATS_DATABASE)")
    parser.add_argument("--drop", action="store_true", help="empty that database first")
    return asyncio.run(main(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(cli())
