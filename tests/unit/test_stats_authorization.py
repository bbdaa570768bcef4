"""Every figure endpoint × every reader × every organisation: answered, refused, and over what (DESIGN §7).

Expected, per reader (``services/stats/access.py``):
- no token: 401; an agent (first line): 403 — the dashboard is for supervisors and administrators;
- a handler: their departments' case figures only, also when asking for the whole organisation;
  telephony and outbound figures (no department) 403;
- a supervisor or an administrator: everything;
- a token naming organisations reads only those: another one is 403, none means the token's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
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

T = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
# (organisation, department) → cases; every case came by e-mail in March 2026.
CASES = {("karlskoga", "samhallsbyggnad"): 2, ("karlskoga", "skola"): 1, ("karlskoga", "social"): 3,
         ("degerfors", "social"): 4}  # fmt: skip
CALLS = {"karlskoga": 2, "degerfors": 1}
ORGANIZATIONS = (None, "karlskoga", "degerfors")

# name → (role, departments, organisations in the token); None: no token.
READERS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]] | None] = {
    "anonymous": None,
    "agent": ("agent", (), ("karlskoga", "degerfors")),
    "handler": ("handler", ("samhallsbyggnad", "skola"), ("karlskoga",)),
    "handler-degerfors": ("handler", ("social",), ("degerfors",)),
    "handler-of-nothing": ("handler", (), ("karlskoga",)),
    # Department ids repeat across organisations: departments without organisations mean nothing.
    "handler-of-no-organisation": ("handler", ("social",), ()),
    "supervisor": ("supervisor", (), ("karlskoga", "degerfors")),
    "supervisor-karlskoga": ("supervisor", (), ("karlskoga",)),
    "admin": ("admin", (), ()),
}

# name → (path, extra parameters, kind of what it counts)
ENDPOINTS: dict[str, tuple[str, dict[str, str], str]] = {
    "answer-rate": ("/v1/stats/answer-rate", {}, "calls"),
    "email-response": ("/v1/stats/email-response", {}, "cases"),
    "resolution": ("/v1/stats/resolution", {}, "cases"),
    "satisfaction": ("/v1/stats/satisfaction", {}, "cases"),
    "backlog": ("/v1/stats/backlog", {"group_by": "department"}, "cases"),
    "volumes": ("/v1/stats/volumes", {"group_by": "department"}, "cases"),
    "volumes-calls": ("/v1/stats/volumes", {"kind": "calls"}, "calls"),
    "volumes-outbound": ("/v1/stats/volumes", {"kind": "outbound"}, "outbound"),
    "charging": ("/v1/stats/volumes/charging", {"month": "2026-03"}, "cases"),
    "synpunkter": ("/v1/stats/synpunkter", {}, "cases"),
    "report": ("/v1/stats/report", {"period": "2026-T1"}, "cases"),
    "report-csv": ("/v1/stats/report", {"period": "2026-T1", "format": "csv"}, "cases"),
    "category-handling": ("/v1/stats/category-handling", {"group_by": "department"}, "cases"),
}


def created(organization: str, department: str, n: int) -> Event[Any]:
    ref = f"{organization[:3].upper()}-2026-{department[:3]}{n}"
    facts = {"case_ref": ref, "channel": "email", "received_at": T, "category": "bygglov",
             "department": department, "answer_group": "bygg-miljo", "handled_by": "department",
             "rosa_level": 5}  # fmt: skip
    return cases.CaseCreated(producer="casestore", organization=organization, occurred_at=T, data=facts)


def offered(organization: str, n: int) -> Event[Any]:
    data = {"call_id": f"{organization}-{n}", "at": T, "answer_group": "bygg-miljo", "from": "+46701234567"}
    return calls.CallOffered(producer="intake", organization=organization, data=data)


@pytest.fixture(scope="module")
def events() -> list[Event[Any]]:
    made = [created(o, d, n) for (o, d), count in CASES.items() for n in range(count)]
    return made + [offered(o, n) for o, count in CALLS.items() for n in range(count)]


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None, events: list[Event[Any]]) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=NOW) as application:
        for event in events:
            topic = topics.CALLS_EVENTS if event.type.startswith("call.") else topics.CASES_EVENTS
            await bus.publish(topic, event, key=getattr(event.data, "case_ref", None) or event.data.call_id)
        stats = StatsRepository(application.state.runtime.db)
        handler = make_handler(stats=stats, settings=application.state.settings)
        for topic in (topics.CALLS_EVENTS, topics.CASES_EVENTS):
            await bus.deliver(topic, handler, dedupe=MemoryDeduplicator())
        yield application


def expected_status(reader: str, endpoint: str, organization: str | None) -> int:
    token = READERS[reader]
    if token is None:
        return 401
    role, departments, organizations = token
    if role == "agent" or (role == "handler" and not organizations):
        return 403
    if organizations and organization is not None and organization not in organizations:
        return 403
    if role == "handler" and (not departments or ENDPOINTS[endpoint][2] != "cases"):
        return 403
    return 200


def visible(reader: str, organization: str | None) -> dict[str, int]:
    """What the reader's answer must count: cases per department, and calls."""
    token = READERS[reader]
    assert token is not None
    role, departments, organizations = token
    asked = [o for o in ("karlskoga", "degerfors") if organization in (None, o)]
    orgs = [o for o in asked if not organizations or o in organizations]
    seen: dict[str, int] = {}
    for (org, department), count in CASES.items():
        if org in orgs and (role != "handler" or department in departments):
            seen[department] = seen.get(department, 0) + count
    calls_seen = 0 if role == "handler" else sum(CALLS[o] for o in orgs)  # calls have no department
    return {"cases": sum(seen.values()), "calls": calls_seen, **seen}


