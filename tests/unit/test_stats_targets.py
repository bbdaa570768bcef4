"""Targets per organisation and answer group (docs/figures.md, *Mål per organisation och svarsgrupp*):
each figure is measured against its own organisation's or answer group's target, what is not set
falls back (answer group → organisation → setting), and a figure over several organisations whose
targets differ has no target of its own but lists each one's.

The month, by hand (every call and case on Monday 2 March 2026):

- karlskoga, calls of ``socialtjanst``: answered after 10, 30 and 90 s, one abandoned after 20 s →
  answer rate 3/4 = 0.75, service level (≤ 60 s) 2/4 = 0.5; of ``bygg-miljo``: answered after 5 and
  5 s → 1.0 and 1.0. The organisation: 5/6 answered, 4/6 within 60 s.
- degerfors, calls of ``bygg-miljo``: nine answered after 10 s, one abandoned after 30 s → 0.9, 0.9.
- karlskoga, e-mails: K1 (bygg-miljo) answered after 1 h, resolved at first line, NKI bemötande 4,
  kunskap 4; K2 (socialtjanst) answered after 50 h (late), resolved at first line, NKI 5 and 3; K3
  (socialtjanst) answered after 2 h, handed off. E-mail 2/3, resolution 2/3, bemötande 4.5,
  kunskap 3.5; socialtjanst alone: e-mail 1/2, kunskap 3.0.
- degerfors, e-mail D1 (bygg-miljo): answered after 1 h, resolved at first line, NKI 4 and 4.

Targets set: karlskoga answer rate 0.8, e-mail 0.6, resolution 0.7, bemötande 4.4, and for its
socialtjanst answer rate 0.7, e-mail 0.4, kunskap 3.0; degerfors answer rate 0.85, service level 0.9,
resolution 0.9, bemötande 4.4. Karlskogahem sets nothing. The settings: answer rate 0.95, service
level 0.8, e-mail 0.94, resolution 0.6, bemötande 4.3, kunskap 4.0.
"""

from __future__ import annotations

import csv
import io
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
from services.stats.targets.repository import copy_targets
from tests.stats_support import bearer, stats_app

T = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}

KARLSKOGA = {
    "answer_rate": 0.8,
    "email_response": 0.6,
    "resolution": 0.7,
    "satisfaction": {"bemotande": 4.4},
    "answer_groups": {
        "socialtjanst": {"answer_rate": 0.7, "email_response": 0.4, "satisfaction": {"kunskap": 3.0}}
    },
}
DEGERFORS = {"answer_rate": 0.85, "service_level": 0.9, "resolution": 0.9, "satisfaction": {"bemotande": 4.4}}
ADMIN = bearer("admin")


def call_events(org: str, call_id: str, group: str, outcome: str, wait: float) -> list[Event[Any]]:
    base = {"call_id": call_id, "answer_group": group}
    offered = calls.CallOffered(producer="intake", organization=org, data={**base, "at": T})
    at = T + timedelta(seconds=wait)
    cls = calls.CallAnswered if outcome == "answered" else calls.CallAbandoned
    return [offered, cls(producer="intake", organization=org, data={**base, "at": at, "wait_seconds": wait})]


def case_events(
    org: str, ref: str, group: str, reply_hours: int, outcome: str, survey: dict[str, int] | None
) -> list[Event[Any]]:
    department = "social" if group == "socialtjanst" else "samhallsbyggnad"

    def event(cls: type[Event[Any]], hours: int, **data: Any) -> Event[Any]:
        at = T + timedelta(hours=hours)
        return cls(producer="casestore", organization=org, occurred_at=at, data={"case_ref": ref, **data})

    made = [
        event(cases.CaseCreated, 0, channel="email", received_at=T, category="bygglov", department=department,
              answer_group=group, handled_by="first_line", rosa_level=2),
        event(cases.CaseMessageAdded, reply_hours, message_id=f"{ref}-r", direction="outbound",
              channel="email", at=T + timedelta(hours=reply_hours)),
    ]  # fmt: skip
    if outcome == "resolved":
        made.append(
            event(cases.CaseResolved, 60, resolved_at=T + timedelta(hours=60), resolved_by_first_line=True,
                  resolution_code="answered")
        )  # fmt: skip
    else:
        made.append(
            event(cases.CaseHandedOff, 3, department=department, reason="r", due_at=T + timedelta(days=5),
                  handed_off_by="agent")
        )  # fmt: skip
    if survey:
        made.append(event(cases.CaseSurveyAnswered, 61, answers=survey))
    return made


