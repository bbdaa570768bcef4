"""The departments' reports on schedule (docs/figures.md, "Rapporter till förvaltningarna"): due once
the period has ended and the set time has come, published once whatever the number of runs or
replicas, with the tertial report's own numbers in the CSV and the HTML."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.contracts.cases import CaseCreated, CaseResolved
from lotsen.contracts.envelope import Event, derived_event_id
from lotsen.contracts.reports import ReportReady
from lotsen.kafka.memory import InMemoryBus
from lotsen.kafka.processing import MemoryDeduplicator
from services.stats.department_reports import ReportSender, due_periods
from services.stats.handlers import make_handler
from services.stats.repository import StatsRepository
from services.stats.settings import StatsSettings
from tests.stats_support import bearer, stats_app

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# 1 May 2026, 06:30 in Stockholm: T1 (Jan–Apr) ended yesterday, and its reports are due at 06:00.
AT = datetime(2026, 5, 1, 6, 30, tzinfo=STOCKHOLM).astimezone(UTC)
DEPARTMENTS_IN_THE_DEMO_DIRECTORY = 6 + 6 + 8  # karlskoga, degerfors, karlskogahem


def created(ref: str, org: str, department: str, channel: str, day: datetime) -> Event[Any]:
    return CaseCreated(
        producer="casestore",
        organization=org,
        occurred_at=day,
        data={
            "case_ref": ref,
            "channel": channel,
            "received_at": day,
            "category": "bygglov",
            "department": department,
            "handled_by": "department",
            "rosa_level": 5,
        },
    )


def resolved(ref: str, org: str, day: datetime) -> Event[Any]:
    return CaseResolved(
        producer="casestore",
        organization=org,
        occurred_at=day,
        data={"case_ref": ref, "resolved_at": day, "resolved_by_first_line": False, "resolution_code": "x"},
    )


MARCH = datetime(2026, 3, 2, 9, tzinfo=UTC)
EVENTS = [
    created("KGA-1", "karlskoga", "samhallsbyggnad", "email", MARCH),
    created("KGA-2", "karlskoga", "samhallsbyggnad", "phone", MARCH + timedelta(days=40)),  # 11 April
    resolved("KGA-2", "karlskoga", MARCH + timedelta(days=41)),
    created("KGA-3", "karlskoga", "skola", "webform", MARCH - timedelta(days=25)),  # February
    created("KGA-4", "karlskoga", "samhallsbyggnad", "email", datetime(2026, 5, 4, 9, tzinfo=UTC)),  # T2
    created("DEG-1", "degerfors", "samhallsbyggnad", "email", MARCH),
]


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=AT, reports_kinds=["tertial"]) as application:
        for item in EVENTS:
            await bus.publish(topics.CASES_EVENTS, item, key=item.data.case_ref)
        handler = make_handler(stats=StatsRepository(application.state.runtime.db))
        await bus.deliver(topics.CASES_EVENTS, handler, dedupe=MemoryDeduplicator())
        yield application


def reports(bus: InMemoryBus) -> dict[str, ReportReady]:
    published = bus.published(topics.REPORTS_EVENTS)
    assert all(isinstance(e, ReportReady) for e in published)
    return {e.data.report_id: e for e in published}  # type: ignore[misc]


class Tables(HTMLParser):
    """Every table of the page as rows of cell texts, by caption; and whether anything runs."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self._caption: str | None = None
        self._rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)
        if tag == "table":
            self._caption, self._rows = "", []
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self.tables[self._caption or ""] = self._rows[1:]  # without the heading row

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self._caption = (self._caption or "") + data
        elif self._cell is not None:
            self._cell.append(data)


def parsed(html: str) -> Tables:
    page = Tables()
    page.feed(html)
    return page


