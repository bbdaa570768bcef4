"""Kategori × hanterad av, exactly: a handful of cases whose answer is counted by hand below
(docs/figures.md, *Kategori × hanterad av*), delivered shuffled and twice."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.contracts.cases import (
    CaseClosed,
    CaseCreated,
    CaseHandedOff,
    CaseRecategorised,
    CaseResolved,
    CaseReturned,
)
from lotsen.contracts.envelope import Event
from lotsen.kafka.memory import InMemoryBus
from services.stats.handlers import make_handler
from services.stats.repository import StatsRepository
from tests.stats_support import bearer, stats_app

MARCH = datetime(2026, 3, 10, 9, tzinfo=UTC)
APRIL = datetime(2026, 4, 2, 9, tzinfo=UTC)
NOW = datetime(2026, 4, 20, 12, tzinfo=UTC)
ROUTING = {  # category → (department, handled_by) as routing decides
    "bygglov": ("samhallsbyggnad", "first_line"),
    "miljotillsyn": ("samhallsbyggnad", "department"),
    "skolplacering": ("skola", "first_line"),
    "ovriga-arenden": (None, "first_line"),
}


class Plan:
    def __init__(self) -> None:
        self.events: list[Event[Any]] = []

    def case(
        self, ref: str, category: str, *steps: str, org: str = "karlskoga", at: datetime = MARCH
    ) -> None:
        """A case and what happened to it: ``resolved`` (by first line), ``resolved-by-department``,
        ``handoff:<department>``, ``returned``, ``merged``, ``recategorised:<category>``."""
        department, handled_by = ROUTING[category]
        minute = 0

        def event(cls: type[Event[Any]], **data: Any) -> Event[Any]:
            nonlocal minute
            minute += 10
            when = at + timedelta(minutes=minute)
            return cls(
                producer="casestore", organization=org, occurred_at=when, data={"case_ref": ref, **data}
            )

        created = {"channel": "email", "received_at": at, "category": category, "department": department,
                   "answer_group": "grupp", "handled_by": handled_by, "rosa_level": 3}  # fmt: skip
        self.events.append(event(CaseCreated, **created))
        for step in steps:
            name, _, arg = step.partition(":")
            if name == "resolved" or name == "resolved-by-department":
                by_first_line = name == "resolved"
                self.events.append(
                    event(
                        CaseResolved,
                        resolved_at=at + timedelta(hours=1),
                        resolved_by_first_line=by_first_line,
                        resolution_code="answered",
                    )
                )
            elif name == "handoff":
                self.events.append(
                    event(
                        CaseHandedOff,
                        department=arg,
                        reason="r",
                        due_at=at + timedelta(days=5),
                        handed_off_by="agent",
                    )
                )
            elif name == "returned":
                self.events.append(event(CaseReturned, reason="fel förvaltning"))
            elif name == "merged":
                self.events.append(event(CaseClosed, merged_into="KGA-2026-M1"))
            elif name == "recategorised":
                new_department, new_handled_by = ROUTING[arg]
                self.events.append(
                    event(
                        CaseRecategorised,
                        category=arg,
                        department=new_department,
                        answer_group="grupp",
                        handled_by=new_handled_by,
                        rosa_level=3,
                        old_category=category,
                        reason="felklassat",
                        recategorised_by="agent",
                    )
                )
            else:  # pragma: no cover - a typo in the plan
                raise AssertionError(step)


def plan() -> list[Event[Any]]:
    p = Plan()
    # bygglov (first line): 5 cases in Karlskoga in March
    p.case("KGA-2026-B1", "bygglov", "resolved")
    p.case("KGA-2026-B2", "bygglov", "handoff:social")  # the handoff moves it to social's cases
    p.case("KGA-2026-B3", "bygglov", "handoff:samhallsbyggnad", "returned", "resolved")  # still handed off
    p.case("KGA-2026-B4", "bygglov")  # pending
    p.case("KGA-2026-B5", "ovriga-arenden", "recategorised:bygglov", "resolved")  # counts as bygglov
    # miljotillsyn (routed straight to the department): 4 cases
    p.case("KGA-2026-M1", "miljotillsyn", "resolved-by-department")
    p.case("KGA-2026-M2", "miljotillsyn")  # open with the department: handled by it already
    p.case("KGA-2026-M3", "miljotillsyn", "merged")  # a duplicate: counted as a contact only
    p.case("KGA-2026-M4", "miljotillsyn", "resolved-by-department")
    # skolplacering (first line): 2 cases
    p.case("KGA-2026-S1", "skolplacering", "resolved-by-department")  # resolved, but not by first line
    p.case("KGA-2026-S2", "skolplacering", "resolved")
    # övriga ärenden (first line, no department): 1 case
    p.case("KGA-2026-O1", "ovriga-arenden", "resolved")
    # outside the March period of Karlskoga: another organisation, and April
    p.case("DEG-2026-B1", "bygglov", "resolved", org="degerfors")
    p.case("KGA-2026-B6", "bygglov", at=APRIL)
    return p.events


def row(
    key: str | None,
    cases: int,
    routed: tuple[int, int],
    outcome: tuple[int, int, int],
    handed_off: int,
    rate: float | None,
) -> dict[str, Any]:
    """(routed to first line, to a department); (resolved at first line, by department, pending)."""
    return {
        "key": key,
        "cases": cases,
        "routed_first_line": routed[0],
        "routed_department": routed[1],
        "resolved_first_line": outcome[0],
        "handled_by_department": outcome[1],
        "pending": outcome[2],
        "handed_off": handed_off,
        "rate": rate,
        "target": 0.6,
        "met": None if rate is None else rate >= 0.6,
    }


# Karlskoga, March, counted by hand (most handled by departments first):
MARCH_ROWS = [
    row("miljotillsyn", 4, (0, 4), (0, 3, 0), 0, 0.0),  # M1, M2, M4 by the department; M3 merged
    row("bygglov", 5, (5, 0), (2, 2, 1), 2, 0.5),  # B1, B5 first line; B2, B3 handed off; B4 pending
    row("skolplacering", 2, (2, 0), (1, 1, 0), 1, 0.5),  # S1 resolved by a department
    row("ovriga-arenden", 1, (1, 0), (1, 0, 0), 0, 1.0),
]
MARCH_TOTAL = row(None, 12, (8, 4), (4, 6, 1), 3, 0.4)
FIGURE = ("/v1/stats/category-handling", {"from": "2026-03-01", "to": "2026-03-31"})


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=NOW) as application:
        events = plan()
        shuffled = events + events  # every event twice, in any order
        random.Random(15).shuffle(shuffled)
        for item in shuffled:
            await bus.publish(topics.CASES_EVENTS, item, key=item.data.case_ref)
        handler = make_handler(stats=StatsRepository(application.state.runtime.db))
        await bus.deliver(topics.CASES_EVENTS, handler)  # no deduplication: redelivery is harmless
        yield application


def totals(body: dict[str, Any]) -> dict[str, Any]:
    return {"key": None, **{k: v for k, v in body.items() if k not in ("categories", "groups", "scope")}}


async def test_per_category_routed_and_outcome_counted_by_hand(app: FastAPI) -> None:
    client: httpx.AsyncClient = app.state.client
    path, period = FIGURE
    body = (await client.get(path, params={**period, "organization": "karlskoga"})).json()
    assert body["categories"] == MARCH_ROWS
    assert totals(body) == MARCH_TOTAL
    # Every organisation: Degerfors' bygglov case (resolved at first line) joins bygglov.
    every = (await client.get(path, params=period)).json()
    assert every["categories"][1] == row("bygglov", 6, (6, 0), (3, 2, 1), 2, 0.6)
    assert every["cases"] == 13


async def test_grouped_by_month_and_refused_groupings(app: FastAPI) -> None:
    client: httpx.AsyncClient = app.state.client
    path, _ = FIGURE
    params = {"from": "2026-03-01", "to": "2026-04-30", "organization": "karlskoga", "group_by": "month"}
    body = (await client.get(path, params=params)).json()
    assert [g["key"] for g in body["groups"]] == ["2026-03", "2026-04"]
    assert body["groups"][0]["categories"] == MARCH_ROWS
    assert body["groups"][1]["categories"] == [row("bygglov", 1, (1, 0), (0, 0, 1), 0, None)]
    assert body["cases"] == 13
    for axis in ("category", "handled_by"):
        refused = await client.get(path, params={"group_by": axis})
        assert refused.status_code == 422 and "already per category" in refused.json()["error"]["message"]
    backwards = await client.get(path, params={"from": "2026-03-31", "to": "2026-03-01"})
    assert backwards.status_code == 422


async def test_a_handler_sees_the_categories_of_their_departments(app: FastAPI) -> None:
    client: httpx.AsyncClient = app.state.client
    path, period = FIGURE
    handler = bearer("handler", departments=("samhallsbyggnad", "skola"), organizations=("karlskoga",))
    body = (await client.get(path, params=period, headers=handler)).json()
    assert body["scope"] == {"organizations": ["karlskoga"], "departments": ["samhallsbyggnad", "skola"]}
    # B2 went to social, and övriga ärenden have no department: neither is theirs.
    assert body["categories"] == [
        row("miljotillsyn", 4, (0, 4), (0, 3, 0), 0, 0.0),
        row("bygglov", 4, (4, 0), (2, 1, 1), 1, 2 / 3),
        row("skolplacering", 2, (2, 0), (1, 1, 0), 1, 0.5),
    ]


async def test_tertial_report_rows_per_organisation(app: FastAPI) -> None:
    client: httpx.AsyncClient = app.state.client
    params = {"period": "2026-T1", "organization": "karlskoga"}
    report = (await client.get("/v1/stats/report", params=params)).json()
    (karlskoga,) = report["organizations"]
    april_too = row("bygglov", 6, (6, 0), (2, 2, 2), 2, 0.5)  # B6, received in April, is pending
    assert karlskoga["category_handling"] == [MARCH_ROWS[0], april_too, *MARCH_ROWS[2:]]
    text = (await client.get("/v1/stats/report", params={**params, "format": "csv"})).text
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r["figure"] == "category_handling"]
    bygglov = {r["measure"]: r["value"] for r in rows if r["key"] == "bygglov"}
    assert bygglov == {
        "cases": "6",
        "routed_first_line": "6",
        "routed_department": "0",
        "resolved_first_line": "2",
        "handled_by_department": "2",
        "handed_off": "2",
        "pending": "2",
        "rate": "0.5",
        "target": "0.6",
        "met": "false",
    }
    assert {(r["organization"], r["department"]) for r in rows} == {("karlskoga", "")}
    assert [r["key"] for r in rows if r["measure"] == "cases"] == [
        "miljotillsyn",
        "bygglov",
        "skolplacering",
        "ovriga-arenden",
    ]
