"""casestore (:8003): the errands, their lifecycle and the case API."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.kafka.publisher import Publisher
from lotsen.service import Runtime, build_app
from services.casestore import (
    actions_api,
    api,
    attachments,
    auth_api,
    feedback,
    intake,
    manual,
    outcomes,
    privacy,
    privacy_api,
    public_api,
    queue_order,
    recategorise,
    receipts,
    search,
    sla,
)
from services.casestore.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, hash_password
from services.casestore.changes import Cases
from services.casestore.knowledge import articles as kb
from services.casestore.knowledge import setup as kb_setup
from services.casestore.login import LoginGuard
from services.casestore.position_api import router as position_api_router
from services.casestore.records import api as records_api
from services.casestore.records.repository import RegistryStore
from services.casestore.repository import CaseRepository
from services.casestore.settings import CasestoreSettings
from services.casestore.staff import api as staff_api
from services.casestore.staff import setup as staff_setup
from services.casestore.staff import wrap_ups


async def _seed_demo_accounts(repo: CaseRepository) -> None:
    demo_hash = hash_password(DEMO_PASSWORD)
    for account in DEMO_ACCOUNTS:
        await repo.upsert_account(
            {
                "_id": account.username,
                "password_hash": demo_hash,
                "role": account.role,
                "departments": list(account.departments),
                "organizations": list(account.organizations),
                "languages": list(account.languages),
                "demo": True,
            }
        )


async def _startup(app: FastAPI, runtime: Runtime) -> None:
    settings: CasestoreSettings = app.state.settings
    repo = CaseRepository(runtime.db)
    await repo.ensure_indexes()
    await privacy.backfill_people(repo)
    await search.backfill(repo)
    await queue_order.backfill(repo)
    if settings.dev_mode:
        await _seed_demo_accounts(repo)
    cases = Cases(repo, runtime.publisher)
    app.state.registry = RegistryStore(runtime.db)
    await app.state.registry.ensure_indexes()
    app.state.login_guard = LoginGuard.for_settings(settings)
    app.state.cases = cases
    handler = intake.make_handler(cases=cases, directory=runtime.directory, settings=settings)
    await staff_setup.start(app, runtime, settings)
    await kb_setup.start(app, runtime, settings)
    await runtime.consume("casestore", [topics.CONTACTS_ROUTED], handler)
    await runtime.consume("casestore-outcomes", [topics.OUTBOUND_RESULTS], outcomes.make_handler(cases=cases))
    if runtime.run_consumers:
        stop = asyncio.Event()
        # On one replica at a time each (docs/architecture.md, "Many replicas").
        relay_every = settings.outbox_relay_seconds
        runtime.background_once(
            "casestore-outbox-relay", lambda job: cases.relay(every_seconds=relay_every, stop=job), stop
        )
        runtime.background_once(
            "casestore-sla-scheduler", lambda job: sla.run_scheduler(cases, settings, stop=job), stop
        )


async def _shutdown(app: FastAPI, runtime: Runtime) -> None:
    client = getattr(app.state, "intake_client", None)
    if client is not None:
        await client.aclose()
    guard = getattr(app.state, "login_guard", None)
    if guard is not None:
        guard.close()


def create_app(
    settings: CasestoreSettings | None = None,
    *,
    publisher: Publisher | None = None,
    run_consumers: bool = True,
) -> FastAPI:
    settings = settings or CasestoreSettings()
    return build_app(
        settings,
        title="Lotsen casestore",
        description="Owns the errands (ärenden): threading, lifecycle, timeline and the case API.",
        routers=[
            auth_api.router,
            api.router,
            manual.router,
            actions_api.router,
            recategorise.router,
            position_api_router,
            feedback.router,
            attachments.router,
            kb.router,
            public_api.router,
            receipts.router,
            records_api.router,
            privacy_api.router,
            staff_api.router,
            wrap_ups.router,
        ],
        startup=_startup,
        shutdown=_shutdown,
        database="lotsen_casestore",
        publisher=publisher,
        run_consumers=run_consumers,
    )
