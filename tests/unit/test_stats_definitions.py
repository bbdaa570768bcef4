"""The corner cases of docs/figures.md, one small stream each, through the in-memory bus."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.calendar import STOCKHOLM
from lotsen.contracts import calls, cases, topics
from lotsen.contracts.envelope import Event
from lotsen.kafka.memory import InMemoryBus
from lotsen.kafka.processing import MemoryDeduplicator
from services.stats.handlers import make_handler
from services.stats.repository import StatsRepository
from tests.stats_support import stats_app

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
ORG = "karlskoga"


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=NOW) as application:
        yield application


async def feed(app: FastAPI, bus: InMemoryBus, *events: Event[Any]) -> None:
    for event in events:
        topic = topics.CALLS_EVENTS if event.type.startswith("call.") else topics.CASES_EVENTS
        key = event.data.call_id if event.type.startswith("call.") else event.data.case_ref
        await bus.publish(topic, event, key=key)
    handler = make_handler(stats=StatsRepository(app.state.runtime.db), settings=app.state.settings)
    for topic in (topics.CALLS_EVENTS, topics.CASES_EVENTS):
        await bus.deliver(topic, handler, dedupe=MemoryDeduplicator())


async def figure(app: FastAPI, path: str, **params: Any) -> Any:
    client: httpx.AsyncClient = app.state.client
    response = await client.get(f"/v1/stats/{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def call(cls: type[Event[Any]], call_id: str, at: datetime, /, **data: Any) -> Event[Any]:
    payload = {"call_id": call_id, "at": at, "answer_group": "bygg-miljo", "from": "+46701234567", **data}
    return cls(producer="intake", organization=ORG, data=payload)


def case(cls: type[Event[Any]], ref: str, at: datetime, /, **data: Any) -> Event[Any]:
    return cls(producer="casestore", organization=ORG, occurred_at=at, data={"case_ref": ref, **data})


def created(ref: str, received: datetime, channel: str = "email", **extra: Any) -> Event[Any]:
    facts = {"channel": channel, "received_at": received, "category": "bygglov",
             "department": "samhallsbyggnad", "answer_group": "bygg-miljo", "handled_by": "first_line",
             "rosa_level": 4, **extra}  # fmt: skip
    return case(cases.CaseCreated, ref, received + timedelta(seconds=1), **facts)


def reply(ref: str, at: datetime, *, automatic: bool = False) -> Event[Any]:
    return case(cases.CaseMessageAdded, ref, at, message_id=f"{ref}.{at:%H%M%S}", direction="outbound",
                channel="email", at=at, automatic=automatic)  # fmt: skip


T = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Stockholm


async def test_abandons_at_the_threshold_count_and_answered_wins(app: FastAPI, bus: InMemoryBus) -> None:
    await feed(
        app,
        bus,
        call(calls.CallOffered, "c1", T),
        call(
            calls.CallAbandoned, "c1", T + timedelta(seconds=5), wait_seconds=5.0
        ),  # exactly 5 s: an abandon
        call(calls.CallOffered, "c2", T),
        call(
            calls.CallAbandoned, "c2", T + timedelta(seconds=4.999), wait_seconds=4.999
        ),  # short: in neither
        call(calls.CallOffered, "c3", T),
        call(calls.CallAnswered, "c3", T + timedelta(seconds=60), wait_seconds=60.0, agent="anna"),
        call(calls.CallAbandoned, "c3", T + timedelta(seconds=90), wait_seconds=90.0),  # answered wins
        call(calls.CallOffered, "c4", T),  # pending: no outcome yet
    )
    body = await figure(app, "answer-rate")
    assert {k: body[k] for k in ("offered", "answered", "abandoned", "short_abandoned", "pending")} == {
        "offered": 4, "answered": 1, "abandoned": 1, "short_abandoned": 1, "pending": 1,
    }  # fmt: skip
    assert (body["answer_rate"], body["service_level"], body["median_wait_seconds"]) == (0.5, 0.5, 60.0)
    stricter = await figure(app, "answer-rate", short_abandon_seconds=5.5, service_level_seconds=59)
    assert (stricter["abandoned"], stricter["short_abandoned"], stricter["answer_rate"]) == (0, 2, 1.0)
    assert stricter["service_level"] == 0.0


async def test_an_answer_before_its_offer_counts_once_the_offer_arrives(
    app: FastAPI, bus: InMemoryBus
) -> None:
    answered = call(calls.CallAnswered, "c1", T + timedelta(seconds=20), wait_seconds=20.0)
    await feed(app, bus, answered)
    assert (await figure(app, "answer-rate"))["offered"] == 0  # no offer yet: not counted anywhere
    await feed(app, bus, call(calls.CallOffered, "c1", T), answered)
    body = await figure(app, "answer-rate", **{"from": "2026-03-02", "to": "2026-03-02"})
    assert (body["offered"], body["answered"], body["median_wait_seconds"]) == (1, 1, 20.0)


async def test_calls_on_the_night_of_the_dst_change_belong_to_that_day(
    app: FastAPI, bus: InMemoryBus
) -> None:
    await feed(
        app,
        bus,
        call(calls.CallOffered, "before", datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),  # 01:30 CET
        call(calls.CallOffered, "after", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # 03:30 CEST
        call(
            calls.CallOffered, "late", datetime(2026, 3, 29, 21, 59, 59, 999000, tzinfo=UTC)
        ),  # 23:59:59.999
        call(calls.CallOffered, "next", datetime(2026, 3, 29, 22, 0, tzinfo=UTC)),  # 00:00 on the 30th
    )
    body = await figure(app, "volumes", kind="calls", group_by="day")
    assert body["groups"] == [{"key": "2026-03-29", "count": 3}, {"key": "2026-03-30", "count": 1}]


async def test_email_received_on_good_friday(app: FastAPI, bus: InMemoryBus) -> None:
    received = datetime(2026, 4, 3, 10, 0, tzinfo=STOCKHOLM)  # långfredagen
    # Working days start on Tuesday 7 April (Easter Monday is a holiday too): due Thursday 9 April 00:00.
    await feed(
        app,
        bus,
        created("KGA-2026-000001", received),
        reply("KGA-2026-000001", received + timedelta(seconds=30), automatic=True),  # the acknowledgement
        reply("KGA-2026-000001", datetime(2026, 4, 8, 23, 59, tzinfo=STOCKHOLM)),
        created("KGA-2026-000002", received),
        reply("KGA-2026-000002", datetime(2026, 4, 9, 0, 0, 0, 1000, tzinfo=STOCKHOLM)),  # a millisecond late
    )
    working = await figure(app, "email-response", mode="working_days")
    calendar = await figure(app, "email-response", mode="calendar")
    assert (working["in_time"], working["missed"]) == (1, 1)
    assert (calendar["in_time"], calendar["missed"], calendar["share"]) == (0, 2, 0.0)


async def test_48_hours_are_real_hours_across_the_dst_change(app: FastAPI, bus: InMemoryBus) -> None:
    received = datetime(2026, 3, 28, 10, 0, tzinfo=STOCKHOLM)  # Saturday, CET
    await feed(
        app,
        bus,
        created("KGA-2026-000001", received),
        reply("KGA-2026-000001", datetime(2026, 3, 30, 11, 0, tzinfo=STOCKHOLM)),  # CEST: exactly 48 h later
        created("KGA-2026-000002", received),  # never answered: missed once 48 h have passed
    )
    body = await figure(app, "email-response", mode="calendar")
    assert (body["in_time"], body["missed"], body["pending"], body["share"]) == (1, 1, 0, 0.5)


async def test_unanswered_email_is_pending_until_its_deadline(app: FastAPI, bus: InMemoryBus) -> None:
    await feed(app, bus, created("KGA-2026-000001", NOW - timedelta(hours=48)))  # the deadline is now
    assert (await figure(app, "email-response"))["pending"] == 1
    await feed(app, bus, created("KGA-2026-000002", NOW - timedelta(hours=48, milliseconds=1)))
    body = await figure(app, "email-response")
    assert (body["in_time"], body["missed"], body["pending"], body["share"], body["met"]) == (
        0,
        1,
        1,
        0.0,
        False,
    )


async def test_resolution_handoffs_returns_reopened_and_erased_cases(app: FastAPI, bus: InMemoryBus) -> None:
    def resolved(ref: str, at: datetime, first_line: bool, failure: bool = False) -> Event[Any]:
        return case(cases.CaseResolved, ref, at, resolved_at=at, resolved_by_first_line=first_line,
                    failure_demand=failure, resolution_code="answered")  # fmt: skip

    handoff = {"department": "samhallsbyggnad", "reason": "bygglov", "due_at": T + timedelta(days=2),
               "handed_off_by": "anna"}  # fmt: skip
    hour = timedelta(hours=1)
    await feed(
        app,
        bus,
        # resolved at first line, reopened by the citizen, resolved again, then erased: resolved at first line
        created("A", T),
        resolved("A", T + hour, True, failure=True),
        case(cases.CaseReopened, "A", T + 2 * hour),
        resolved("A", T + 3 * hour, True),
        case(cases.CaseErased, "A", T + 4 * hour, fields=["citizen"]),
        # handed off, returned, resolved by first line: handed off (casestore says not first line)
        created("B", T),
        case(cases.CaseHandedOff, "B", T + hour, **handoff),
        case(cases.CaseReturned, "B", T + 2 * hour, reason="first line can answer"),
        resolved("B", T + 3 * hour, False),
        # routed straight to a department: handed off, whatever casestore's flag says
        created("C", T, handled_by="department"),
        resolved("C", T + hour, True),
        # the resolution arrived before the case: counted once the case arrives
        resolved("D", T + hour, True),
        created("D", T),
        # open
        created("E", T),
    )
    body = await figure(app, "resolution")
    assert {k: body[k] for k in ("resolved_first_line", "handed_off", "pending", "rate")} == {
        "resolved_first_line": 2, "handed_off": 2, "pending": 1, "rate": 0.5,
    }  # fmt: skip
    backlog = await figure(app, "backlog")
    assert backlog["failure_demand"] == {
        "resolved": 4,
        "failure_demand": 0,
        "share": 0.0,
    }  # the latest resolution
    assert backlog["open"] == 1


async def test_the_first_survey_answer_wins_by_event_time(app: FastAPI, bus: InMemoryBus) -> None:
    first = case(
        cases.CaseSurveyAnswered, "A", T + timedelta(hours=1), answers={"bemotande": 5, "kunskap": 4}
    )
    second = case(
        cases.CaseSurveyAnswered, "A", T + timedelta(hours=2), answers={"bemotande": 1, "kunskap": 1}
    )
    await feed(app, bus, second, created("A", T), first)  # the later answer arrives first
    body = await figure(app, "satisfaction")
    assert body["responses"] == 1
    assert body["bemotande"] == {"mean": 5.0, "count": 1, "target": 4.3, "met": True}
    assert body["kunskap"] == {"mean": 4.0, "count": 1, "target": 4.0, "met": True}
    assert body["tillganglighet"] == {"mean": None, "count": 0, "target": None, "met": None}


async def test_empty_periods_give_null_ratios(app: FastAPI) -> None:
    body = await figure(app, "answer-rate", **{"from": "2026-01-01", "to": "2026-01-31"})
    assert (body["offered"], body["answer_rate"], body["met"], body["median_wait_seconds"]) == (
        0,
        None,
        None,
        None,
    )
    assert "groups" not in body
    grouped = await figure(app, "email-response", group_by="month")
    assert (grouped["share"], grouped["groups"]) == (None, [])


async def test_backlog_ages_and_handoffs_past_due(app: FastAPI, bus: InMemoryBus) -> None:
    def handed_off(ref: str, due: datetime) -> Event[Any]:
        return case(cases.CaseHandedOff, ref, due - timedelta(days=2), department="skola", reason="x",
                    due_at=due, handed_off_by="anna")  # fmt: skip

    await feed(
        app,
        bus,
        created("A", NOW - timedelta(days=1)),
        created("B", NOW - timedelta(days=5)),
        handed_off("B", NOW - timedelta(minutes=1)),
        created("C", NOW - timedelta(days=20)),
        handed_off("C", NOW + timedelta(days=1)),
        created("D", NOW - timedelta(days=40)),
        case(
            cases.CaseStatusChanged,
            "D",
            NOW - timedelta(days=39),
            old_status="new",
            new_status="pending_citizen",
        ),
        created("E", NOW - timedelta(days=3)),
        case(cases.CaseClosed, "E", NOW - timedelta(days=1)),
    )
    body = await figure(app, "backlog")
    assert body["open"] == 4
    assert body["by_status"] == {"new": 1, "open": 0, "pending_citizen": 1, "handed_off": 2}
    assert body["by_age"] == {"0-2": 1, "3-7": 1, "8-30": 1, "over-30": 1}
    assert body["handed_off_past_due"] == 1
    by_department = await figure(app, "backlog", group_by="department")
    assert [g["key"] for g in by_department["groups"]] == [
        "samhallsbyggnad",
        "skola",
    ]  # a handoff moves the case


async def test_a_merged_duplicate_counts_as_a_contact_but_its_errand_once(
    app: FastAPI, bus: InMemoryBus
) -> None:
    # The citizen e-mails twice about the same altan; the second case is merged into the first,
    # which first line answers and resolves.
    await feed(
        app,
        bus,
        created("KGA-2026-000001", T),
        created("KGA-2026-000002", T + timedelta(hours=1)),
        case(cases.CaseClosed, "KGA-2026-000002", T + timedelta(hours=2), merged_into="KGA-2026-000001"),
        reply("KGA-2026-000001", T + timedelta(hours=3)),
        case(
            cases.CaseResolved,
            "KGA-2026-000001",
            T + timedelta(hours=3),
            resolved_at=T + timedelta(hours=3),
            resolved_by_first_line=True,
            resolution_code="answered",
        ),
    )
    day = {"from": "2026-03-02", "to": "2026-03-02"}
    assert (await figure(app, "volumes", **day))["total"] == 2
    email = await figure(app, "email-response", mode="calendar", **day)
    assert (email["in_time"], email["missed"], email["pending"]) == (1, 0, 0)
    resolution = await figure(app, "resolution", **day)
    assert (resolution["resolved_first_line"], resolution["handed_off"], resolution["pending"]) == (1, 0, 0)
