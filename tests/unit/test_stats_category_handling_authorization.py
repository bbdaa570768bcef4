"""``GET /v1/stats/category-handling`` × every kind of caller × every organisation (DESIGN §7).

The rules of ``services/stats/access.py``: no token 401; an agent 403; a handler reads the cases of
their departments within their token's organisations (none: 403) and the answer says so in
``scope``; supervisors and administrators read everything their token's organisations allow.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.contracts.cases import CaseCreated
from lotsen.kafka.memory import InMemoryBus
from services.stats.handlers import make_handler
from services.stats.repository import StatsRepository
from tests.authorization import CALLERS, Caller, serves
from tests.stats_support import bearer, stats_app

T = datetime(2026, 3, 2, 8, tzinfo=UTC)
# (organisation, department, category) → cases
CASES = {
    ("karlskoga", "samhallsbyggnad", "bygglov"): 3,
    ("karlskoga", "social", "ekonomiskt-bistand"): 2,
    ("karlskoga", "skola", "skolplacering"): 1,
    ("degerfors", "social", "ekonomiskt-bistand"): 4,
}
ORGANIZATIONS = (None, "karlskoga", "degerfors")
PATH = "/v1/stats/category-handling"


@pytest.fixture(scope="module")
def events() -> list[CaseCreated]:
    made = []
    for (org, department, category), count in CASES.items():
        for n in range(count):
            facts = {"case_ref": f"{org[:3].upper()}-2026-{department[:3]}{n}", "channel": "email",
                     "received_at": T, "category": category, "department": department,
                     "answer_group": "grupp", "handled_by": "first_line", "rosa_level": 3}  # fmt: skip
            made.append(CaseCreated(producer="casestore", organization=org, occurred_at=T, data=facts))
    return made


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None, events: list[CaseCreated]) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=datetime(2026, 3, 20, tzinfo=UTC)) as application:
        for event in events:
            await bus.publish(topics.CASES_EVENTS, event, key=event.data.case_ref)
        handler = make_handler(stats=StatsRepository(application.state.runtime.db))
        await bus.deliver(topics.CASES_EVENTS, handler)
        yield application


def expected(caller: Caller, organization: str | None) -> int | dict[str, int]:
    """The status of a refusal, or the cases per category the answer must count."""
    if caller.role is None:
        return 401
    if caller.role == "agent" or (caller.role == "handler" and not caller.organizations):
        return 403
    if caller.organizations and organization is not None and organization not in caller.organizations:
        return 403
    if caller.role == "handler" and not caller.departments:
        return 403
    counts: dict[str, int] = {}
    for (org, department, category), n in CASES.items():
        if organization not in (None, org) or not serves(caller, org):
            continue
        if caller.role == "handler" and department not in caller.departments:
            continue
        counts[category] = counts.get(category, 0) + n
    return counts


def headers(caller: Caller) -> dict[str, str]:
    if caller.role is None:
        return {"Authorization": ""}  # the client's own supervisor token is not sent
    return bearer(caller.role, departments=caller.departments, organizations=caller.organizations)


@pytest.mark.parametrize("name", CALLERS)
async def test_category_handling_authorization_matrix(app: FastAPI, name: str) -> None:
    caller = CALLERS[name]
    client: httpx.AsyncClient = app.state.client
    problems = []
    for organization in ORGANIZATIONS:
        query = {"organization": organization} if organization else {}
        response = await client.get(PATH, params=query, headers=headers(caller))
        want = expected(caller, organization)
        where = f"{name} × {organization or 'all'}"
        if isinstance(want, int):
            if response.status_code != want or not response.json()["error"]["message"]:
                problems.append(f"{where}: HTTP {response.status_code}, expected {want}")
            continue
        if response.status_code != 200:
            problems.append(f"{where}: HTTP {response.status_code}: {response.text[:200]}")
            continue
        body: dict[str, Any] = response.json()
        got = {row["key"]: row["cases"] for row in body["categories"]}
        if got != want or body["cases"] != sum(want.values()):
            problems.append(f"{where}: {got}, expected {want}")
        narrowed = caller.role == "handler"
        if ("scope" in body) != narrowed or (
            narrowed and body["scope"]["departments"] != list(caller.departments)
        ):
            problems.append(f"{where}: scope {body.get('scope')!r}")
    assert not problems, "\n".join(problems)