def month() -> list[Event[Any]]:
    made: list[Event[Any]] = []
    for n, (outcome, wait) in enumerate(
        [("answered", 10), ("answered", 30), ("answered", 90), ("abandoned", 20)]
    ):
        made += call_events("karlskoga", f"ks{n}", "socialtjanst", outcome, wait)
    made += call_events("karlskoga", "kb0", "bygg-miljo", "answered", 5)
    made += call_events("karlskoga", "kb1", "bygg-miljo", "answered", 5)
    for n in range(9):
        made += call_events("degerfors", f"db{n}", "bygg-miljo", "answered", 10)
    made += call_events("degerfors", "db9", "bygg-miljo", "abandoned", 30)
    made += case_events(
        "karlskoga", "KGA-2026-000001", "bygg-miljo", 1, "resolved", {"bemotande": 4, "kunskap": 4}
    )
    made += case_events(
        "karlskoga", "KGA-2026-000002", "socialtjanst", 50, "resolved", {"bemotande": 5, "kunskap": 3}
    )
    made += case_events("karlskoga", "KGA-2026-000003", "socialtjanst", 2, "handed_off", None)
    made += case_events(
        "degerfors", "DEG-2026-000001", "bygg-miljo", 1, "resolved", {"bemotande": 4, "kunskap": 4}
    )
    return made


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=NOW) as application:
        for event in month():
            topic = topics.CALLS_EVENTS if event.type.startswith("call.") else topics.CASES_EVENTS
            await bus.publish(topic, event, key=getattr(event.data, "case_ref", None) or event.data.call_id)
        handler = make_handler(
            stats=StatsRepository(application.state.runtime.db), settings=application.state.settings
        )
        for topic in (topics.CALLS_EVENTS, topics.CASES_EVENTS):
            await bus.deliver(topic, handler, dedupe=MemoryDeduplicator())
        yield application


async def set_targets(client: httpx.AsyncClient) -> None:
    for org, body in (("karlskoga", KARLSKOGA), ("degerfors", DEGERFORS)):
        response = await client.put(f"/v1/stats/targets/{org}", json=body, headers=ADMIN)
        assert response.status_code == 200, response.text


async def get(client: httpx.AsyncClient, path: str, **params: str) -> Any:
    response = await client.get(path, params={**MARCH, **params})
    assert response.status_code == 200, response.text
    return response.json()


def pick(body: dict[str, Any], *fields: str) -> tuple[Any, ...]:
    return tuple(body.get(f, "<absent>") for f in fields)


RATE = ("answer_rate", "target", "met", "service_level", "service_level_target", "service_level_met")


async def test_answer_rate_against_each_organisation_and_answer_group(app: FastAPI) -> None:
    client: httpx.AsyncClient = app.state.client
    before = await get(client, "/v1/stats/answer-rate", organization="karlskoga")
    assert pick(before, *RATE) == (5 / 6, 0.95, False, 4 / 6, 0.8, False)  # the settings
    await set_targets(client)

    karlskoga = await get(client, "/v1/stats/answer-rate", organization="karlskoga", group_by="answer_group")
    assert pick(karlskoga, *RATE) == (5 / 6, 0.8, True, 4 / 6, 0.8, False)
    groups = {g["key"]: pick(g, *RATE) for g in karlskoga["groups"]}
    assert groups == {
        "bygg-miljo": (1.0, 0.8, True, 1.0, 0.8, True),  # no targets of its own: karlskoga's, the setting's
        "socialtjanst": (0.75, 0.7, True, 0.5, 0.8, False),  # its own answer rate; service level falls back
    }
    degerfors = await get(client, "/v1/stats/answer-rate", organization="degerfors", group_by="month")
    assert pick(degerfors, *RATE) == (0.9, 0.85, True, 0.9, 0.9, True)
    assert [pick(g, "key", "target", "service_level_target") for g in degerfors["groups"]] == [
        ("2026-03", 0.85, 0.9)
    ]
    assert "targets" not in karlskoga and "targets" not in degerfors


