"""Synpunkter counted under the department each concerns and by kind, exactly, whatever the order and
however often the events arrive (docs/figures.md, "Synpunkter"). The answers are written out by hand.

Seven cases in Karlskoga, received on Monday 2 March 2026:

| case | channel | what happens | counts as |
| --- | --- | --- | --- |
| A | webform | the synpunkt form, the citizen chose praise | ledningskontoret, praise |
| B | webform | complaint; the agent credits kultur; first line resolved it | kultur, complaint |
| C | email | suggestion/skola, then question/samhallsbyggnad (latest wins) | samhallsbyggnad, question |
| D | email | classified praise without a department, then handed off to skola | skola, praise |
| E | webform | the synpunkt form, classified complaint/kultur, then corrected to bibliotek | not a synpunkt |
| F | email | category synpunkt, never classified | ledningskontoret, unclassified |
| G | phone | classified complaint/kultur, then erased | kultur, complaint |
| H | email | bygglov | not a synpunkt |
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.contracts.cases import (
    CaseCreated,
    CaseErased,
    CaseFeedbackClassified,
    CaseHandedOff,
    CaseRecategorised,
    CaseResolved,
)
from lotsen.contracts.envelope import Event
from lotsen.kafka.memory import InMemoryBus
from lotsen.kafka.processing import MemoryDeduplicator
from services.stats.handlers import make_handler
from services.stats.repository import StatsRepository
from tests.stats_support import bearer, stats_app

RECEIVED = datetime(2026, 3, 2, 9, tzinfo=UTC)
REF = {name: f"KGA-2026-00000{n}" for n, name in enumerate("ABCDEFGH", start=1)}


def event(cls: type[Event[Any]], case: str, minutes: int, **data: Any) -> Event[Any]:
    return cls(
        producer="casestore",
        organization="karlskoga",
        occurred_at=RECEIVED + timedelta(minutes=minutes),
        data={"case_ref": REF[case], **data},
    )


def created(case: str, channel: str, category: str = "synpunkt", **extra: Any) -> Event[Any]:
    department = "samhallsbyggnad" if category == "bygglov" else "ledningskontoret"
    return event(
        CaseCreated,
        case,
        0,
        channel=channel,
        received_at=RECEIVED,
        category=category,
        department=department,
        answer_group="ovrigt",
        handled_by="first_line",
        rosa_level=2,
        **extra,
    )


def classified(case: str, minutes: int, kind: str, department: str | None) -> Event[Any]:
    return event(
        CaseFeedbackClassified, case, minutes, kind=kind, department=department, classified_by="agent"
    )


EVENTS = [
    created("A", "webform", form_id="synpunkt", feedback_kind="praise"),
    created("B", "webform", form_id="synpunkt", feedback_kind="complaint"),
    classified("B", 10, "complaint", "kultur"),
    event(
        CaseResolved, "B", 20, resolved_at=RECEIVED, resolved_by_first_line=True, resolution_code="answered"
    ),
    created("C", "email"),
    classified("C", 10, "suggestion", "skola"),
    classified("C", 20, "question", "samhallsbyggnad"),
    created("D", "email"),
    classified("D", 10, "praise", None),
    event(
        CaseHandedOff,
        "D",
        30,
        department="skola",
        reason="r",
        due_at=RECEIVED + timedelta(days=10),
        handed_off_by="agent",
    ),
    created("E", "webform", form_id="synpunkt"),
    classified("E", 10, "complaint", "kultur"),
    event(
        CaseRecategorised,
        "E",
        20,
        category="bibliotek",
        department="kultur",
        answer_group="ovrigt",
        handled_by="first_line",
        rosa_level=1,
        reason="en fråga om lånekort",
        recategorised_by="agent",
    ),
    created("F", "email"),
    created("G", "phone"),
    classified("G", 10, "complaint", "kultur"),
    event(CaseErased, "G", 40, fields=["citizen"]),
    created("H", "email", category="bygglov"),
]


def kinds(
    praise: int = 0, complaint: int = 0, suggestion: int = 0, question: int = 0, unclassified: int = 0
) -> dict[str, int]:
    return {
        "praise": praise,
        "complaint": complaint,
        "suggestion": suggestion,
        "question": question,
        "unclassified": unclassified,
    }


def refs(*cases: str) -> list[str]:
    return [REF[c] for c in cases]


BY_DEPARTMENT = [
    {"key": "kultur", "count": 2, "by_kind": kinds(complaint=2), "refs": refs("B", "G")},
    {
        "key": "ledningskontoret",
        "count": 2,
        "by_kind": kinds(praise=1, unclassified=1),
        "refs": refs("A", "F"),
    },
    {"key": "samhallsbyggnad", "count": 1, "by_kind": kinds(question=1), "refs": refs("C")},
    {"key": "skola", "count": 1, "by_kind": kinds(praise=1), "refs": refs("D")},
]
TOTAL = {
    "count": 6,
    "by_kind": kinds(praise=2, complaint=2, question=1, unclassified=1),
    "refs": refs(*"ABCDFG"),
}


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=RECEIVED + timedelta(days=30)) as application:
        yield application


async def feed(app: FastAPI, bus: InMemoryBus, events: list[Event[Any]]) -> None:
    for item in events:
        await bus.publish(topics.CASES_EVENTS, item, key=item.data.case_ref)
    handler = make_handler(stats=StatsRepository(app.state.runtime.db))
    await bus.deliver(topics.CASES_EVENTS, handler, dedupe=MemoryDeduplicator())


async def test_each_synpunkt_counts_once_under_the_department_it_concerns_and_its_kind(
    app: FastAPI, bus: InMemoryBus
) -> None:
    client: httpx.AsyncClient = app.state.client
    await feed(app, bus, list(reversed(EVENTS)))  # every classification arrives before its case
    body = (await client.get("/v1/stats/synpunkter")).json()
    assert body == {**TOTAL, "groups": BY_DEPARTMENT}

    await feed(app, bus, EVENTS)  # redelivered, in order: nothing moves
    assert (await client.get("/v1/stats/synpunkter")).json() == {**TOTAL, "groups": BY_DEPARTMENT}

    by_channel = (await client.get("/v1/stats/synpunkter", params={"group_by": "channel"})).json()
    assert by_channel["groups"] == [
        {
            "key": "email",
            "count": 3,
            "by_kind": kinds(praise=1, question=1, unclassified=1),
            "refs": refs(*"CDF"),
        },
        {"key": "phone", "count": 1, "by_kind": kinds(complaint=1), "refs": refs("G")},
        {"key": "webform", "count": 2, "by_kind": kinds(praise=1, complaint=1), "refs": refs("A", "B")},
    ]


async def test_a_handler_reads_the_synpunkter_concerning_their_departments(
    app: FastAPI, bus: InMemoryBus
) -> None:
    client: httpx.AsyncClient = app.state.client
    await feed(app, bus, EVENTS)
    kultur = bearer("handler", departments=("kultur",), organizations=("karlskoga",))
    body = (await client.get("/v1/stats/synpunkter", headers=kultur)).json()
    # B and G sit with ledningskontoret and first line; they concern kultur. E is kultur's case, but
    # no longer a synpunkt.
    assert (body["count"], body["refs"], body["groups"]) == (2, refs("B", "G"), [BY_DEPARTMENT[0]])
    assert body["scope"]["departments"] == ["kultur"]
    ledning = bearer("handler", departments=("ledningskontoret",), organizations=("karlskoga",))
    body = (await client.get("/v1/stats/synpunkter", headers=ledning)).json()
    assert (body["count"], body["refs"]) == (2, refs("A", "F"))
    report = (await client.get("/v1/stats/report", params={"period": "2026-T1"}, headers=kultur)).json()
    [org] = report["organizations"]
    assert org["synpunkter"] == {
        "count": 2,
        "by_kind": kinds(complaint=2),
        "groups": [{"key": "kultur", "count": 2, "by_kind": kinds(complaint=2)}],
    }


async def test_the_tertial_report_lists_them_under_the_department_they_concern(
    app: FastAPI, bus: InMemoryBus
) -> None:
    client: httpx.AsyncClient = app.state.client
    await feed(app, bus, EVENTS)
    report = (await client.get("/v1/stats/report", params={"period": "2026-T1"})).json()
    [org] = report["organizations"]
    assert org["synpunkter"] == {
        "count": 6,
        "by_kind": TOTAL["by_kind"],
        "groups": [{k: g[k] for k in ("key", "count", "by_kind")} for g in BY_DEPARTMENT],
    }
    departments = {d["department"]: d for d in org["departments"]}
    assert {d: e["synpunkter"]["refs"] for d, e in departments.items()} == {
        "kultur": refs("B", "G"),
        "ledningskontoret": refs("A", "F"),
        "samhallsbyggnad": refs("C"),
        "skola": refs("D"),
    }
    # kultur has one case of its own (E, corrected to bibliotek) and two synpunkter about it.
    assert (departments["kultur"]["cases"], departments["kultur"]["synpunkter"]["count"]) == (1, 2)

    csv = (await client.get("/v1/stats/report", params={"period": "2026-T1", "format": "csv"})).text
    lines = csv.splitlines()
    for line in [
        "karlskoga,kultur,synpunkter,,count,2",
        "karlskoga,kultur,synpunkter,complaint,count,2",
        "karlskoga,kultur,synpunkter,praise,count,0",
        f"karlskoga,kultur,synpunkter,,case_ref,{REF['B']}",
        "karlskoga,ledningskontoret,synpunkter,unclassified,count,1",
        "karlskoga,samhallsbyggnad,synpunkter,question,count,1",
    ]:
        assert line in lines
