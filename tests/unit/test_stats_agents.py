"""Per-agent figures, exactly (docs/figures.md, *Per handläggare*): a handful of agents, calls and
cases with the answers worked out by hand below, the same whatever the order of the events and
however often they are redelivered; and the retention, which deletes old per-agent figures and the
staff names behind them while the organisation's figures stay as they were."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import calls, cases
from lotsen.contracts.envelope import Event
from lotsen.kafka.memory import InMemoryBus
from lotsen.leases import Lease, RunOnce
from services.stats.agents import setup
from services.stats.agents.retention import apply_retention
from services.stats.handlers import Ingest
from services.stats.repository import StatsRepository
from tests.casestore_support import bearer
from tests.stats_support import stats_app

MONDAY_W10 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 2 March 2026, 09:00 in Stockholm
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
W10 = {"from": "2026-03-02", "to": "2026-03-08"}
W10_W11 = {"from": "2026-03-02", "to": "2026-03-15"}


def call_events(
    call_id: str,
    group: str,
    *,
    agent: str | None,
    day: int = 0,
    talk: float | None = None,
    wrap: float | None = None,
    organization: str = "karlskoga",
) -> list[Event[Any]]:
    """A call offered ``day`` days after Monday of week 10 and answered (by ``agent``)."""
    at = MONDAY_W10 + timedelta(days=day)

    def ev(cls: type[Event[Any]], seconds: int, **data: Any) -> Event[Any]:
        payload = {"call_id": call_id, "at": at + timedelta(seconds=seconds), "answer_group": group, **data}
        return cls(producer="intake", organization=organization, data=payload)  # type: ignore[call-arg]

    made = [ev(calls.CallOffered, 0), ev(calls.CallAnswered, 10, wait_seconds=10.0, agent=agent)]
    if talk is not None:
        made.append(ev(calls.CallEnded, 10 + int(talk), talk_seconds=talk))
    if wrap is not None:
        made.append(ev(calls.CallWrappedUp, 20 + int(talk or 0), wrap_up_seconds=wrap, source="telephony"))
    return made


def abandoned(call_id: str, group: str) -> list[Event[Any]]:
    data = {"call_id": call_id, "at": MONDAY_W10, "answer_group": group}
    return [
        calls.CallOffered(producer="intake", organization="karlskoga", data=data),
        calls.CallAbandoned(producer="intake", organization="karlskoga", data={**data, "wait_seconds": 30.0}),
    ]


def case_events(
    ref: str, *steps: tuple[str, dict[str, Any]], handled_by: str = "first_line"
) -> list[Event[Any]]:
    """A case received on Monday of week 10, then ``steps`` (event type, data) a minute apart."""
    types = {
        "resolved": cases.CaseResolved,
        "handed_off": cases.CaseHandedOff,
        "returned": cases.CaseReturned,
        "reopened": cases.CaseReopened,
        "closed": cases.CaseClosed,
        "survey": cases.CaseSurveyAnswered,
    }

    def ev(cls: type[Event[Any]], minutes: int, **data: Any) -> Event[Any]:
        return cls(  # type: ignore[call-arg]
            producer="casestore",
            organization="karlskoga",
            occurred_at=MONDAY_W10 + timedelta(minutes=minutes),
            data={"case_ref": ref, **data},
        )

    made = [
        ev(
            cases.CaseCreated,
            0,
            channel="phone",
            received_at=MONDAY_W10,
            category="ovriga-arenden",
            department="samhallsbyggnad" if handled_by == "department" else None,
            answer_group="vard-omsorg",
            handled_by=handled_by,
            rosa_level=5 if handled_by == "department" else 1,
        )
    ]
    for minutes, (kind, data) in enumerate(steps, start=1):
        if kind == "resolved":
            data = {
                "resolved_at": MONDAY_W10 + timedelta(minutes=minutes),
                "resolution_code": "answered",
                **data,
            }
        if kind == "handed_off":
            data = {"due_at": MONDAY_W10 + timedelta(days=5), "reason": "behöver förvaltningen", **data}
        made.append(ev(types[kind], minutes, **data))
    return made


def resolved(by: str, *, first_line: bool = True) -> tuple[str, dict[str, Any]]:
    return ("resolved", {"resolved_by": by, "resolved_by_first_line": first_line})


def survey(**answers: int) -> tuple[str, dict[str, Any]]:
    return ("survey", {"answers": answers})


EVENTS: list[Event[Any]] = [
    # Monday of week 10, answer group vård och omsorg: five calls answered, three by Anna.
    *call_events("c1", "vard-omsorg", agent="anna", talk=300, wrap=60),
    *call_events("c2", "vard-omsorg", agent="anna", talk=200),  # no wrap-up reported
    *call_events("c3", "vard-omsorg", agent="bertil", talk=100, wrap=20),
    *call_events("c4", "vard-omsorg", agent=None, talk=50),  # the telephony named nobody
    *call_events("c8", "vard-omsorg", agent="anna", day=2),  # Wednesday; not ended yet
    # Bygg och miljö: Bertil answers one in week 10, Cecilia one in week 11; one caller gives up.
    *call_events("c5", "bygg-miljo", agent="bertil", talk=400, wrap=40),
    *abandoned("c6", "bygg-miljo"),
    *call_events("c7", "bygg-miljo", agent="cecilia", day=8, talk=120, wrap=30),  # Tuesday of week 11
    # Degerfors, whose calls the same contact centre answers.
    *call_events("d1", "vard-omsorg", agent="anna", talk=60, organization="degerfors"),
    # Cases received Monday of week 10.
    *case_events("K-1", resolved("anna"), survey(bemotande=5, kunskap=4, tillganglighet=3)),
    *case_events("K-2", resolved("anna"), survey(bemotande=3, kunskap=4)),
    # Handed off, returned and resolved by Anna: it needed the department, so it is no agent's.
    *case_events(
        "K-3",
        ("handed_off", {"department": "samhallsbyggnad", "handed_off_by": "anna"}),
        ("returned", {"reason": "hör till första linjen"}),
        resolved("anna", first_line=False),
        survey(bemotande=1, kunskap=1),
    ),
    # Resolved by Bertil, reopened, resolved again by Cecilia: the latest resolution counts.
    *case_events(
        "K-4",
        resolved("bertil"),
        ("reopened", {"reason": "medborgaren skrev igen"}),
        resolved("cecilia"),
        survey(bemotande=4, kunskap=4, tillganglighet=4),
    ),
    # Routed straight to a department and resolved by its handler: no agent's.
    *case_events("K-5", resolved("hanna", first_line=False), handled_by="department"),
    # A duplicate merged into K-1: resolved once, on K-1.
    *case_events("K-6", resolved("anna"), ("closed", {"merged_into": "K-1"})),
]


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=NOW) as application:
        yield application


async def feed(app: FastAPI, events: list[Event[Any]], *, seed: int) -> None:
    """The events shuffled, in polls of 7, then all of them again (a redelivery after a crash)."""
    ingest = Ingest(StatsRepository(app.state.runtime.db), app.state.settings)
    shuffled = list(events)
    random.Random(seed).shuffle(shuffled)
    for start in range(0, len(shuffled), 7):
        await ingest.apply(shuffled[start : start + 7])
    await ingest.apply(events)


def as_agent(name: str, *organizations: str) -> dict[str, str]:
    return bearer("agent", organizations=organizations, subject=name)


SUPERVISOR = bearer("supervisor", organizations=("karlskoga",), subject="sara")


def satisfaction(responses: int, **means: tuple[float | None, int]) -> dict[str, Any]:
    targets = {"bemotande": 4.3, "kunskap": 4.0, "tillganglighet": None}
    body: dict[str, Any] = {"responses": responses}
    for question, target in targets.items():
        mean, count = means.get(question, (None, 0))
        met = None if mean is None or target is None else mean >= target
        body[question] = {"mean": mean, "count": count, "target": target, "met": met}
    return body


NO_SURVEY = satisfaction(0)


async def get(client: httpx.AsyncClient, path: str, headers: dict[str, str], **params: str) -> Any:
    response = await client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("seed", [1, 2])
async def test_an_agents_own_week_by_hand(app: FastAPI, seed: int) -> None:
    await feed(app, EVENTS, seed=seed)
    client: httpx.AsyncClient = app.state.client
    mine = await get(client, "/v1/stats/agents/me", as_agent("anna", "karlskoga"), **W10)
    # Week 10 in vård och omsorg: 5 calls answered (c1, c2, c3, c4, c8), Anna 3 of them. c1 and c2
    # ended: talk (300 + 200) / 2 = 250; wrap-up only c1's 60; handling over c1 alone, 300 + 60.
    # Cases K-1 and K-2 resolved at first line; their answers: bemötande (5 + 3) / 2, kunskap 4,
    # tillgänglighet 3 from K-1 alone.
    anna_w10 = {
        "answered_calls": 3,
        "answered_in_groups": 5,
        "answer_share": 0.6,
        "handled_calls": 2,
        "wrapped_up_calls": 1,
        "talked_and_wrapped_calls": 1,
        "mean_talk_seconds": 250.0,
        "mean_wrap_up_seconds": 60.0,
        "mean_handling_seconds": 360.0,
        "resolved_first_line": 2,
        "satisfaction": satisfaction(2, bemotande=(4.0, 2), kunskap=(4.0, 2), tillganglighet=(3.0, 1)),
    }
    assert mine["agent"] == "anna"
    assert mine["total"] == anna_w10
    assert mine["groups"] == [{"key": "2026-W10", **anna_w10}]
    # Serving Degerfors too, Anna's d1 counts, against Degerfors' own group: 4 of 5 + 1 answered;
    # handled c1, c2, d1: talk (300 + 200 + 60) / 3; handling still c1's alone.
    both = await get(client, "/v1/stats/agents/me", as_agent("anna", "karlskoga", "degerfors"), **W10)
    assert both["total"] | {"satisfaction": None} == anna_w10 | {
        "answered_calls": 4,
        "answered_in_groups": 6,
        "answer_share": 4 / 6,
        "handled_calls": 3,
        "mean_talk_seconds": round(560 / 3, 3),
        "satisfaction": None,
    }


@pytest.mark.parametrize("seed", [3])
async def test_the_team_table_by_hand(app: FastAPI, seed: int) -> None:
    await feed(app, EVENTS, seed=seed)
    client: httpx.AsyncClient = app.state.client
    team = await get(client, "/v1/stats/agents", SUPERVISOR, **W10_W11)
    rows = {row.pop("agent"): row for row in team["agents"]}
    assert list(rows) == ["anna", "bertil", "cecilia"]  # not Hanna: she resolved no first-line case
    # Weeks 10–11: vård och omsorg answered 5 (Karlskoga), bygg och miljö 2 (c5, c7).
    assert rows["anna"]["answered_calls"] == 3 and rows["anna"]["answer_share"] == 3 / 5
    # Bertil: c3 (vård) and c5 (bygg) of 5 + 2; talk (100 + 400) / 2, wrap-up (20 + 40) / 2,
    # handling (120 + 440) / 2. K-4 was his, then Cecilia resolved it again: hers.
    assert rows["bertil"] == {
        "answered_calls": 2,
        "answered_in_groups": 7,
        "answer_share": 2 / 7,
        "handled_calls": 2,
        "wrapped_up_calls": 2,
        "talked_and_wrapped_calls": 2,
        "mean_talk_seconds": 250.0,
        "mean_wrap_up_seconds": 30.0,
        "mean_handling_seconds": 280.0,
        "resolved_first_line": 0,
        "satisfaction": NO_SURVEY,
    }
    # Cecilia: c7 of bygg's 2; K-4 and its answer.
    assert rows["cecilia"] == {
        "answered_calls": 1,
        "answered_in_groups": 2,
        "answer_share": 0.5,
        "handled_calls": 1,
        "wrapped_up_calls": 1,
        "talked_and_wrapped_calls": 1,
        "mean_talk_seconds": 120.0,
        "mean_wrap_up_seconds": 30.0,
        "mean_handling_seconds": 150.0,
        "resolved_first_line": 1,
        "satisfaction": satisfaction(1, bemotande=(4.0, 1), kunskap=(4.0, 1), tillganglighet=(4.0, 1)),
    }
    # The team: Karlskoga's 7 answered calls, 1 without an agent; 3 cases resolved at first line.
    total = team["total"]
    assert (total["answered_calls"], total["unattributed_calls"], total["resolved_first_line"]) == (7, 1, 3)
    # One group only: bygg och miljö.
    bygg = await get(client, "/v1/stats/agents", SUPERVISOR, answer_group="bygg-miljo", **W10_W11)
    assert [(r["agent"], r["answered_calls"], r["answer_share"]) for r in bygg["agents"]] == [
        ("bertil", 1, 0.5),
        ("cecilia", 1, 0.5),
    ]
    # By week, as the supervisor opens one agent: Cecilia's call in week 11, her case in week 10.
    cecilia = await get(client, "/v1/stats/agents/cecilia", SUPERVISOR, **W10_W11)
    weeks = {g["key"]: (g["answered_calls"], g["resolved_first_line"]) for g in cecilia["groups"]}
    assert weeks == {"2026-W10": (0, 1), "2026-W11": (1, 0)}


async def test_the_organisation_figures_do_not_change_and_name_nobody(app: FastAPI) -> None:
    await feed(app, EVENTS, seed=4)
    client: httpx.AsyncClient = app.state.client
    rate = await get(client, "/v1/stats/answer-rate", {}, organization="karlskoga", **W10_W11)
    assert (rate["answered"], rate["abandoned"]) == (7, 1)
    stored = await StatsRepository(app.state.runtime.db).collections()
    for name in ("buckets_day", "buckets_month"):
        for doc in stored[name]:
            for person in ("anna", "bertil", "cecilia", "hanna"):
                assert person not in str(doc["cells"]), f"{person} in {name}"


async def test_retention_deletes_old_per_agent_figures_and_names_not_the_organisations(
    app: FastAPI,
) -> None:
    await feed(app, EVENTS, seed=5)
    client: httpx.AsyncClient = app.state.client
    db = app.state.runtime.db
    before = {
        path: await get(client, path, {}, organization="karlskoga", **W10_W11)
        for path in ("/v1/stats/answer-rate", "/v1/stats/resolution", "/v1/stats/satisfaction")
    }
    team = await get(client, "/v1/stats/agents", SUPERVISOR, **W10_W11)
    assert len(team["agents"]) == 3
    # 396 days kept: on 6 April 2027 the oldest day kept is 6 March 2026 — week 10's Monday to
    # Wednesday (calls c1–c6, c8 and every case) are past it, Tuesday 10 March (c7) is not.
    later = datetime(2027, 4, 6, 10, 0, tzinfo=UTC)
    app.state.clock = lambda: later
    removed = await apply_retention(app.state.agents, app.state.agent_aggregator, later)
    assert removed.days == 4  # Karlskoga's calls of 2 and 4 March and cases of 2 March; Degerfors' calls
    team = await get(client, "/v1/stats/agents", SUPERVISOR, **W10_W11)
    assert [(r["agent"], r["answered_calls"]) for r in team["agents"]] == [("cecilia", 1)]
    assert team["kept_from"] == "2026-03-06"
    # The staff names are gone from the state of the old days, and stay gone after a late event.
    old = [doc async for doc in db["call_state"].find({"_id": {"$in": ["c1", "c3", "c8", "d1"]}})]
    assert old and not any(name in str(doc) for doc in old for name in ("anna", "bertil"))
    old_cases = [doc async for doc in db["case_state"].find({})]
    assert not any(name in str(doc) for doc in old_cases for name in ("anna", "bertil", "cecilia", "hanna"))
    # A redelivered event brings a name back into the state, but not into the figures: a day past
    # the retention is not derived again. The next pass removes the name again, and then nothing.
    await Ingest(StatsRepository(db), app.state.settings).apply(
        [e for e in EVENTS if getattr(e.data, "case_ref", None) == "K-1"]
    )
    assert [r["agent"] for r in (await get(client, "/v1/stats/agents", SUPERVISOR, **W10_W11))["agents"]] == [
        "cecilia"
    ]
    # The organisation's figures are as they were.
    for path, figure in before.items():
        assert await get(client, path, {}, organization="karlskoga", **W10_W11) == figure, path
    assert await apply_retention(app.state.agents, app.state.agent_aggregator, later) == type(removed)(0, 1)
    assert await apply_retention(app.state.agents, app.state.agent_aggregator, later) == type(removed)(0, 0)


class Replica:
    """What stats' start-up asks of the runtime, recorded instead of run: the leased jobs."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.run_consumers = True
        self.leased: dict[str, Any] = {}

    def background(self, work: Any, stop: asyncio.Event) -> None:
        work.close()  # the aggregator's loop: this test flushes by asking

    def background_once(self, job: str, work: Any, stop: asyncio.Event) -> None:
        self.leased[job] = work