async def test_several_organisations_whose_targets_differ_have_none_but_list_each(app: FastAPI) -> None:
    client: httpx.AsyncClient = app.state.client
    await set_targets(client)
    by_org = await get(client, "/v1/stats/answer-rate", group_by="organization")
    assert pick(by_org, "answer_rate", "target", "met", "service_level_target", "service_level_met") == (
        14 / 16, None, None, None, None,
    )  # fmt: skip
    assert by_org["targets"] == {
        "degerfors": {"answer_rate": 0.85, "service_level": 0.9},
        "karlskoga": {"answer_rate": 0.8, "service_level": 0.8},
    }
    assert [pick(g, "key", "answer_rate", "target", "met") for g in by_org["groups"]] == [
        ("degerfors", 0.9, 0.85, True),
        ("karlskoga", 5 / 6, 0.8, True),
    ]
    assert all("targets" not in g for g in by_org["groups"])

    by_group = await get(client, "/v1/stats/answer-rate", group_by="answer_group")
    groups = {g["key"]: g for g in by_group["groups"]}
    # bygg-miljo answers both: karlskoga's 0.8 (its own), degerfors' 0.85 → no common target.
    assert pick(groups["bygg-miljo"], "answer_rate", "target", "met") == (11 / 12, None, None)
    assert groups["bygg-miljo"]["targets"]["karlskoga"] == {"answer_rate": 0.8, "service_level": 0.8}
    # socialtjanst counted karlskoga's calls only: karlskoga's socialtjanst target.
    assert pick(groups["socialtjanst"], "target", "met", "targets") == (0.7, True, "<absent>")

    # Where they agree there is a target: both set bemötande 4.4, neither kunskap (4.0).
    nki = await get(client, "/v1/stats/satisfaction")
    assert pick(nki["bemotande"], "mean", "target", "met") == (13 / 3, 4.4, False)
    assert pick(nki["kunskap"], "mean", "target", "met") == (11 / 3, 4.0, False)
    assert "targets" not in nki
    # E-mail: karlskoga 0.6, degerfors the setting 0.94.
    email = await get(client, "/v1/stats/email-response")
    assert pick(email, "share", "target", "met") == (0.75, None, None)
    assert email["targets"] == {"degerfors": {"email_response": 0.94}, "karlskoga": {"email_response": 0.6}}


async def test_a_figure_covers_the_organisations_it_counts_else_those_the_reader_reads(app: FastAPI) -> None:
    client: httpx.AsyncClient = app.state.client
    await set_targets(client)
    # Resolution of samhällsbyggnad (karlskoga and degerfors) and of social (karlskoga only).
    by_department = await get(client, "/v1/stats/resolution", group_by="department")
    departments = {g["key"]: pick(g, "rate", "target", "met") for g in by_department["groups"]}
    assert departments == {"samhallsbyggnad": (1.0, None, None), "social": (0.5, 0.7, False)}

    # April: nothing counted. Over every organisation (they differ): none; over karlskoga's reader: 0.8.
    april = {"from": "2026-04-01", "to": "2026-04-30"}
    every = (await client.get("/v1/stats/answer-rate", params=april)).json()
    assert pick(every, "answer_rate", "target", "met") == (None, None, None)
    assert set(every["targets"]) == {"karlskoga", "degerfors", "karlskogahem"}
    assert every["targets"]["karlskogahem"] == {"answer_rate": 0.95, "service_level": 0.8}
    own = bearer("supervisor", organizations=("karlskoga",))
    theirs = (await client.get("/v1/stats/answer-rate", params=april, headers=own)).json()
    assert pick(theirs, "target", "service_level_target", "targets") == (0.8, 0.8, "<absent>")


async def test_case_figures_per_answer_group_fall_back_group_organisation_setting(app: FastAPI) -> None:
    client: httpx.AsyncClient = app.state.client
    await set_targets(client)
    params = {"organization": "karlskoga", "group_by": "answer_group"}
    email = await get(client, "/v1/stats/email-response", **params)
    assert pick(email, "share", "target", "met") == (2 / 3, 0.6, True)
    assert {g["key"]: pick(g, "share", "target", "met") for g in email["groups"]} == {
        "bygg-miljo": (1.0, 0.6, True),
        "socialtjanst": (0.5, 0.4, True),
    }
    resolution = await get(client, "/v1/stats/resolution", **params)
    assert pick(resolution, "rate", "target", "met") == (2 / 3, 0.7, False)
    nki = await get(client, "/v1/stats/satisfaction", **params)
    assert pick(nki["bemotande"], "mean", "target", "met") == (4.5, 4.4, True)
    assert pick(nki["kunskap"], "mean", "target", "met") == (3.5, 4.0, False)
    groups = {g["key"]: g for g in nki["groups"]}
    assert pick(groups["socialtjanst"]["kunskap"], "mean", "target", "met") == (3.0, 3.0, True)
    assert pick(groups["socialtjanst"]["bemotande"], "mean", "target", "met") == (5.0, 4.4, True)
    assert pick(groups["bygg-miljo"]["bemotande"], "mean", "target", "met") == (4.0, 4.4, False)
    assert pick(groups["bygg-miljo"]["tillganglighet"], "target", "met") == (None, None)


