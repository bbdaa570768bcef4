"""``GET /v1/stats/time-spent`` × every reader × every organisation (services/stats/access.py).

As every figure: no token 401; an agent 403; a token naming organisations reads only those (another
one 403); a handler with no departments or no organisations 403. Calls are kept per answer group,
not per department, so a handler is answered with the written errands of their departments only,
``calls`` null and ``calls_withheld`` saying why; supervisors and administrators read both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import calls, cases, topics
from lotsen.contracts.envelope import Event
from lotsen.kafka.memory import InMemoryBus
from lotsen.kafka.processing import MemoryDeduplicator
from services.stats.handlers import make_handler
from services.stats.repository import StatsRepository
from tests.stats_support import bearer, stats_app
from tests.unit.test_stats_authorization import CALLS, CASES, NOW, ORGANIZATIONS, READERS, T, created

PATH = "/v1/stats/time-spent"


def taken_and_replied(case: Event[Any]) -> list[Event[Any]]:
    """Taken up at T + 1 min, replied to at T + 3 min: 120 seconds each."""
    ref, org = case.data.case_ref, case.organization
    taken = T + timedelta(minutes=1)
    replied = T + timedelta(minutes=3)
    return [
        case,
        cases.CaseAssigned(
            producer="casestore",
            organization=org,
            occurred_at=taken,
            data={"case_ref": ref, "assignee": "anna"},
        ),
        cases.CaseMessageAdded(
            producer="casestore",
            organization=org,
            occurred_at=replied,
            data={
                "case_ref": ref,
                "message_id": f"{ref}-r",
                "direction": "outbound",
                "channel": "email",
                "at": replied,
            },
        ),
    ]


def talked(organization: str, n: int) -> list[Event[Any]]:
    """Answered and talked 100 seconds."""
    base = {"call_id": f"{organization}-{n}", "answer_group": "bygg-miljo"}
    return [
        calls.CallOffered(producer="intake", organization=organization, data={**base, "at": T}),
        calls.CallAnswered(
            producer="intake", organization=organization, data={**base, "at": T, "wait_seconds": 5}
        ),
        calls.CallEnded(
            producer="intake", organization=organization, data={**base, "at": T, "talk_seconds": 100}
        ),
    ]


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    made = [
        e
        for (o, d), count in CASES.items()
        for n in range(count)
        for e in taken_and_replied(created(o, d, n))
    ]
    made += [e for o, count in CALLS.items() for n in range(count) for e in talked(o, n)]
    async with stats_app(bus, now=NOW) as application:
        for event in made:
            topic = topics.CALLS_EVENTS if event.type.startswith("call.") else topics.CASES_EVENTS
            await bus.publish(topic, event, key="k")
        handler = make_handler(
            stats=StatsRepository(application.state.runtime.db), settings=application.state.settings
        )
        for topic in (topics.CALLS_EVENTS, topics.CASES_EVENTS):
            await bus.deliver(topic, handler, dedupe=MemoryDeduplicator())
        yield application


def expected(reader: str, organization: str | None) -> tuple[int, dict[str, Any] | None]:
    """The status, and for a 200 the written cases, the calls (None: withheld) and the scope."""
    token = READERS[reader]
    if token is None:
        return 401, None
    role, departments, organizations = token
    if role == "agent" or (role == "handler" and (not organizations or not departments)):
        return 403, None
    if organizations and organization is not None and organization not in organizations:
        return 403, None
    orgs = [
        o
        for o in ("karlskoga", "degerfors")
        if organization in (None, o) and (not organizations or o in organizations)
    ]
    written = sum(n for (o, d), n in CASES.items() if o in orgs and (role != "handler" or d in departments))
    handler = role == "handler"
    return 200, {
        "written": written,
        "calls": None if handler else sum(CALLS[o] for o in orgs),
        "scope": {"organizations": list(organizations), "departments": list(departments)}
        if handler
        else None,
    }


@pytest.mark.parametrize("reader", READERS)
async def test_matrix(app: FastAPI, reader: str) -> None:
    client: httpx.AsyncClient = app.state.client
    token = READERS[reader]
    headers = {"Authorization": ""}  # the client's own supervisor token is not sent
    if token is not None:
        headers = bearer(token[0], departments=token[1], organizations=token[2])  # type: ignore[arg-type]
    observed, wanted = {}, {}
    for organization in ORGANIZATIONS:
        params = {"organization": organization} if organization else {}
        response = await client.get(PATH, params=params, headers=headers)
        status, want = expected(reader, organization)
        wanted[organization] = (status, want)
        if response.status_code != 200:
            assert response.json()["error"]["message"], "a refusal says why"
            observed[organization] = (response.status_code, None)
            continue
        body = response.json()
        written = body["written"]
        assert written["handling"]["total_seconds"] == 120 * written["count"]
        calls_seen = None if body["calls"] is None else body["calls"]["talk"]["count"]
        assert (body["calls"] is None) == ("calls_withheld" in body)
        observed[organization] = (
            200,
            {"written": written["count"], "calls": calls_seen, "scope": body.get("scope")},
        )
    assert observed == wanted
