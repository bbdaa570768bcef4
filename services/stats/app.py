"""stats (:8005): the figures municipalities are judged on, from the event stream, without personal data.

Two hops to anything: the consumer (:mod:`handlers`) folds ``calls.events``, ``cases.events`` and
``outbound.results`` into per-entity state; the aggregator (:mod:`aggregates`) turns changed days
into pre-aggregates; the routes (:mod:`api`, :mod:`report`) compute each figure from them with the
definitions of one module per figure family (:mod:`calls`, :mod:`email`, :mod:`resolution`,
:mod:`satisfaction`, :mod:`backlog`, :mod:`volumes`). ``python -m services.stats.rebuild``
re-derives everything from the topics.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from fastapi import FastAPI

from lotsen.kafka.publisher import Publisher
from lotsen.service import Runtime, build_app
from services.stats import api, category_handling, department_reports, invoice, ivr_api, prices, report
from services.stats.agents import api as agents_api
from services.stats.agents import setup as agents_setup
from services.stats.aggregates import Aggregator
from services.stats.deps import Clock, wall_clock
from services.stats.handlers import STATS_TOPICS, make_batch_handler
from services.stats.metrics import refresh_gauges
from services.stats.repository import StatsRepository
from services.stats.settings import StatsSettings
from services.stats.targets import api as targets_api
from services.stats.targets.repository import TargetsRepository
from services.stats.targets.service import TargetStore
from services.stats.time_spent_api import router as time_spent_router

GAUGE_SECONDS = 10.0


async def _startup(app: FastAPI, runtime: Runtime) -> None:
    settings: StatsSettings = app.state.settings
    stats = StatsRepository(runtime.db)
    await stats.ensure_indexes()
    aggregator = Aggregator(stats, settings)
    app.state.stats = stats
    app.state.aggregator = aggregator
    app.state.targets = TargetStore(TargetsRepository(runtime.db), runtime.directory, settings)
    app.state.report_sender = department_reports.sender_of(app.state, runtime)
    await agents_setup.start(app, runtime, stats, settings)
    handler = make_batch_handler(stats=stats, settings=settings)
    await runtime.consume_batches(
        settings.consumer_group, STATS_TOPICS, handler, max_records=settings.batch_size
    )
    if runtime.run_consumers:
        stop = asyncio.Event()
        runtime.background(_aggregate(app, aggregator, stop), stop)
        if settings.reports_enabled:  # the departments' reports, on one replica at a time
            runtime.background_once(department_reports.LEASE, app.state.report_sender.run, stop)


async def _aggregate(app: FastAPI, aggregator: Aggregator, stop: asyncio.Event) -> None:
    """Re-aggregate changed days every interval; refresh the gauges every ``GAUGE_SECONDS``."""
    settings: StatsSettings = app.state.settings
    last_gauges = 0.0

    async def after_flush() -> None:
        nonlocal last_gauges
        if time.monotonic() - last_gauges >= GAUGE_SECONDS:
            last_gauges = time.monotonic()
            await refresh_gauges(
                aggregator.stats,
                now=app.state.clock(),
                tz=aggregator.tz,
                waiting_window=settings.calls_waiting_window_seconds,
            )

    await aggregator.run(stop, after_flush)


def fixed_clock(at: datetime) -> Clock:
    """``STATS_NOW``: a frozen instant (one without a UTC offset is read as UTC)."""
    frozen = at if at.tzinfo else at.replace(tzinfo=UTC)
    return lambda: frozen


def create_app(
    settings: StatsSettings | None = None, *, publisher: Publisher | None = None, run_consumers: bool = True
) -> FastAPI:
    settings = settings or StatsSettings()
    app = build_app(
        settings,
        title="Lotsen stats",
        description=(
            "Svarsfrekvens, e-post inom 48 timmar, lösningsgrad, nöjdhet (NKI), volymer och debitering, "
            "ärendebalans och tertialrapport — computed from the event stream, without personal data. "
            "Definitions: docs/figures.md."
        ),
        routers=[
            api.router,
            report.router,
            department_reports.router,
            category_handling.router,
            targets_api.router,
            time_spent_router,
            agents_api.router,
            invoice.router,
            prices.router,
            ivr_api.router,
        ],
        startup=_startup,
        database=settings.database,
        publisher=publisher,
        run_consumers=run_consumers,
    )
    app.state.clock = fixed_clock(settings.now) if settings.now else wall_clock
    return app
