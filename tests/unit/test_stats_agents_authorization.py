"""Per-agent figures × every kind of caller × every organisation: answered, refused, and over what
(services/stats/agents/access.py).

Expected:
- no token: 401; a handler: 403 (the contact centre's follow-up of its own staff);
- an agent: their own figures (``/me``, ``/agents/<themself>``), of the organisations they serve;
  anyone else's and the team table 403;
- a supervisor or an administrator: their own, any agent's and the team table, of the organisations
  their token lists (none: every one); erasing is for administrators;
- asking for an organisation the token does not list: 403.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import calls
from lotsen.contracts.envelope import Event
from lotsen.kafka.memory import InMemoryBus
from services.stats.handlers import Ingest
from services.stats.repository import StatsRepository
from tests.authorization import CALLERS, EVERY_ORGANIZATION, Caller, subject_of
from tests.casestore_support import bearer
from tests.stats_support import stats_app

T = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}
# (who answered, organisation) → calls answered; "agent" and "supervisor" are callers of the matrix.
ANSWERED = {("agent", "karlskoga"): 2, ("agent", "degerfors"): 1, ("agent-karlskoga", "karlskoga"): 1,
            ("supervisor", "karlskoga"): 1, ("someone-else", "degerfors"): 1}  # fmt: skip
ORGANIZATIONS = (None, "karlskoga", "degerfors")
ENDPOINTS = ("me", "team", "agent", "erase")


def answered(call_id: str, agent: str, organization: str) -> list[Event[Any]]:
    data = {"call_id": call_id, "at": T, "answer_group": "vard-omsorg"}
    return [
        calls.CallOffered(producer="intake", organization=organization, data=data),
        calls.CallAnswered(
            producer="intake", organization=organization, data={**data, "wait_seconds": 5.0, "agent": agent}
        ),
    ]


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=NOW) as application:
        events = [
            event
            for (agent, organization), n in ANSWERED.items()
            for i in range(n)
            for event in answered(f"{agent}-{organization}-{i}", agent, organization)
        ]
        await Ingest(StatsRepository(application.state.runtime.db), application.state.settings).apply(events)
        yield application


def served(caller: Caller, organization: str | None) -> list[str] | None:
    """The organisations the answer covers, or None when asking for one the token does not list."""
    mine = caller.organizations or EVERY_ORGANIZATION
    if organization is not None and organization not in mine:
        return None
    return [o for o in mine if organization in (None, o)]


def expected_status(name: str, caller: Caller, endpoint: str, organization: str | None) -> int:
    if caller.role is None:
        return 401
    if caller.role == "handler":
        return 403
    if endpoint == "erase":
        return 200 if caller.role == "admin" else 403
    whose = {"me": subject_of(name, caller), "team": None, "agent": "agent"}[endpoint]
    if caller.role == "agent" and whose != subject_of(name, caller):
        return 403
    return 200 if served(caller, organization) is not None else 403


def counts(agent: str, organizations: list[str]) -> int:
    return sum(n for (who, org), n in ANSWERED.items() if who == agent and org in organizations)


async def problem(
    client: httpx.AsyncClient, name: str, endpoint: str, organization: str | None
) -> str | None:
    caller = CALLERS[name]
    headers = {"Authorization": ""}  # the client's own supervisor token is not sent
    if caller.role is not None:
        subject = subject_of(name, caller)
        headers = bearer(
            caller.role, organizations=caller.organizations, departments=caller.departments, subject=subject
        )
    query = {**PERIOD, **({"organization": organization} if organization else {})}
    path = {"me": "/v1/stats/agents/me", "team": "/v1/stats/agents", "agent": "/v1/stats/agents/agent"}
    if endpoint == "erase":
        response = await client.delete("/v1/stats/agents/nobody-known", headers=headers)
    else:
        response = await client.get(path[endpoint], params=query, headers=headers)
    want = expected_status(name, caller, endpoint, organization)
    if response.status_code != want:
        return f"HTTP {response.status_code}, expected {want}: {response.text[:300]}"
    if want != 200:
        return None if response.json()["error"]["message"] else "a refusal without a message"
    body = response.json()
    if endpoint == "erase":
        return None if body == {"agent": "nobody-known", "calls_and_cases": 0} else f"erased {body}"
    seen = served(caller, organization)
    assert seen is not None
    if endpoint == "team":
        rows = {row["agent"]: row["answered_calls"] for row in body["agents"]}
        wanted = {who: counts(who, seen) for who, _ in ANSWERED if counts(who, seen)}
        return None if rows == wanted else f"rows {rows}, expected {wanted}"
    whose = subject_of(name, caller) if endpoint == "me" else "agent"
    got = body["total"]["answered_calls"]
    return None if body["agent"] == whose and got == counts(whose, seen) else f"{body['agent']}: {got} calls"


@pytest.mark.parametrize("name", CALLERS)
async def test_per_agent_authorization_matrix(app: FastAPI, name: str) -> None:
    client: httpx.AsyncClient = app.state.client
    problems = []
    for endpoint in ENDPOINTS:
        for organization in ORGANIZATIONS:
            found = await problem(client, name, endpoint, organization)
            if found:
                problems.append(f"{name} × {endpoint} × {organization or 'all'}: {found}")
    assert not problems, "\n".join(problems)


async def test_an_administrator_erases_an_agent_from_the_figures_not_the_organisations(app: FastAPI) -> None:
    client: httpx.AsyncClient = app.state.client
    admin = bearer("admin", subject="admin")
    before = await client.get("/v1/stats/answer-rate", params=PERIOD)
    response = await client.delete("/v1/stats/agents/agent", headers=admin)
    assert response.json() == {"agent": "agent", "calls_and_cases": 3}
    team = (await client.get("/v1/stats/agents", params=PERIOD)).json()
    assert [row["agent"] for row in team["agents"]] == ["agent-karlskoga", "someone-else", "supervisor"]
    assert team["total"]["unattributed_calls"] == 3  # still counted, for nobody
    assert (await client.get("/v1/stats/answer-rate", params=PERIOD)).json() == before.json()
    # An administrator of Karlskoga erases within Karlskoga only.
    response = await client.delete(
        "/v1/stats/agents/someone-else", headers=bearer("admin", organizations=("karlskoga",))
    )
    assert response.json()["calls_and_cases"] == 0