def counted(endpoint: str, body: Any) -> dict[str, int]:
    """The same counts, as the answer gives them."""
    if endpoint in ("volumes", "backlog"):
        groups = {g["key"]: g["count"] if endpoint == "volumes" else g["open"] for g in body["groups"]}
        return {"cases": body["total"] if endpoint == "volumes" else body["open"], **groups}
    if endpoint == "report":
        departments: dict[str, int] = {}
        for report in body["organizations"]:
            for d in report["departments"]:
                departments[d["department"]] = departments.get(d["department"], 0) + d["cases"]
        offered_calls = sum(o["answer_rate"]["offered"] for o in body["organizations"])
        return {
            "cases": sum(o["cases"] for o in body["organizations"]),
            "calls": offered_calls,
            **departments,
        }
    if endpoint == "category-handling":
        groups = {g["key"]: g["cases"] for g in body["groups"]}
        return {"cases": body["cases"], **groups}
    if endpoint == "email-response":
        return {"cases": body["in_time"] + body["missed"] + body["pending"]}
    if endpoint == "resolution":
        return {"cases": body["resolved_first_line"] + body["handed_off"] + body["pending"]}
    if endpoint == "answer-rate":
        return {"calls": body["offered"]}
    return {}


async def answer_problem(
    client: httpx.AsyncClient, reader: str, endpoint: str, organization: str | None
) -> str | None:
    """What is wrong with the answer to one cell of the matrix, or None."""
    path, params, _ = ENDPOINTS[endpoint]
    token = READERS[reader]
    headers = {"Authorization": ""}  # the client's own supervisor token is not sent
    if token is not None:
        headers = bearer(token[0], departments=token[1], organizations=token[2])  # type: ignore[arg-type]
    query = {**params, **({"organization": organization} if organization else {})}
    response = await client.get(path, params=query, headers=headers)
    want = expected_status(reader, endpoint, organization)
    if response.status_code != want:
        return f"HTTP {response.status_code}, expected {want}: {response.text[:300]}"
    if want != 200:
        return None if response.json()["error"]["message"] else "a refusal without a message"
    expected = visible(reader, organization)
    departments = set(expected) - {"cases", "calls"}
    if endpoint == "report-csv":
        listed = {line.split(",")[1] for line in response.text.splitlines()[1:]} - {""}
        return (
            None if listed == departments else f"departments {sorted(listed)}, expected {sorted(departments)}"
        )
    body = response.json()
    got = counted(endpoint, body)
    if got != {key: expected.get(key, 0) for key in got}:
        return f"counts {got}, expected {expected}"
    if (
        endpoint in ("volumes", "backlog", "report", "category-handling")
        and set(got) - {"cases", "calls"} != departments
    ):
        return f"departments {sorted(set(got))}, expected {sorted(departments)}"
    if endpoint == "charging" and {g["key"] for g in body["groups"]} != departments:
        return f"charging lists {[g['key'] for g in body['groups']]}, expected {sorted(departments)}"
    narrowed = token is not None and token[0] == "handler"
    if ("scope" in body) != narrowed or (narrowed and body["scope"]["departments"] != list(token[1])):  # type: ignore[index]
        return f"scope {body.get('scope')!r}"
    return None


@pytest.mark.parametrize("reader", READERS)
async def test_stats_authorization_matrix(app: FastAPI, reader: str) -> None:
    """One reader against every endpoint and every organisation (and none)."""
    client: httpx.AsyncClient = app.state.client
    problems = []
    for endpoint in ENDPOINTS:
        for organization in ORGANIZATIONS:
            problem = await answer_problem(client, reader, endpoint, organization)
            if problem:
                problems.append(f"{reader} × {endpoint} × {organization or 'all'}: {problem}")
    assert not problems, "\n".join(problems)


async def test_metrics_and_health_stay_open_and_name_no_person(app: FastAPI, bus: InMemoryBus) -> None:
    answered = calls.CallAnswered(
        producer="intake",
        organization="karlskoga",
        data={
            "call_id": "karlskoga-0",
            "at": T,
            "answer_group": "bygg-miljo",
            "from": "+46701234567",
            "wait_seconds": 12.0,
            "agent": "anna.andersson",
        },
    )
    await bus.publish(topics.CALLS_EVENTS, answered, key="karlskoga-0")
    stats = StatsRepository(app.state.runtime.db)
    await bus.deliver(topics.CALLS_EVENTS, make_handler(stats=stats, settings=app.state.settings))
    client: httpx.AsyncClient = app.state.client
    anonymous = {"Authorization": ""}
    for path in ("/healthz", "/readyz", "/metrics"):
        assert (await client.get(path, headers=anonymous)).status_code == 200, path
    metrics = (await client.get("/metrics", headers=anonymous)).text
    assert "lotsen_stats_calls_offered_total" in metrics
    for personal in ("+46701234567", "46701234567", "anna", "KAR-2026-", "DEG-2026-"):
        assert personal not in metrics, f"/metrics shows {personal!r}"
    refused = await client.get("/v1/stats/answer-rate", headers=anonymous)
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
