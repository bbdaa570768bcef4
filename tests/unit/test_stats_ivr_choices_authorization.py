"""``GET /v1/stats/ivr-choices`` × every kind of caller × organisation × answer group (access.py).

Knappval is telephony, like the answer rate: it belongs to answer groups, not departments. So:
- no token: 401; an agent: 403 (the dashboard is for supervisors and administrators);
- a handler, whatever their departments: 403;
- a supervisor or an administrator: the calls of the organisations their token lists (none listed:
  every one); asking for another organisation is 403, asking for none answers over their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import calls
from lotsen.kafka.memory import InMemoryBus
from services.stats.handlers import make_batch_handler
from services.stats.repository import StatsRepository
from tests.authorization import CALLERS, EVERY_ORGANIZATION, Caller, serves
from tests.casestore_support import bearer
from tests.stats_support import stats_app

T = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
# organisation → (choice, answer group, calls)
CALLS = {"karlskoga": ("4", "bygg-miljo", 2), "degerfors": ("1", "socialtjanst", 1)}
ORGANIZATIONS = (None, *EVERY_ORGANIZATION)
ANSWER_GROUPS = (None, "bygg-miljo")


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=NOW) as application:
        events = [
            calls.CallOffered(
                producer="intake",
                organization=org,
                data={"call_id": f"{org}-{n}", "at": T, "answer_group": group, "ivr_choice": choice},
            )
            for org, (choice, group, count) in CALLS.items()
            for n in range(count)
        ]
        handler = make_batch_handler(stats=StatsRepository(application.state.runtime.db))
        await handler(events)
        yield application


def expected(
    caller: Caller, organization: str | None, answer_group: str | None
) -> tuple[int, dict[str, int]]:
    """(status, calls per organisation in the answer)."""
    if caller.role is None:
        return 401, {}
    if caller.role in ("agent", "handler"):
        return 403, {}
    if organization is not None and not serves(caller, organization):
        return 403, {}
    seen = {
        org: count
        for org, (_, group, count) in CALLS.items()
        if organization in (None, org) and serves(caller, org) and answer_group in (None, group)
    }
    return 200, seen


def headers(caller: Caller) -> dict[str, str]:
    if caller.role is None:
        return {"Authorization": ""}  # the client's own supervisor token is not sent
    return bearer(caller.role, organizations=caller.organizations, departments=caller.departments)


@pytest.mark.parametrize("name", CALLERS)
async def test_ivr_choices_authorization_matrix(app: FastAPI, name: str) -> None:
    caller = CALLERS[name]
    client: httpx.AsyncClient = app.state.client
    problems = []
    for organization in ORGANIZATIONS:
        for answer_group in ANSWER_GROUPS:
            params: dict[str, Any] = {"from": "2026-03-01", "to": "2026-03-31"}
            params.update(
                {k: v for k, v in (("organization", organization), ("answer_group", answer_group)) if v}
            )
            response = await client.get("/v1/stats/ivr-choices", params=params, headers=headers(caller))
            status, seen = expected(caller, organization, answer_group)
            where = f"{name} × {organization or 'all'} × {answer_group or 'every group'}"
            if response.status_code != status:
                problems.append(
                    f"{where}: HTTP {response.status_code}, expected {status}: {response.text[:200]}"
                )
            elif status != 200:
                if not response.json()["error"]["message"]:
                    problems.append(f"{where}: a refusal without a message")
            else:
                got = {r["organization"]: r["calls"] for r in response.json()["choices"]}
                if got != seen:
                    problems.append(f"{where}: calls {got}, expected {seen}")
    assert not problems, "\n".join(problems)