def test_the_latest_ended_period_is_due_from_the_set_time_within_the_catch_up_days() -> None:
    settings = StatsSettings(env="dev", reports_kinds=["monthly", "tertial"])

    def due(day: int, hour: int, minute: int = 0) -> list[str]:
        now = datetime(2026, 5, day, hour, minute, tzinfo=STOCKHOLM)
        return [p.label for p in due_periods(now, STOCKHOLM, settings)]

    assert due(1, 5, 59) == []  # before 06:00: March's and T3's reports are past their catch-up days
    assert due(1, 6) == ["2026-04", "2026-T1"]
    assert due(8, 6) == ["2026-04", "2026-T1"]  # a service down for a week still sends them
    assert due(8, 6, 1) == []  # then they are no longer the schedule's
    assert due(1, 6) == due(1, 23)
    december = due_periods(datetime(2027, 1, 1, 6, tzinfo=STOCKHOLM), STOCKHOLM, settings)
    assert [(p.label, p.first.isoformat(), p.last.isoformat()) for p in december] == [
        ("2026-12", "2026-12-01", "2026-12-31"),
        ("2026-T3", "2026-09-01", "2026-12-31"),
    ]


async def test_the_schedule_publishes_each_report_once_with_the_tertial_reports_numbers(
    app: FastAPI, bus: InMemoryBus
) -> None:
    sender: ReportSender = app.state.report_sender
    early = replace(sender, clock=lambda: AT - timedelta(hours=1))  # 05:30: not yet
    assert await early.publish_due() == []
    assert reports(bus) == {}

    published = await sender.publish_due()
    assert len(published) == DEPARTMENTS_IN_THE_DEMO_DIRECTORY
    # Another replica, a second run, a restart the next day: nothing new.
    assert await replace(sender).publish_due() == []
    assert await replace(sender, clock=lambda: AT + timedelta(days=1)).publish_due() == []
    sent = reports(bus)
    assert len(bus.published(topics.REPORTS_EVENTS)) == len(sent) == DEPARTMENTS_IN_THE_DEMO_DIRECTORY

    report = sent["karlskoga|samhallsbyggnad|2026-T1"]
    assert report.organization == "karlskoga"
    assert report.event_id == derived_event_id("karlskoga|samhallsbyggnad|2026-T1", "report.ready")
    data = report.data
    assert (data.kind, data.period, str(data.first_day), str(data.last_day)) == (
        "tertial", "2026-T1", "2026-01-01", "2026-04-30",
    )  # fmt: skip
    assert (data.cases, data.omitted, data.department_name) == (2, False, "Samhällsbyggnadsförvaltningen")
    assert sent["karlskoga|skola|2026-T1"].data.cases == 1
    assert sent["degerfors|samhallsbyggnad|2026-T1"].data.cases == 1

    # The CSV is the tertial report's rows of the department, number for number.
    client: httpx.AsyncClient = app.state.client
    whole = await client.get(
        "/v1/stats/report", params={"period": "2026-T1", "organization": "karlskoga", "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(whole.text)))
    assert data.csv is not None
    mine = list(csv.reader(io.StringIO(data.csv)))
    assert mine[0] == rows[0]
    assert mine[1:] == [row for row in rows[1:] if row[1] == "samhallsbyggnad"]
    values = {(row[2], row[3], row[4]): row[5] for row in mine[1:]}
    assert values[("volumes", "", "cases")] == "2"
    assert values[("volumes_by_channel", "email", "count")] == "1"
    assert values[("volumes_by_channel", "phone", "count")] == "1"
    assert values[("resolution", "", "handed_off")] == "2"

    page = parsed(data.html)
    assert not page.tags & {"script", "iframe", "object", "embed", "link", "img", "form"}
    assert not {a for a in page.attributes if a.startswith("on")} and "src" not in page.attributes
    assert "svg" in page.tags
    assert page.tables["Ärenden per kanal"] == [["E-post", "1"], ["Telefon", "1"]]
    assert page.tables["Nyckeltal för perioden"][0] == ["Ärenden", "2", "–", "–"]

    kultur = sent["karlskoga|kultur|2026-T1"].data
    assert kultur.cases == 0
    assert kultur.csv is not None and kultur.csv.splitlines() == [",".join(rows[0])]
    assert "Inga ärenden till förvaltningen under perioden." in kultur.html


async def test_a_report_over_the_size_limit_travels_without_its_figures(
    app: FastAPI, bus: InMemoryBus
) -> None:
    sender: ReportSender = app.state.report_sender
    tiny = replace(sender, settings=sender.settings.model_copy(update={"reports_max_bytes": 100}))
    await tiny.publish_due()
    data = reports(bus)["karlskoga|samhallsbyggnad|2026-T1"].data
    assert (data.omitted, data.csv) == (True, None)
    assert "för stor" in data.html and "Ärenden per kanal" not in data.html


async def test_names_from_the_directory_are_escaped(app: FastAPI, bus: InMemoryBus) -> None:
    sender: ReportSender = app.state.report_sender
    org = sender.directory.organization("karlskoga")
    assert org is not None
    hostile = org.model_copy(
        update={"name": "<script>alert(1)</script>", "departments": [org.departments[0]]}
    )
    (event,) = await sender.reports(
        hostile, due_periods(AT, STOCKHOLM, sender.settings)[0], ["samhallsbyggnad"], trigger="schedule"
    )
    assert "<script>" not in event.data.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in event.data.html


async def test_an_administrator_sends_a_report_now_and_bad_requests_say_what_is_wrong(
    app: FastAPI, bus: InMemoryBus
) -> None:
    client: httpx.AsyncClient = app.state.client
    admin = bearer("admin", organizations=("karlskoga",))

    async def send(**body: str) -> httpx.Response:
        request = {"organization": "karlskoga", "department": "samhallsbyggnad", "period": "2026-03", **body}
        return await client.post("/v1/stats/reports/send", json=request, headers=admin)

    answer = await send()
    assert answer.status_code == 202, answer.text
    assert answer.json() | {"event_id": None} == {
        "report_id": "karlskoga|samhallsbyggnad|2026-03",
        "event_id": None,
        "kind": "monthly",
        "cases": 1,  # April's phone case is not March's
        "omitted": False,
    }
    again = await send()  # sent again on purpose: a new event, which notify sends again
    assert again.json()["event_id"] != answer.json()["event_id"]
    assert len(reports(bus)) == 1 and len(bus.published(topics.REPORTS_EVENTS)) == 2
    assert await app.state.report_sender.publish_due()  # the schedule's own run is still owed

    for body, code, words in [
        ({"department": "nasa"}, "unknown_department", "no department 'nasa' of karlskoga"),
        ({"period": "2026-T2"}, "invalid_period", "has not ended yet"),
        ({"period": "2026-05"}, "invalid_period", "has not ended yet"),
        ({"period": "2026-T4"}, "invalid_period", "is not a tertial"),
        ({"period": "2026-13"}, "invalid_period", "is not a month"),
    ]:
        refused = await send(**body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == code and words in refused.json()["error"]["message"]
    assert (await send(period="2026")).status_code == 422
    everywhere = bearer("admin")
    unknown = {"organization": "atlantis", "department": "skola", "period": "2026-T1"}
    refused = await client.post("/v1/stats/reports/send", json=unknown, headers=everywhere)
    assert refused.status_code == 422 and "no organisation 'atlantis'" in refused.json()["error"]["message"]


async def test_reports_kafka_did_not_take_go_at_the_next_look(app: FastAPI, bus: InMemoryBus) -> None:
    sender: ReportSender = app.state.report_sender
    quick = replace(sender, settings=sender.settings.model_copy(update={"reports_check_seconds": 0.01}))
    bus.fail_publishing = True
    stop = asyncio.Event()
    schedule = asyncio.create_task(quick.run(stop))
    await asyncio.sleep(0.05)  # several looks, each refused by Kafka: the schedule keeps going
    assert not schedule.done() and reports(bus) == {}
    bus.fail_publishing = False
    for _ in range(500):
        if len(reports(bus)) == DEPARTMENTS_IN_THE_DEMO_DIRECTORY:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await schedule
    assert len(reports(bus)) == DEPARTMENTS_IN_THE_DEMO_DIRECTORY
