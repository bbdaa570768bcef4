"""Tidsåtgång, exactly: a handful of calls and cases whose times are added up by hand below, fed to
stats shuffled and twice over, read back through ``GET /v1/stats/time-spent`` and the tertial report
(services/stats/time_spent.py, docs/figures.md)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
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

MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Stockholm, week 10
NEXT_MONDAY = MONDAY + timedelta(days=7)  # week 11
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def call(
    cls: type[Event[Any]], call_id: str, seconds: float, /, *, at: datetime = MONDAY, **data: Any
) -> Event[Any]:
    group = {"c4": "ovrigt", "c6": "ovrigt"}.get(call_id, "bygg-miljo")
    payload = {"call_id": call_id, "at": at + timedelta(seconds=seconds), "answer_group": group, **data}
    return cls(producer="intake", organization="karlskoga", data=payload)  # type: ignore[call-arg]


def answered(call_id: str, *, at: datetime = MONDAY) -> list[Event[Any]]:
    return [
        call(calls.CallOffered, call_id, 0, at=at),
        call(calls.CallAnswered, call_id, 10, at=at, wait_seconds=10.0, agent="anna"),
    ]


def wrapped(
    call_id: str, seconds: float, wrap_up: float, source: str, *, at: datetime = MONDAY
) -> Event[Any]:
    return call(calls.CallWrappedUp, call_id, seconds, at=at, wrap_up_seconds=wrap_up, source=source)


CALLS = [
    # c1: talk 120, wrap-up 30 → handling 150.
    *answered("c1"),
    call(calls.CallEnded, "c1", 130, talk_seconds=120.0),
    wrapped("c1", 160, 30.0, "telephony"),
    # c2: talk 300.4 → 300; the platform's wrap-up 60, then the agent's later "done" 90 → handling 390.
    *answered("c2"),
    call(calls.CallEnded, "c2", 310, talk_seconds=300.4),
    wrapped("c2", 370, 60.0, "telephony"),
    wrapped("c2", 400, 90.0, "agent"),
    # c3: talk 59.5 → 60 (half up); no wrap-up, so no handling time.
    *answered("c3"),
    call(calls.CallEnded, "c3", 70, talk_seconds=59.5),
    # c4 (övrigt): talk 200, wrap-up 40 → handling 240.
    *answered("c4"),
    call(calls.CallEnded, "c4", 210, talk_seconds=200.0),
    wrapped("c4", 250, 40.0, "agent"),
    # c6 (övrigt): abandoned in the queue; a stray call.ended is no agent's time.
    call(calls.CallOffered, "c6", 0),
    call(calls.CallAbandoned, "c6", 30, wait_seconds=30.0),
    call(calls.CallEnded, "c6", 530, talk_seconds=500.0),
    # c7, week 11: talk 100, wrap-up 20 → handling 120.
    *answered("c7", at=NEXT_MONDAY),
    call(calls.CallEnded, "c7", 110, at=NEXT_MONDAY, talk_seconds=100.0),
    wrapped("c7", 130, 20.0, "telephony", at=NEXT_MONDAY),
]


def case(
    cls: type[Event[Any]], ref: str, seconds: float, /, *, at: datetime = MONDAY, **data: Any
) -> Event[Any]:
    return cls(  # type: ignore[call-arg]
        producer="casestore",
        organization="karlskoga",
        occurred_at=at + timedelta(seconds=seconds),
        data={"case_ref": ref, **data},
    )


def created(
    ref: str, department: str | None, *, handled_by: str = "first_line", at: datetime = MONDAY
) -> Event[Any]:
    group = "bygg-miljo" if department == "samhallsbyggnad" else "ovrigt"
    rosa = 5 if handled_by == "department" else 2
    return case(
        cases.CaseCreated,
        ref,
        0,
        at=at,
        channel="email",
        received_at=at,
        category="bygglov" if department else "ovriga-arenden",
        department=department,
        answer_group=group,
        handled_by=handled_by,
        rosa_level=rosa,
    )


def taken(ref: str, seconds: float, who: str = "anna", *, at: datetime = MONDAY) -> list[Event[Any]]:
    """Taken up as the web app does: assigned, which moves a new case to open at the same instant."""
    return [
        case(cases.CaseAssigned, ref, seconds, at=at, assignee=who, assigned_by=who),
        case(cases.CaseStatusChanged, ref, seconds, at=at, old_status="new", new_status="open"),
    ]


def message(ref: str, seconds: float, *, automatic: bool = False, at: datetime = MONDAY) -> Event[Any]:
    when = at + timedelta(seconds=seconds)
    return cases.CaseMessageAdded(
        producer="casestore",
        organization="karlskoga",
        occurred_at=when,
        data=cases.CaseMessageAddedData(
            case_ref=ref,
            message_id=f"{ref}-{seconds}",
            direction="outbound",
            channel="email",
            at=when,
            automatic=automatic,
        ),
    )


CASES = [
    # K1 (samhällsbyggnad): taken at 600, replied at 2400 → 1800 s, first line.
    created("K1", "samhallsbyggnad"),
    *taken("K1", 600),
    message("K1", 2400),
    # K2 (övrigt): the receipt (automatic) does not count; taken at 100, replied at 700.5 → 601 s.
    created("K2", None),
    message("K2", 50, automatic=True),
    *taken("K2", 100),
    message("K2", 700.5),
    # K3 (social): routed straight to the department; taken at 1000, replied at 8200 → 7200 s.
    created("K3", "social", handled_by="department"),
    *taken("K3", 1000, "handlaggare"),
    message("K3", 8200),
    # K4 (samhällsbyggnad): taken at 200 by first line, handed off at 400, the department replied at
    # 3800 → 3600 s, under department.
    created("K4", "samhallsbyggnad"),
    *taken("K4", 200),
    case(
        cases.CaseHandedOff,
        "K4",
        400,
        department="samhallsbyggnad",
        reason="bygglov",
        due_at=MONDAY + timedelta(days=5),
        handed_off_by="anna",
    ),
    message("K4", 3800),
    # K5 (samhällsbyggnad): replied straight from the queue, which opened it: untimed.
    created("K5", "samhallsbyggnad"),
    case(cases.CaseStatusChanged, "K5", 300, old_status="new", new_status="open"),
    message("K5", 300),
    # K6: a duplicate merged into K1: not counted at all.
    created("K6", "samhallsbyggnad"),
    *taken("K6", 100),
    message("K6", 200),
    case(cases.CaseClosed, "K6", 250, merged_into="K1"),
    # K7 (övrigt, week 11): taken at 60, replied at 180 → 120 s; reopened and replied again later:
    # only the first reply counts.
    created("K7", None, at=NEXT_MONDAY),
    *taken("K7", 60, at=NEXT_MONDAY),
    message("K7", 180, at=NEXT_MONDAY),
    case(cases.CaseReopened, "K7", 5000, at=NEXT_MONDAY, reason="följdfråga"),
    message("K7", 9000, at=NEXT_MONDAY),
    # K8: taken, never replied to: nothing.
    created("K8", "samhallsbyggnad"),
    *taken("K8", 100),
]


def spread(
    count: int, total: float, mean: float | None, median: float | None, p90: float | None
) -> dict[str, Any]:
    return {
        "count": count,
        "total_seconds": total,
        "mean_seconds": mean,
        "median_seconds": median,
        "p90_seconds": p90,
    }


NONE = spread(0, 0, None, None, None)


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=NOW) as application:
        stats = StatsRepository(application.state.runtime.db)
        handler = make_handler(stats=stats, settings=application.state.settings)
        shuffled = CALLS + CASES
        random.Random(15).shuffle(shuffled)
        for delivery in (shuffled, list(reversed(shuffled))):  # redelivered, in another order
            for event in delivery:
                topic = topics.CALLS_EVENTS if event.type.startswith("call.") else topics.CASES_EVENTS
                await bus.publish(topic, event, key="k")
            for topic in (topics.CALLS_EVENTS, topics.CASES_EVENTS):
                await bus.deliver(topic, handler, dedupe=MemoryDeduplicator())
        yield application


async def time_spent(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    response = await client.get(
        "/v1/stats/time-spent", params={"from": "2026-03-01", "to": "2026-03-31", **params}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_every_call_and_case_timed_as_added_up_by_hand(app: FastAPI) -> None:
    body = await time_spent(app.state.client)
    # Talk 120, 300, 60, 200, 100; wrap-up 30, 90, 40, 20; handling 150, 390, 240, 120.
    assert body["calls"] == {
        "count": 5,
        "talk": spread(5, 780, 156.0, 120, 300),
        "wrap_up": spread(4, 180, 45.0, 30, 90),
        "handling": spread(4, 900, 225.0, 150, 390),
    }
    # Written: first line 1800, 601, 120; department 7200, 3600; K5 untimed; K6 merged; K8 unreplied.
    assert body["written"] == {
        "count": 5,
        "untimed": 1,
        "handling": spread(5, 13321, 2664.2, 1800, 7200),
        # Percentiles of written times are kept to two significant figures: 601 s ranks as 600 s; the
        # count, total and mean stay exact.
        "first_line": spread(3, 2521, 840.3, 600, 1800),
        "department": spread(2, 10800, 5400.0, 3600, 7200),
    }
    assert "groups" not in body and "calls_withheld" not in body


async def test_per_answer_group_week_and_department(app: FastAPI) -> None:
    client = app.state.client
    by_group = {g["key"]: g for g in (await time_spent(client, group_by="answer_group"))["groups"]}
    assert by_group["bygg-miljo"]["calls"]["talk"] == spread(4, 580, 145.0, 100, 300)
    assert by_group["bygg-miljo"]["calls"]["wrap_up"] == spread(3, 140, 46.7, 30, 90)
    assert by_group["ovrigt"]["calls"]["handling"] == spread(1, 240, 240.0, 240, 240)
    assert by_group["bygg-miljo"]["written"]["handling"] == spread(2, 5400, 2700.0, 1800, 3600)  # K1, K4
    assert by_group["ovrigt"]["written"]["handling"] == spread(3, 7921, 2640.3, 600, 7200)  # K2, K3, K7

    weeks = {g["key"]: g for g in (await time_spent(client, group_by="week"))["groups"]}
    assert list(weeks) == ["2026-W10", "2026-W11"]
    assert weeks["2026-W11"]["calls"]["handling"] == spread(1, 120, 120.0, 120, 120)
    assert weeks["2026-W11"]["written"]["first_line"] == spread(1, 120, 120.0, 120, 120)
    assert weeks["2026-W10"]["written"]["untimed"] == 1

    departments = {g["key"]: g for g in (await time_spent(client, group_by="department"))["groups"]}
    assert set(departments) == {"samhallsbyggnad", "social", None}
    assert all(g["calls"] is None for g in departments.values())  # calls have no department
    assert departments["social"]["written"]["department"] == spread(1, 7200, 7200.0, 7200, 7200)
    routed = {
        g["key"]: g["written"]["count"] for g in (await time_spent(client, group_by="handled_by"))["groups"]
    }
    assert routed == {"first_line": 4, "department": 1}


async def test_a_handler_reads_the_written_part_of_their_departments(app: FastAPI) -> None:
    handler = bearer("handler", departments=("samhallsbyggnad",), organizations=("karlskoga",))
    response = await app.state.client.get("/v1/stats/time-spent", headers=handler)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["calls"] is None and "answer group" in body["calls_withheld"]
    assert body["written"]["handling"] == spread(2, 5400, 2700.0, 1800, 3600)  # K1, K4
    assert body["written"]["untimed"] == 1  # K5
    assert body["scope"] == {"organizations": ["karlskoga"], "departments": ["samhallsbyggnad"]}


async def test_the_tertial_report_gives_minutes_per_department_and_answer_group(app: FastAPI) -> None:
    client = app.state.client
    report = (await client.get("/v1/stats/report", params={"period": "2026-T1"})).json()
    [karlskoga] = report["organizations"]
    spent = karlskoga["time_spent"]
    assert spent["calls"]["talk"] == {
        "count": 5,
        "mean_minutes": 2.6,
        "median_minutes": 2.0,
        "p90_minutes": 5.0,
        "total_minutes": 13.0,
    }
    assert spent["written"]["handling"]["mean_minutes"] == 44.4  # 2664.2 s
    assert [g["key"] for g in spent["groups"]] == ["bygg-miljo", "ovrigt"]
    by_department = {d["department"]: d["time_spent"]["written"] for d in karlskoga["departments"]}
    assert by_department["samhallsbyggnad"]["handling"] == {
        "count": 2,
        "mean_minutes": 45.0,
        "median_minutes": 30.0,
        "p90_minutes": 60.0,
        "total_minutes": 90.0,
    }

    csv = (await client.get("/v1/stats/report", params={"period": "2026-T1", "format": "csv"})).text
    rows = {tuple(line.split(",")) for line in csv.splitlines()}
    assert ("karlskoga", "samhallsbyggnad", "time_spent", "", "written.handling.mean_minutes", "45.0") in rows
    assert ("karlskoga", "", "time_spent", "bygg-miljo", "calls.talk.mean_minutes", "2.4") in rows  # 145 s
    assert ("karlskoga", "", "time_spent", "", "written.untimed", "1") in rows
