"""``python -m bench.stats`` (part of ``make bench``): stats' ingestion rate and tertial-report latency.

Measured:

- **ingestion through the handler path** (decode → fold → per-entity state → dirty days, in polls of
  ``STATS_BATCH_SIZE`` records, as the consumer hands them over), on the MongoDB stand-in, on a
  busy day's stream; and the same handler with the state kept in a Python dict ("logic only": what
  the service's own code costs per event, without any database). The re-aggregation of the touched
  days is timed apart;
- **ingestion through Kafka**: the same stream published to the embedded broker, consumed by the
  batch consumer runner with the stats handler until caught up;
- **the tertial report** (``GET /v1/stats/report?period=2026-T1``, JSON and CSV, all organisations
  and one) over pre-aggregates representing 1M cases and 3M call events, plus two figures read from
  day aggregates (weekly answer rate, e-mail per department over the tertial). The aggregate
  documents are written directly (``bench.stats_data``); their content is what ingesting such a
  tertial produces.

``MONGODB_URL`` picks the store (the stand-in unless set); the Kafka part starts its own embedded
broker. Results go to the stats section of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
import time
import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx

from bench.report import percentile, report
from bench.stats_data import stream, tertial_aggregates
from bench.stats_report import NAME, Ingestion, Latency, Result, render, summary
from lotsen import mongo
from lotsen.auth import issue_token
from lotsen.contracts.envelope import decode_event
from lotsen.kafka.batches import BatchConsumerRunner
from lotsen.kafka.broker import EmbeddedBroker
from lotsen.kafka.memory import InMemoryBus
from lotsen.kafka.publisher import KafkaPublisher
from services.stats.aggregates import Aggregator
from services.stats.app import create_app
from services.stats.handlers import STATS_TOPICS, Ingest
from services.stats.repository import Mark, StateWrite, StatsRepository
from services.stats.settings import StatsSettings
from services.stats.updates import Kind

Records = list[tuple[str, bytes, bytes]]


class DictState:
    """The handler's three repository calls, kept in a dict: the cost of stats' own code per event."""

    def __init__(self) -> None:
        self.docs: dict[tuple[str, str], dict[str, Any]] = {}
        self.marks: set[Mark] = set()

    async def states(self, kind: Kind, ids: Any) -> dict[str, dict[str, Any]]:
        return {i: self.docs[(kind, i)] for i in ids if (kind, i) in self.docs}

    async def write_states(self, kind: Kind, writes: list[StateWrite]) -> None:
        for w in writes:
            self.docs[(kind, w.update.id)] = {**w.merged, **w.derived}

    async def mark_dirty(self, marks: Any) -> None:
        self.marks.update(marks)


async def ingest(records: Records, store: Any, settings: StatsSettings) -> tuple[float, float, float]:
    """(seconds in all, events/s over the first quarter of the stream, over the last quarter)."""
    handler = Ingest(store, settings)
    polls: list[tuple[int, float]] = []
    for start in range(0, len(records), settings.batch_size):
        t = time.perf_counter()
        poll = records[start : start + settings.batch_size]
        await handler.apply([decode_event(value) for _, _, value in poll])
        polls.append((len(poll), time.perf_counter() - t))
    quarter = max(1, len(polls) // 4)

    def rate(part: list[tuple[int, float]]) -> float:
        return sum(n for n, _ in part) / sum(t for _, t in part)

    return sum(t for _, t in polls), rate(polls[:quarter]), rate(polls[-quarter:])


async def ingestion(records: Records, settings: StatsSettings, mongodb_url: str) -> list[Ingestion]:
    client = mongo.connect(mongodb_url)
    name = f"lotsen_stats_bench_{uuid.uuid4().hex[:8]}"
    try:
        stats = StatsRepository(client[name])
        await stats.ensure_indexes()
        seconds, first, last = await ingest(records, stats, settings)
        started = time.perf_counter()
        written = await Aggregator(stats, settings).flush()
        flush = time.perf_counter() - started
        entities = sum(
            len(docs) for key, docs in (await stats.collections()).items() if key.endswith("_state")
        )
    finally:
        await client.drop_database(name)
        await mongo.close(client)
    logic = DictState()
    logic_seconds, _, _ = await ingest(records, logic, settings)
    stand_in = "handler path, MongoDB stand-in"
    return [
        Ingestion(stand_in, len(records), entities, seconds, flush, written, first, last),
        Ingestion("handler path, state in a dict (logic only)", len(records), len(logic.docs), logic_seconds),
    ]


async def consume(bootstrap: str, group: str, store: Any, settings: StatsSettings) -> tuple[int, float]:
    """Events handled and seconds until caught up, for a fresh consumer group reading everything."""
    runner = BatchConsumerRunner(
        bootstrap_servers=bootstrap,
        group_id=group,
        topics=list(STATS_TOPICS),
        handler=Ingest(store, settings).apply,
        dead_letters=InMemoryBus(),
        max_records=settings.batch_size,
    )
    await runner.start()
    started = time.perf_counter()
    await runner.run(until_caught_up=True)
    return runner.handled, time.perf_counter() - started


async def through_kafka(records: Records, settings: StatsSettings, mongodb_url: str) -> list[Ingestion]:
    async with EmbeddedBroker() as broker:
        publisher = KafkaPublisher(broker.bootstrap_servers, client_id="bench-stats")
        await publisher.start()
        try:
            for start in range(0, len(records), 1000):
                chunk = records[start : start + 1000]
                await asyncio.gather(*(publisher.publish_raw(t, v, key=k) for t, k, v in chunk))
        finally:
            await publisher.stop()
        client = mongo.connect(mongodb_url)
        name = f"lotsen_stats_bench_{uuid.uuid4().hex[:8]}"
        try:
            stats = StatsRepository(client[name])
            await stats.ensure_indexes()
            stand_in = await consume(broker.bootstrap_servers, "lotsen-bench-stats", stats, settings)
        finally:
            await client.drop_database(name)
            await mongo.close(client)
        in_dict = await consume(broker.bootstrap_servers, "lotsen-bench-stats-dict", DictState(), settings)
    return [
        Ingestion("Kafka (embedded Tansu) → batch consumer → stand-in", stand_in[0], None, stand_in[1]),
        Ingestion("Kafka (embedded Tansu) → batch consumer → state in a dict", in_dict[0], None, in_dict[1]),
    ]


QUERIES: list[tuple[str, dict[str, str]]] = [
    ("/v1/stats/report", {"period": "2026-T1"}),
    ("/v1/stats/report", {"period": "2026-T1", "format": "csv"}),
    ("/v1/stats/report", {"period": "2026-T1", "organization": "karlskoga"}),
    ("/v1/stats/answer-rate", {"from": "2026-01-01", "to": "2026-04-30", "group_by": "week"}),
    ("/v1/stats/email-response", {"from": "2026-01-01", "to": "2026-04-30", "group_by": "department"}),
    ("/v1/stats/invoice", {"period": "2026-T1"}),
    ("/v1/stats/time-spent", {"from": "2026-01-01", "to": "2026-04-30", "group_by": "answer_group"}),
    ("/v1/stats/ivr-choices", {"from": "2026-01-01", "to": "2026-04-30"}),
    ("/v1/stats/category-handling", {"from": "2026-01-01", "to": "2026-04-30"}),
]


async def report_latency(
    args: argparse.Namespace, settings: StatsSettings
) -> tuple[list[Latency], dict[str, Any]]:
    started = time.perf_counter()
    docs = tertial_aggregates(cases_total=args.cases, calls_total=args.call_events // 3)
    built = time.perf_counter() - started
    app = create_app(settings, publisher=InMemoryBus(), run_consumers=False)
    results: list[Latency] = []
    async with app.router.lifespan_context(app):
        stats: StatsRepository = app.state.stats
        for scope in ("day", "month"):
            await stats.write_buckets_directly(scope, docs[scope])
        shape = {
            "docs": {scope: len(found) for scope, found in docs.items()},
            "cells": {scope: sum(len(d["cells"]) for d in found) for scope, found in docs.items()},
        }
        docs.clear()  # the service holds only what is in the database
        gc.collect()
        transport = httpx.ASGITransport(app=app)
        supervisor = issue_token(settings, subject="bench", role="supervisor")  # the figures need a token
        headers = {"Authorization": f"Bearer {supervisor}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://stats", headers=headers) as client:
            for path, params in QUERIES:
                timings, cpu, size = [], [], 0
                for _ in range(args.repeat + 1):
                    t, c = time.perf_counter(), time.process_time()
                    response = await client.get(path, params=params)
                    timings.append(time.perf_counter() - t)
                    cpu.append(time.process_time() - c)
                    response.raise_for_status()
                    size = len(response.content)
                first = timings[0]
                timings, cpu = timings[1:], cpu[1:]  # the first one is reported apart (cold)
                p50, p95, cpu50 = percentile(timings, 50), percentile(timings, 95), percentile(cpu, 50)
                results.append(Latency(path, params, p50, p95, max(timings), size, cpu50, first))
        if not settings.mongodb_url.startswith("mongomock"):
            await app.state.runtime.db.client.drop_database(settings.database)
    return results, {**shape, "built_seconds": built}


async def main(args: argparse.Namespace) -> Result:
    mongodb_url = os.environ.get("MONGODB_URL") or "mongomock://"
    settings = StatsSettings(
        mongodb_url=mongodb_url, env="dev", now=datetime(2026, 5, 4, 8, 0, tzinfo=UTC),
        database=f"lotsen_stats_bench_{uuid.uuid4().hex[:8]}",
    )  # fmt: skip
    started = datetime.now(UTC)
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    print(f"building a day of {args.stream_cases} cases and {args.stream_calls} calls …", flush=True)
    records = stream(cases_count=args.stream_cases, calls_count=args.stream_calls, day=date(2026, 3, 3))
    print(f"ingesting {len(records)} events through the handler …", flush=True)
    runs = await ingestion(records, settings, mongodb_url)
    if not args.no_kafka:
        print("… and through Kafka …", flush=True)
        runs += await through_kafka(records, settings, mongodb_url)
    print(f"the tertial report over {args.cases} cases and {args.call_events} call events …", flush=True)
    latencies, aggregates = await report_latency(args, settings)
    duration = time.perf_counter() - t0
    return Result(
        started, args, mongodb_url, runs, latencies, aggregates, duration, (load_before, os.getloadavg()[0])
    )


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stats", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases in the tertial (default 1M)")
    parser.add_argument("--call-events", type=int, default=3_000_000, help="call events (default 3M)")
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per query (default 15)")
    parser.add_argument(
        "--stream-cases", type=int, default=1500, help="cases in the ingested day (default 1500)"
    )
    parser.add_argument(
        "--stream-calls", type=int, default=3000, help="calls in the ingested day (default 3000)"
    )
    parser.add_argument("--no-kafka", action="store_true", help="skip ingestion through the embedded broker")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # the broker's readiness probe is noisy
    os.environ.setdefault("LOTSEN_LOG_JSON", "0")
    result = asyncio.run(main(args))
    report(NAME, summary(result), lambda host: render(result, host), write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(cli())
