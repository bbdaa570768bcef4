"""Volumes from case.created: counted once, bucketed by Stockholm local day, without personal data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import CaseCreated, topics
from lotsen.contracts.cases import CaseCreatedData
from lotsen.kafka.memory import InMemoryBus
from lotsen.kafka.processing import MemoryDeduplicator
from services.stats.handlers import make_handler
from services.stats.repository import StatsRepository
from tests.stats_support import stats_app


def created(ref: str, channel: str, received_at: datetime, organization: str = "karlskoga") -> CaseCreated:
    return CaseCreated(
        producer="casestore",
        organization=organization,
        data=CaseCreatedData(
            case_ref=ref,
            channel=channel,
            received_at=received_at,
            category="ovriga-arenden",
            handled_by="first_line",
            rosa_level=1,
        ),
    )


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus) as application:
        yield application


async def feed(app: FastAPI, bus: InMemoryBus, *events: CaseCreated) -> None:
    for event in events:
        await bus.publish(topics.CASES_EVENTS, event, key=event.data.case_ref)
    handler = make_handler(stats=StatsRepository(app.state.runtime.db))
    await bus.deliver(topics.CASES_EVENTS, handler, dedupe=MemoryDeduplicator())


async def test_volumes_by_channel(app: FastAPI, bus: InMemoryBus) -> None:
    day = datetime(2026, 3, 2, 9, tzinfo=UTC)
    await feed(
        app,
        bus,
        created("KGA-2026-000001", "webform", day),
        created("KGA-2026-000002", "email", day),
        created("KGA-2026-000003", "email", day),
    )
    client: httpx.AsyncClient = app.state.client
    body = (await client.get("/v1/stats/volumes", params={"group_by": "channel"})).json()
    assert body == {"total": 3, "groups": [{"key": "email", "count": 2}, {"key": "webform", "count": 1}]}


async def test_a_redelivered_or_repeated_event_counts_once(app: FastAPI, bus: InMemoryBus) -> None:
    event = created("KGA-2026-000001", "webform", datetime(2026, 3, 2, 9, tzinfo=UTC))
    await feed(app, bus, event, event)
    again = event.model_copy(update={"event_id": __import__("uuid").uuid4()})  # same case, another event id
    await feed(app, bus, again)
    assert (await app.state.client.get("/v1/stats/volumes")).json()["total"] == 1


async def test_days_are_stockholm_days(app: FastAPI, bus: InMemoryBus) -> None:
    # 23:30 UTC on 1 March is 00:30 on 2 March in Stockholm (CET, UTC+1).
    await feed(
        app,
        bus,
        created("KGA-2026-000001", "email", datetime(2026, 3, 1, 23, 30, tzinfo=UTC)),
        created("KGA-2026-000002", "email", datetime(2026, 3, 1, 22, 30, tzinfo=UTC)),
    )
    client: httpx.AsyncClient = app.state.client
    on_2nd = (await client.get("/v1/stats/volumes", params={"from": "2026-03-02", "to": "2026-03-02"})).json()
    on_1st = (await client.get("/v1/stats/volumes", params={"from": "2026-03-01", "to": "2026-03-01"})).json()
    assert (on_1st["total"], on_2nd["total"]) == (1, 1)


async def test_organisation_filter_and_bad_periods(app: FastAPI, bus: InMemoryBus) -> None:
    day = datetime(2026, 3, 2, 9, tzinfo=UTC)
    await feed(
        app,
        bus,
        created("KGA-2026-000001", "email", day),
        created("DEG-2026-000001", "email", day, "degerfors"),
    )
    client: httpx.AsyncClient = app.state.client
    assert (await client.get("/v1/stats/volumes", params={"organization": "degerfors"})).json()["total"] == 1
    backwards = await client.get("/v1/stats/volumes", params={"from": "2026-03-05", "to": "2026-03-01"})
    assert backwards.status_code == 422
    assert "before" in backwards.json()["error"]["message"]
    assert (await client.get("/v1/stats/volumes", params={"group_by": "citizen"})).status_code == 422
    assert (await client.get("/v1/stats/volumes", params={"from": "2 mars"})).status_code == 422


async def test_no_personal_data_is_stored(app: FastAPI, bus: InMemoryBus) -> None:
    await feed(app, bus, created("KGA-2026-000001", "email", datetime(2026, 3, 2, 9, tzinfo=UTC)))
    db: Any = app.state.runtime.db
    # The case facts moved from ``case_facts`` to the per-case state the figures are derived from.
    [fact] = [doc async for doc in db["case_state"].find({})]
    assert set(fact) <= {
        "_id",
        "organization",
        "channel",
        "received_at",
        "category",
        "department",
        "answer_group",
        "handled_by",
        "rosa_level",
        "form_id",
        "status",
        "bucket",
    }