async def test_the_tertial_report_measures_each_organisation_and_answer_group_against_its_own(
    app: FastAPI,
) -> None:
    client: httpx.AsyncClient = app.state.client
    await set_targets(client)
    response = await client.get("/v1/stats/report", params={"period": "2026-T1"})
    assert response.status_code == 200, response.text
    report = {o["organization"]: o for o in response.json()["organizations"]}
    karlskoga, degerfors = report["karlskoga"], report["degerfors"]
    assert pick(karlskoga["answer_rate"], "target", "met", "service_level_target") == (0.8, True, 0.8)
    assert {g["key"]: g["target"] for g in karlskoga["answer_rate"]["groups"]} == {
        "bygg-miljo": 0.8,
        "socialtjanst": 0.7,
    }
    assert pick(karlskoga["email_response"], "target", "met") == (0.6, True)
    assert pick(karlskoga["resolution"], "target", "met") == (0.7, False)
    social = next(d for d in karlskoga["departments"] if d["department"] == "social")
    assert pick(social["resolution"], "rate", "target", "met") == (0.5, 0.7, False)
    assert pick(degerfors["answer_rate"], "target", "service_level_target", "service_level_met") == (
        0.85,
        0.9,
        True,
    )
    assert pick(degerfors["resolution"], "target", "met") == (0.9, True)
    assert pick(degerfors["email_response"], "target", "met") == (0.94, True)  # the setting

    text = (await client.get("/v1/stats/report", params={"period": "2026-T1", "format": "csv"})).text
    rows = {(r["organization"], r["department"], r["figure"], r["key"], r["measure"]): r["value"]
            for r in csv.DictReader(io.StringIO(text))}  # fmt: skip
    assert rows["karlskoga", "", "answer_rate", "socialtjanst", "target"] == "0.7"
    assert rows["degerfors", "", "answer_rate", "", "service_level_target"] == "0.9"
    assert rows["degerfors", "", "answer_rate", "", "service_level_met"] == "true"
    assert rows["karlskoga", "social", "email_response", "", "target"] == "0.6"


async def test_setting_and_reading_targets(app: FastAPI) -> None:
    client: httpx.AsyncClient = app.state.client
    await set_targets(client)
    response = await client.get("/v1/stats/targets/karlskoga")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["set"]["answer_rate"] == 0.8 and body["set"]["service_level"] is None
    assert body["effective"]["service_level"] == 0.8  # not set: the setting
    assert body["effective"]["satisfaction"] == {"bemotande": 4.4, "kunskap": 4.0, "tillganglighet": None}
    social = body["effective"]["answer_groups"]["socialtjanst"]
    assert (social["answer_rate"], social["resolution"], social["satisfaction"]["kunskap"]) == (0.7, 0.7, 3.0)
    assert body["effective"]["answer_groups"]["arabiska"]["answer_rate"] == 0.8
    assert body["updated_by"] == "admin" and body["updated_at"] == NOW.isoformat()

    listing = (await client.get("/v1/stats/targets")).json()
    assert [o["organization"] for o in listing["organizations"]] == ["karlskoga", "degerfors", "karlskogahem"]
    assert listing["organizations"][2]["effective"]["answer_rate"] == 0.95  # karlskogahem: the settings
    assert listing["defaults"]["email_response"] == 0.94

    # A PUT replaces: what it leaves out falls back again.
    assert (await client.put("/v1/stats/targets/degerfors", json={}, headers=ADMIN)).status_code == 200
    rate = await get(client, "/v1/stats/answer-rate", organization="degerfors")
    assert pick(rate, "target", "service_level_target") == (0.95, 0.8)


@pytest.mark.parametrize(
    ("organization", "body", "named"),
    [
        ("nowhere", {"answer_rate": 0.9}, "nowhere"),
        ("degerfors", {"answer_groups": {"hyresgastservice": {"answer_rate": 0.9}}}, "hyresgastservice"),
        ("degerfors", {"answer_rate": 1.2}, "answer_rate"),
        ("degerfors", {"service_level": -0.1}, "service_level"),
        ("degerfors", {"satisfaction": {"bemotande": 6}}, "bemotande"),
        ("degerfors", {"satisfaction": {"trivsel": 4}}, "trivsel"),
        ("degerfors", {"answer_groups": {"socialtjanst": {"resolution": "hög"}}}, "resolution"),
        ("degerfors", {"answer_rte": 0.9}, "answer_rte"),
    ],
)
async def test_bad_targets_are_refused_naming_what_is_wrong(
    app: FastAPI, organization: str, body: dict[str, Any], named: str
) -> None:
    client: httpx.AsyncClient = app.state.client
    response = await client.put(f"/v1/stats/targets/{organization}", json=body, headers=ADMIN)
    assert response.status_code == 422, response.text
    assert named in response.json()["error"]["message"]
    assert (await client.get("/v1/stats/targets/degerfors")).json()["set"]["answer_rate"] is None


async def test_a_rebuild_into_another_database_keeps_the_targets(app: FastAPI) -> None:
    client: httpx.AsyncClient = app.state.client
    await set_targets(client)
    db = app.state.runtime.db
    rebuilt = db.client[f"{db.name}_rebuilt"]
    try:
        assert await copy_targets(db, rebuilt) == 2
        copied = {doc["_id"]: doc["targets"] async for doc in rebuilt["targets"].find({})}
        assert copied["degerfors"] == DEGERFORS
    finally:
        await db.client.drop_database(rebuilt.name)
