"""The synthetic month through the real broker: every figure equals the definition, and a rebuild
from the topics gives the same figures as the live path.

Runs against the session's broker (embedded Tansu, or ``KAFKA_BOOTSTRAP_SERVERS``), whose topics other
tests share: the month's two organisations are named for this run, and every query names one.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from lotsen.kafka.publisher import KafkaPublisher
from services.stats.aggregates import Aggregator
from services.stats.app import create_app
from services.stats.rebuild import rebuild
from services.stats.repository import StatsRepository
from services.stats.settings import StatsSettings
from tests.helpers import eventually, running
from tests.stats_expected import Expectation
from tests.stats_generator import Month, build_month
from tests.stats_queries import mismatches, queries
from tests.stats_support import bearer

pytestmark = pytest.mark.integration


async def publish_all(bootstrap: str, month: Month) -> None:
    publisher = KafkaPublisher(bootstrap, client_id="stats-figures-test")
    await publisher.start()
    try:
        for start in range(0, len(month.events), 400):
            chunk = month.events[start : start + 400]
            await asyncio.gather(*(publisher.publish(topic, event, key=key) for topic, key, event in chunk))
    finally:
        await publisher.stop()


async def answers(client: httpx.AsyncClient, organizations: tuple[str, ...]) -> list[Any]:
    return [
        (await client.get(path, params=params)).json() for path, params in queries(organizations, full=False)
    ]


async def test_every_figure_through_kafka_and_the_rebuild_agrees(kafka_bootstrap: str, dev_env: None) -> None:
    run = uuid.uuid4().hex[:8]
    organizations = (f"provkommun-{run}", f"provbolaget-{run}")
    month = build_month(seed=7, organizations=organizations, calls_per_org=450, cases_per_org=180)
    expectation = Expectation(month)
    settings = StatsSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        consumer_group=f"stats-figures-{run}",
        now=month.now,
        flush_interval_seconds=0.2,
    )
    app = create_app(settings)
    async with running(app) as client:
        client.headers.update(bearer("supervisor"))
        await publish_all(kafka_bootstrap, month)

        async def everything_arrived() -> bool:
            # Every figure, not the report alone: outbound results come on a topic of their own and
            # may still be in a poll being handled when the report is complete.
            for org in organizations:
                params = {"period": "2026-T1", "organization": org}
                report = (await client.get("/v1/stats/report", params=params)).json()
                if report != expectation.response("/v1/stats/report", params):
                    return False
            return not await mismatches(client, expectation, organizations, skip_all_organizations=True)

        await eventually(everything_arrived, timeout=120, every=0.5)
        wrong = await mismatches(client, expectation, organizations, skip_all_organizations=True)
        assert not wrong, "\n".join(wrong)

        live = await answers(client, organizations)
        rebuilt_db = app.state.runtime.db.client[f"lotsen_stats_rebuilt_{run}"]
        try:
            result = await rebuild(settings, rebuilt_db)
            assert result.events >= len({id(e) for _, _, e in month.events})
            stats = StatsRepository(rebuilt_db)
            app.state.stats, app.state.aggregator = stats, Aggregator(stats, settings)
            assert await answers(client, organizations) == live
        finally:
            await app.state.runtime.db.client.drop_database(f"lotsen_stats_rebuilt_{run}")
