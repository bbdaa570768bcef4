"""Start-up of the staff directory: its indexes, the demo people in dev, the relays of transfers and
wrap-ups."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import FastAPI

from lotsen.auth import Principal
from lotsen.service import Runtime
from services.casestore.settings import CasestoreSettings
from services.casestore.staff.demo import DEMO_STAFF
from services.casestore.staff.directory import StaffWrite, document
from services.casestore.staff.repository import StaffRepository
from services.casestore.staff.transfers import Transfers
from services.casestore.staff.wrap_ups import WrapUps

_SEEDER = Principal(subject="demo", role="admin")


async def start(app: FastAPI, runtime: Runtime, settings: CasestoreSettings) -> None:
    repo = StaffRepository(runtime.db)
    await repo.ensure_indexes()
    transfers = Transfers(repo, runtime.publisher)
    app.state.staff = repo
    app.state.transfers = transfers
    wrap_ups = WrapUps(repo, runtime.publisher)
    app.state.wrap_ups = wrap_ups
    if settings.dev_mode:
        await seed_demo_staff(repo, runtime)
    if runtime.run_consumers:
        every = settings.outbox_relay_seconds
        runtime.background_once(
            "casestore-transfer-relay",
            lambda job: transfers.relay(every_seconds=every, stop=job),
            asyncio.Event(),
        )
        runtime.background_once(
            "casestore-wrap-up-relay",
            lambda job: wrap_ups.relay(every_seconds=every, stop=job),
            asyncio.Event(),
        )


async def seed_demo_staff(repo: StaffRepository, runtime: Runtime) -> None:
    """The demo people, once per organisation: a directory someone already keeps is left alone."""
    for organization, people in DEMO_STAFF.items():
        if runtime.directory.organization(organization) is None or await repo.count(organization):
            continue
        now = datetime.now(UTC)
        bodies = [StaffWrite.model_validate({"organization": organization, **p}) for p in people]
        entries = [
            document(b, staff_id=None, by=_SEEDER, directory=runtime.directory, now=now, kept={})
            for b in bodies
        ]
        await repo.insert_many(entries)