async def test_the_retention_is_a_leased_job_that_runs_on_one_replica(app: FastAPI) -> None:
    await feed(app, EVENTS, seed=6)
    client: httpx.AsyncClient = app.state.client
    assert len((await get(client, "/v1/stats/agents", SUPERVISOR, **W10_W11))["agents"]) == 3
    later = datetime(2027, 4, 6, 10, 0, tzinfo=UTC)
    app.state.clock = lambda: later
    db = app.state.runtime.db
    replicas = [Replica(db), Replica(db)]
    for replica in replicas:
        await setup.start(app, replica, app.state.stats, app.state.settings)  # type: ignore[arg-type]
    runners = [
        RunOnce(
            Lease(db, setup.RETENTION_LEASE, holder=f"replica-{n}", ttl=timedelta(seconds=30)),
            replica.leased[setup.RETENTION_LEASE],
            renew_every=10,
        )
        for n, replica in enumerate(replicas)
    ]
    try:
        assert [await runner.step() for runner in runners] == [True, False]
        for _ in range(50):
            await asyncio.sleep(0.02)
            if not await app.state.agents.days(
                lower="2026-03-02", upper="2026-03-05", organization=None, organizations=None
            ):
                break
        team = await get(client, "/v1/stats/agents", SUPERVISOR, **W10_W11)
        assert [row["agent"] for row in team["agents"]] == ["cecilia"]
    finally:
        for runner in runners:
            await runner._cancel()


async def test_bad_periods_and_groupings_say_what_is_wrong(app: FastAPI) -> None:
    client: httpx.AsyncClient = app.state.client
    mine = as_agent("anna", "karlskoga")
    backwards = await client.get(
        "/v1/stats/agents/me", params={"from": "2026-03-08", "to": "2026-03-02"}, headers=mine
    )
    assert backwards.status_code == 422 and "before" in backwards.json()["error"]["message"]
    tertial = await client.get("/v1/stats/agents/me", params={"group_by": "tertial"}, headers=mine)
    assert tertial.status_code == 422
    nothing = await get(client, "/v1/stats/agents/me", mine, **W10)
    assert nothing["groups"] == [] and nothing["total"]["answered_calls"] == 0
    assert nothing["total"]["answer_share"] is None  # nothing to divide by: no value, not 0 %
