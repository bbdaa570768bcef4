"""Växeln in the figures: calls connected to a person or department (``call.transferred``), counted
per department and never as calls waiting in a queue (services/stats/calls.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import calls, topics
from lotsen.contracts.envelope import Event
from lotsen.kafka.memory import InMemoryBus
from lotsen.kafka.processing import MemoryDeduplicator
from services.stats.handlers import make_handler
from services.stats.repository import StatsRepository
from tests.stats_support import stats_app

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
T = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Stockholm


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=NOW) as application:
        yield application


def call(cls: type[Event[Any]], call_id: str, seconds: int, /, **data: Any) -> Event[Any]:
    at = T + timedelta(seconds=seconds)
    payload = {"call_id": call_id, "at": at, **data}
    return cls(producer="intake", organization="karlskoga", data=payload)  # type: ignore[call-arg]


def transfer(call_id: str, seconds: int, department: str | None, by: str = "agent") -> Event[Any]:
    return call(calls.CallTransferred, call_id, seconds, department=department, transferred_by=by)


async def test_transfers_count_per_department_and_an_ivr_connection_waits_in_no_queue(
    app: FastAPI, bus: InMemoryBus
) -> None:
    group = {"answer_group": "bygg-miljo"}
    events = [
        # Answered in the queue, then put through to a person of samhällsbyggnad.
        call(calls.CallOffered, "c1", 0, **group),
        call(calls.CallAnswered, "c1", 10, wait_seconds=10.0, **group),
        transfer("c1", 60, "samhallsbyggnad"),
        # The IVR's "connect to a named person": put through to a number, department unknown.
        call(calls.CallOffered, "c2", 0, ivr_choice="6", to="+46586610042"),
        transfer("c2", 1, None, by="ivr"),
        # Recorded in the switchboard only, without telephony events.
        transfer("c3", 30, "skola"),
        # Put through twice: it counts where it went last, once.
        call(calls.CallOffered, "c4", 0, **group),
        call(calls.CallAnswered, "c4", 20, wait_seconds=20.0, **group),
        transfer("c4", 80, "skola"),
        transfer("c4", 90, "social"),
    ]
    for event in events:
        await bus.publish(topics.CALLS_EVENTS, event, key=event.data.call_id)
    handler = make_handler(stats=StatsRepository(app.state.runtime.db), settings=app.state.settings)
    await bus.deliver(topics.CALLS_EVENTS, handler, dedupe=MemoryDeduplicator())

    client: httpx.AsyncClient = app.state.client
    response = await client.get("/v1/stats/answer-rate", params={"from": "2026-03-01", "to": "2026-03-31"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["offered"], body["answered"], body["pending"]) == (2, 2, 0)
    assert body["transferred"] == 4
    assert body["transferred_by_department"] == {"samhallsbyggnad": 1, "skola": 1, "social": 1, "unknown": 1}
