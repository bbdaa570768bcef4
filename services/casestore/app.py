"""casestore (:8003): the errands, their lifecycle and the case API."""

from __future__ import annotations

from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.kafka.publisher import Publisher
from lotsen.service import Runtime, build_app
from services.casestore import api, auth_api
from services.casestore.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, hash_password
from services.casestore.intake import make_handler
from services.casestore.repository import CaseRepository
from services.casestore.settings import CasestoreSettings


async def _startup(app: FastAPI, runtime: Runtime) -> None:
    settings: CasestoreSettings = app.state.settings
    cases = CaseRepository(runtime.db)
    await cases.ensure_indexes()
    if settings.dev_mode:
        demo_hash = hash_password(DEMO_PASSWORD)
        for account in DEMO_ACCOUNTS:
            await cases.upsert_account(
                {
                    "_id": account.username,
                    "password_hash": demo_hash,
                    "role": account.role,
                    "departments": list(account.departments),
                    "organizations": list(account.organizations),
                    "demo": True,
                }
            )
    handler = make_handler(
        cases=cases,
        publisher=runtime.publisher,
        directory=runtime.directory,
        first_response_hours=settings.first_response_hours,
    )
    await runtime.consume("casestore", [topics.CONTACTS_ROUTED], handler)


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
        routers=[auth_api.router, api.router],
        startup=_startup,
        database="lotsen_casestore",
        publisher=publisher,
        run_consumers=run_consumers,
    )
