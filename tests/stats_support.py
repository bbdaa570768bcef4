"""A stats service for a unit test: its own database (dropped afterwards) and a supervisor's client."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from lotsen.auth import Role, issue_token
from lotsen.kafka.memory import InMemoryBus
from lotsen.settings import ServiceSettings
from services.stats.app import create_app
from services.stats.settings import StatsSettings
from tests.helpers import running


def bearer(
    role: Role, *, departments: tuple[str, ...] = (), organizations: tuple[str, ...] = ()
) -> dict[str, str]:
    """The header of a token as casestore issues it in dev mode (the demo secret)."""
    token = issue_token(
        ServiceSettings(env="dev"),
        subject=role,
        role=role,
        departments=departments,
        organizations=organizations,
    )
    return {"Authorization": f"Bearer {token}"}


def own_database() -> str:
    """A database name of this test alone, so a real server's data never leaks between tests."""
    return f"lotsen_test_stats_{uuid.uuid4().hex[:12]}"


@asynccontextmanager
async def stats_app(bus: InMemoryBus, **settings: Any) -> AsyncIterator[FastAPI]:
    """stats with consumers off; ``app.state.client`` reads as a supervisor of every organisation."""
    application = create_app(
        StatsSettings(**{"database": own_database(), **settings}), publisher=bus, run_consumers=False
    )
    async with running(application) as client:
        client.headers.update(bearer("supervisor"))
        application.state.client = client
        try:
            yield application
        finally:
            db = application.state.runtime.db
            await db.client.drop_database(db.name)
