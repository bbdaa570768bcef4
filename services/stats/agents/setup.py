"""Start-up of the per-agent figures: their indexes, their aggregator, and the retention job under a
lease, so it runs on one replica at a time."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from lotsen.service import Runtime
from services.stats.agents.aggregate import AgentAggregator
from services.stats.agents.repository import AgentRepository
from services.stats.agents.retention import run_retention
from services.stats.repository import StatsRepository
from services.stats.settings import StatsSettings

RETENTION_LEASE = "stats-agent-retention"


async def start(app: FastAPI, runtime: Runtime, stats: StatsRepository, settings: StatsSettings) -> None:
    agents = AgentRepository(runtime.db)
    await agents.ensure_indexes()
    aggregator = AgentAggregator(stats, agents, settings, lambda: app.state.clock())
    app.state.agents = agents
    app.state.agent_aggregator = aggregator
    if runtime.run_consumers:
        stop = asyncio.Event()
        runtime.background(aggregator.run(stop), stop)
        every = settings.agent_retention_check_seconds
        runtime.background_once(
            RETENTION_LEASE,
            lambda job: run_retention(
                agents, aggregator, lambda: app.state.clock(), every_seconds=every, stop=job
            ),
            asyncio.Event(),
        )
