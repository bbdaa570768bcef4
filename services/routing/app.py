"""routing (:8002): first line or department, decided by the municipality's agreements, and explained."""

from __future__ import annotations

from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.kafka.publisher import Publisher
from lotsen.service import Runtime, build_app
from services.routing import api
from services.routing.handlers import make_handler
from services.routing.settings import RoutingSettings


async def _startup(app: FastAPI, runtime: Runtime) -> None:
    handler = make_handler(publisher=runtime.publisher, directory=runtime.directory)
    await runtime.consume("routing", [topics.CONTACTS_RECEIVED], handler)


def create_app(
    settings: RoutingSettings | None = None, *, publisher: Publisher | None = None, run_consumers: bool = True
) -> FastAPI:
    settings = settings or RoutingSettings()
    return build_app(
        settings,
        title="Lotsen routing",
        description="Decides who handles each contact and explains why.",
        routers=[api.router],
        startup=_startup,
        database="lotsen_routing",
        publisher=publisher,
        run_consumers=run_consumers,
    )
