"""``POST /v1/stats/reports/send`` × every caller × every organisation: only an administrator of the
organisation sends a department's report; everyone else is refused before anything is published."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from tests.authorization import CALLERS, EVERY_ORGANIZATION, Caller, serves
from tests.stats_support import bearer, stats_app
from tests.unit.test_stats_department_reports import AT


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=AT) as application:
        yield application


def headers(caller: Caller) -> dict[str, str]:
    """A token as the identity provider issues it (stats has no log-in of its own)."""
    if caller.role is None:
        return {"Authorization": ""}
    return bearer(caller.role, departments=caller.departments, organizations=caller.organizations)


def expected(caller: Caller, organization: str) -> int:
    if caller.role is None:
        return 401
    return 202 if caller.role == "admin" and serves(caller, organization) else 403


@pytest.mark.parametrize("organization", EVERY_ORGANIZATION)
async def test_only_an_administrator_of_the_organisation_sends_a_report(
    app: FastAPI, bus: InMemoryBus, organization: str
) -> None:
    client: httpx.AsyncClient = app.state.client
    body = {"organization": organization, "department": "samhallsbyggnad", "period": "2026-T1"}
    answers = {}
    for name, caller in CALLERS.items():
        before = len(bus.published(topics.REPORTS_EVENTS))
        response = await client.post("/v1/stats/reports/send", json=body, headers=headers(caller))
        answers[name] = response.status_code
        sent = bus.published(topics.REPORTS_EVENTS)[before:]
        if response.status_code == 202:
            [event] = sent
            assert (event.organization, event.data.department, event.data.trigger) == (
                organization, "samhallsbyggnad", "admin",
            )  # fmt: skip
            assert response.json()["event_id"] == str(event.event_id)
        else:
            assert sent == []
    assert answers == {name: expected(caller, organization) for name, caller in CALLERS.items()}
