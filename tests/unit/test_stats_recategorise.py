"""A corrected case counts under its latest category, department and answer group from then on, in
every figure that groups by them, whatever order the events arrive in (docs/figures.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.contracts.cases import CaseCreated, CaseHandedOff, CaseRecategorised, CaseResolved
from lotsen.contracts.envelope import Event
from lotsen.kafka.memory import InMemoryBus
from lotsen.kafka.processing import MemoryDeduplicator
from services.stats.handlers import make_handler
from services.stats.repository import StatsRepository
from tests.stats_support import stats_app

REF = "KGA-2026-000001"
RECEIVED = datetime(2026, 3, 2, 9, tzinfo=UTC)


def event(cls: type[Event[Any]], minutes: int, **data: Any) -> Event[Any]:
    return cls(
        producer="casestore",
        organization="karlskoga",
        occurred_at=RECEIVED + timedelta(minutes=minutes),
        data={"case_ref": REF, **data},
    )


CREATED = event(
    CaseCreated,
    0,
    channel="email",
    received_at=RECEIVED,
    category="ovriga-arenden",
    answer_group="ovrigt",
    handled_by="first_line",
    rosa_level=1,
)
RESOLVED = event(
    CaseResolved, 30, resolved_at=RECEIVED, resolved_by_first_line=True, resolution_code="answered"
)


def correction(minutes: int, category: str, department: str, group: str) -> Event[Any]:
    return event(
        CaseRecategorised,
        minutes,
        category=category,
        department=department,
        answer_group=group,
        handled_by="first_line",
        rosa_level=2,
        old_category="ovriga-arenden",
        reason="felklassat",
        recategorised_by="agent",
    )


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=RECEIVED + timedelta(days=30)) as application:
        yield application


async def feed(app: FastAPI, bus: InMemoryBus, *events: Event[Any]) -> None:
    for item in events:
        await bus.publish(topics.CASES_EVENTS, item, key=REF)
    handler = make_handler(stats=StatsRepository(app.state.runtime.db))
    await bus.deliver(topics.CASES_EVENTS, handler, dedupe=MemoryDeduplicator())


async def groups(
    client: httpx.AsyncClient, path: str, field: str = "count", **params: str
) -> list[tuple[Any, Any]]:
    """(key, ``field``) of each group of the figure."""
    body = (await client.get(path, params=params)).json()
    return [(g["key"], g[field]) for g in body["groups"]]


async def test_the_case_moves_to_its_latest_category_in_every_grouping(
    app: FastAPI, bus: InMemoryBus
) -> None:
    client: httpx.AsyncClient = app.state.client
    await feed(app, bus, CREATED, RESOLVED)
    assert await groups(client, "/v1/stats/volumes", group_by="category") == [("ovriga-arenden", 1)]
    assert await groups(client, "/v1/stats/volumes/charging", month="2026-03") == [(None, 1)]

    await feed(app, bus, correction(40, "bygglov", "samhallsbyggnad", "bygg-miljo"))
    assert await groups(client, "/v1/stats/volumes", group_by="category") == [("bygglov", 1)]
    assert await groups(client, "/v1/stats/volumes", group_by="answer_group") == [("bygg-miljo", 1)]
    assert await groups(client, "/v1/stats/volumes", group_by="rosa_level") == [(2, 1)]
    assert await groups(client, "/v1/stats/volumes/charging", month="2026-03") == [("samhallsbyggnad", 1)]
    resolution = await groups(client, "/v1/stats/resolution", "resolved_first_line", group_by="department")
    assert resolution == [("samhallsbyggnad", 1)]


async def test_the_latest_of_corrections_and_handoffs_wins_in_any_order(
    app: FastAPI, bus: InMemoryBus
) -> None:
    client: httpx.AsyncClient = app.state.client
    handoff = event(
        CaseHandedOff,
        20,
        department="skola",
        reason="r",
        due_at=RECEIVED - timedelta(days=1),
        handed_off_by="agent",
    )
    first = correction(10, "bygglov", "samhallsbyggnad", "bygg-miljo")
    last = correction(50, "synpunkt", "ledningskontoret", "ovrigt")
    await feed(app, bus, last, handoff, CREATED, first)  # the latest correction arrives first
    # The correction at 50 minutes came after the handoff to skola at 20: ledningskontoret's errand.
    by_department = await groups(client, "/v1/stats/backlog", "handed_off_past_due", group_by="department")
    assert by_department == [("ledningskontoret", 1)]
    by_category = await groups(client, "/v1/stats/backlog", "handed_off_past_due", group_by="category")
    assert by_category == [("synpunkt", 1)]
    assert await groups(client, "/v1/stats/volumes", group_by="answer_group") == [("ovrigt", 1)]
    synpunkter = (await client.get("/v1/stats/synpunkter")).json()
    assert (synpunkter["count"], synpunkter["refs"]) == (1, [REF])
