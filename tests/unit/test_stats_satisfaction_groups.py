"""Satisfaction (NKI) per channel and per answer group: a phone errand's answer given after an SMS
invitation counts for ``phone`` and its answer group, as an e-mail errand's counts for ``email``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import cases, topics
from lotsen.contracts.envelope import Event
from lotsen.kafka.memory import InMemoryBus
from lotsen.kafka.processing import MemoryDeduplicator
from services.stats.handlers import make_handler
from services.stats.repository import StatsRepository
from tests.stats_support import stats_app

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
T = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=NOW) as application:
        yield application


def event(cls: type[Event[Any]], ref: str, at: datetime, /, **data: Any) -> Event[Any]:
    return cls(producer="casestore", organization="karlskoga", occurred_at=at, data={"case_ref": ref, **data})


def errand(ref: str, channel: str, group: str, score: int) -> list[Event[Any]]:
    created = event(
        cases.CaseCreated, ref, T, channel=channel, received_at=T, category="bygglov",
        department="samhallsbyggnad", answer_group=group, handled_by="first_line", rosa_level=2,
    )  # fmt: skip
    answered = event(
        cases.CaseSurveyAnswered, ref, T + timedelta(days=1),
        answers={"bemotande": score, "kunskap": score, "tillganglighet": score},
        channel=channel, answer_group=group, invited_via=channel,
    )  # fmt: skip
    return [created, answered]


async def test_satisfaction_is_grouped_by_channel_and_by_answer_group(app: FastAPI, bus: InMemoryBus) -> None:
    for item in [
        *errand("A", "phone", "bygg-miljo", 5),
        *errand("B", "phone", "kundtjanst", 3),
        *errand("C", "email", "bygg-miljo", 2),
    ]:
        await bus.publish(topics.CASES_EVENTS, item, key=item.data.case_ref)
    handler = make_handler(stats=StatsRepository(app.state.runtime.db), settings=app.state.settings)
    await bus.deliver(topics.CASES_EVENTS, handler, dedupe=MemoryDeduplicator())
    client: httpx.AsyncClient = app.state.client

    async def means(group_by: str) -> dict[str, Any]:
        response = await client.get("/v1/stats/satisfaction", params={"group_by": group_by})
        assert response.status_code == 200, response.text
        return {g["key"]: (g["responses"], g["bemotande"]["mean"]) for g in response.json()["groups"]}

    assert await means("channel") == {"phone": (2, 4.0), "email": (1, 2.0)}
    assert await means("answer_group") == {"bygg-miljo": (2, 3.5), "kundtjanst": (1, 3.0)}
