"""routing (:8002): first line or department, decided by the municipality's agreements, and explained.

Where things live: the decision in ``decide.py`` (classifier in ``classifier.py``, rules in
``rules/``), the versions of the ruleset in ``rulesets.py`` (stored by ``repository.py``), the HTTP
API in ``api.py`` and ``rules_api.py``, the Kafka handler in ``handlers.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI

from lotsen.calendar import is_working_day
from lotsen.contracts import topics
from lotsen.kafka.publisher import Publisher
from lotsen.service import Runtime, build_app
from services.routing import api, rules_api
from services.routing.decide import Router
from services.routing.dependencies import Routing
from services.routing.handlers import make_handler
from services.routing.repository import RulesetRepository
from services.routing.rulesets import DEFAULT_RULES_FILE, RulesetBook
from services.routing.settings import RoutingSettings


async def _startup(app: FastAPI, runtime: Runtime) -> None:
    settings: RoutingSettings = app.state.settings
    rulesets = RulesetBook(RulesetRepository(runtime.db), refresh_seconds=settings.rules_refresh_seconds)
    await rulesets.open(runtime.directory, settings.default_rules_file or DEFAULT_RULES_FILE)
    routing = Routing(router=Router(runtime.directory), rulesets=rulesets)
    # The holiday calendar loads on first use (about a second): here, not while a contact waits.
    is_working_day(datetime.now(UTC).date())
    app.state.routing = routing
    handler = make_handler(publisher=runtime.publisher, router=routing.router, rulesets=rulesets)
    await runtime.consume("routing", [topics.CONTACTS_RECEIVED], handler)


def create_app(
    settings: RoutingSettings | None = None, *, publisher: Publisher | None = None, run_consumers: bool = True
) -> FastAPI:
    settings = settings or RoutingSettings()
    return build_app(
        settings,
        title="Lotsen routing",
        description="Decides who handles each contact and explains why; the rules are versioned data.",
        routers=[api.router, rules_api.router],
        startup=_startup,
        database="lotsen_routing",
        publisher=publisher,
        run_consumers=run_consumers,
    )
