"""stats (:8005): the figures municipalities are judged on, from the event stream, without personal data."""

from __future__ import annotations

from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.kafka.publisher import Publisher
from lotsen.service import Runtime, build_app
from services.stats import api
from services.stats.handlers import make_handler
from services.stats.repository import StatsRepository
from services.stats.settings import StatsSettings


async def _startup(app: FastAPI, runtime: Runtime) -> None:
    stats = StatsRepository(runtime.db)
    await stats.ensure_indexes()
    await runtime.consume("stats", [topics.CASES_EVENTS], make_handler(stats=stats))


def create_app(
    settings: StatsSettings | None = None, *, publisher: Publisher | None = None, run_consumers: bool = True
) -> FastAPI:
    settings = settings or StatsSettings()
    return build_app(
        settings,
        title="Lotsen stats",
        description="Answer rate, e-mail within 48 h, first-line resolution, volumes and the tertial report.",
        routers=[api.router],
        startup=_startup,
        database="lotsen_stats",
        publisher=publisher,
        run_consumers=run_consumers,
    )
