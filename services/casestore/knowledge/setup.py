"""Start-up of the knowledge bank's history and the crisis notices: their indexes, and the notice
scheduler (expiry, the notice outbox's relay, review reminders) on one replica at a time."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from lotsen.service import Runtime
from services.casestore.knowledge import notices_scheduler
from services.casestore.knowledge.repository import ArticleHistory, NoticeStore
from services.casestore.settings import CasestoreSettings


async def start(app: FastAPI, runtime: Runtime, settings: CasestoreSettings) -> None:
    await ArticleHistory(runtime.db).ensure_indexes()
    await NoticeStore(runtime.db).ensure_indexes()
    if runtime.run_consumers:
        every = settings.sla_scan_seconds
        runtime.background_once(
            "casestore-notices-scheduler",
            lambda job: notices_scheduler.run(runtime.db, runtime.publisher, every_seconds=every, stop=job),
            asyncio.Event(),
        )
