"""Every figure of a synthetic month, through the in-memory bus, equals the definition exactly —
in the order events arrive, after the whole stream is delivered again, and in a shuffled order."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.contracts.envelope import decode_event
from lotsen.kafka.memory import InMemoryBus
from services.stats import repository as stats_repository
from services.stats.aggregates import Aggregator
from services.stats.handlers import make_batch_handler
from services.stats.repository import Mark, StatsRepository, change_id
from tests.stats_expected import Expectation
from tests.stats_generator import Month, build_month
from tests.stats_queries import mismatches
from tests.stats_support import stats_app

ORGANIZATIONS = ("provkommun", "provbolaget")
STATS_TOPICS = (topics.CALLS_EVENTS, topics.CASES_EVENTS, topics.OUTBOUND_RESULTS)


@pytest.fixture(scope="module")
def month() -> Month:
    return build_month(seed=20260415, organizations=ORGANIZATIONS, calls_per_org=250, cases_per_org=110)


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None, month: Month) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=month.now) as application:
        yield application


async def publish(bus: InMemoryBus, events: list[tuple[str, str, Any]]) -> None:
    for topic, key, event in events:
        await bus.publish(topic, event, key=key)


async def deliver_in_polls(
    app: FastAPI, bus: InMemoryBus, *, poll: int = 300, start: int = 0, aggregate_each: bool = False
) -> None:
    """Hand the bus's records to the batch handler as a consumer's polls would: a slice of each topic
    (``aggregate_each``: and aggregate after each poll, as a dashboard that keeps asking makes it)."""
    handler = make_batch_handler(stats=StatsRepository(app.state.runtime.db), settings=app.state.settings)
    positions = dict.fromkeys(STATS_TOPICS, start)
    while any(positions[t] < len(bus.records[t]) for t in STATS_TOPICS):
        events = []
        for topic in STATS_TOPICS:
            chunk = bus.records[topic][positions[topic] : positions[topic] + poll // 3]
            positions[topic] += len(chunk)
            events += [decode_event(record.value) for record in chunk]
        await handler(events)
        if aggregate_each:
            await app.state.aggregator.flush()


async def assert_figures(app: FastAPI, month: Month, *, full: bool = True) -> None:
    client: httpx.AsyncClient = app.state.client
    wrong = await mismatches(client, Expectation(month), ORGANIZATIONS, full=full)
    assert not wrong, "\n".join(wrong)


async def test_every_figure_matches_and_redelivery_changes_nothing(
    app: FastAPI, bus: InMemoryBus, month: Month
) -> None:
    await publish(bus, month.events)
    await deliver_in_polls(app, bus)
    await assert_figures(app, month)
    before = await stored(app)

    await deliver_in_polls(app, bus, poll=900)  # the whole stream once more, in other polls
    assert await stored(app) == before
    await assert_figures(app, month, full=False)


async def test_a_shuffled_stream_gives_the_same_state_and_figures(
    app: FastAPI, bus: InMemoryBus, month: Month, dev_env: None
) -> None:
    shuffled = list(month.events)
    random.Random(7).shuffle(shuffled)
    await publish(bus, shuffled)
    await deliver_in_polls(app, bus, poll=240)
    await assert_figures(app, month, full=False)

    async with stats_app(InMemoryBus(), now=month.now) as in_order:
        bus_in_order = in_order.state.runtime.publisher
        await publish(bus_in_order, month.events)
        await deliver_in_polls(in_order, bus_in_order)
        await in_order.state.aggregator.flush()
        assert await stored(in_order) == await stored(app)


async def test_days_kept_up_to_date_poll_by_poll_equal_days_derived_whole(
    app: FastAPI, bus: InMemoryBus, month: Month
) -> None:
    """The aggregator keeps each day's cells and re-reads only the entities a poll changed; the
    aggregates it writes are those of re-deriving every day from all its entities."""
    await publish(bus, month.events)
    await deliver_in_polls(app, bus, poll=60, aggregate_each=True)
    await assert_figures(app, month, full=False)
    kept_up_to_date = await stored(app)

    stats = StatsRepository(app.state.runtime.db)
    days = (await stats.collections())["buckets_day"]
    assert len(days) > 30
    await stats.mark_dirty({Mark("day", day["kind"], day["organization"], day["day"]) for day in days})
    app.state.aggregator = Aggregator(stats, app.state.settings)  # holds no day: derives each whole
    assert await stored(app) == kept_up_to_date


async def test_a_change_log_lost_midway_costs_a_whole_day_not_a_count(
    app: FastAPI, bus: InMemoryBus, month: Month, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A generation missing from the change log (expired, or a handler stopped between its two
    writes) makes the aggregator re-derive the day whole instead of missing what changed."""
    monkeypatch.setattr(stats_repository, "UNLOGGED_GRACE_SECONDS", 0.0)  # a missing log is lost at once
    half = len(month.events) // 2
    await publish(bus, month.events[:half])
    await deliver_in_polls(app, bus, poll=120, aggregate_each=True)
    await publish(bus, month.events[half:])
    await deliver_in_polls(app, bus, poll=120)  # the first half again, then the rest, logged …
    await app.state.runtime.db["changes"].delete_many({})  # … and the log lost before aggregating
    await assert_figures(app, month, full=False)


async def test_a_generation_not_yet_logged_waits_for_its_log_instead_of_a_whole_day(
    app: FastAPI, bus: InMemoryBus, month: Month, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler bumps a day's generation, then logs what it changed. A flush in between (a dashboard
    asking) brings the day up to the last logged generation and leaves the mark dirty; it does not
    re-read every entity of the day, and the next flush after the log completes it."""
    await publish(bus, month.events)
    await deliver_in_polls(app, bus, poll=120, aggregate_each=True)
    stats = StatsRepository(app.state.runtime.db)
    day = (await stats.collections())["buckets_day"][0]
    mark = Mark("day", day["kind"], day["organization"], day["day"])
    await stats.mark_dirty({mark: set()})  # a logged generation: the aggregator now holds this day
    await app.state.aggregator.flush()
    days = app.state.runtime.db["buckets_day"]
    generation_before = (await days.find_one({"_id": day["_id"]}))["gen"]
    bumped = await stats._bump(mark)  # a handler between its two writes

    async def whole_day(*args: object) -> list[dict[str, Any]]:
        raise AssertionError("the day was re-derived from every entity")

    monkeypatch.setattr(app.state.aggregator.stats, "states_in_buckets", whole_day)
    await app.state.aggregator.flush()
    assert [m.gen for m in await stats.dirty_marks("day") if m.id == mark.id] == [bumped]
    await assert_figures(app, month, full=False)

    await app.state.runtime.db["changes"].insert_one(
        {"_id": change_id(mark, bumped), "ids": [], "at": datetime.now(UTC)}
    )
    await app.state.aggregator.flush()
    assert [m for m in await stats.dirty_marks("day") if m.id == mark.id] == []
    assert (await days.find_one({"_id": day["_id"]}))["gen"] == bumped > generation_before


async def test_the_report_as_csv(app: FastAPI, bus: InMemoryBus, month: Month) -> None:
    await publish(bus, month.events)
    await deliver_in_polls(app, bus)
    client: httpx.AsyncClient = app.state.client
    response = await client.get("/v1/stats/report", params={"period": "2026-T1", "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="lotsen-tertialrapport-2026-T1.csv"' in response.headers["content-disposition"]
    lines = response.text.splitlines()
    assert lines[0] == "organization,department,figure,key,measure,value"
    report = (await client.get("/v1/stats/report", params={"period": "2026-T1"})).json()
    first = report["organizations"][0]
    org = first["organization"]
    assert f"{org},,answer_rate,,answer_rate,{first['answer_rate']['answer_rate']}" in lines
    for department in first["departments"]:
        for ref in department["synpunkter"]["refs"]:
            assert f"{org},{department['department'] or ''},synpunkter,,case_ref,{ref}" in lines

    # The same report for any period, as the dashboard asks for a custom range.
    by_dates = await client.get("/v1/stats/report", params={"from": "2026-01-01", "to": "2026-04-30"})
    assert by_dates.json()["organizations"] == report["organizations"]
    assert (await client.get("/v1/stats/report")).status_code == 422


async def test_a_bad_period_is_a_clear_422(app: FastAPI) -> None:
    client: httpx.AsyncClient = app.state.client
    for period in ("2026-T4", "2026T1", "T1-2026", "2026-Q1"):
        response = await client.get("/v1/stats/report", params={"period": period})
        assert response.status_code == 422
        assert "YYYY-T1" in response.json()["error"]["message"]
    wrong_group = await client.get("/v1/stats/answer-rate", params={"group_by": "department"})
    assert wrong_group.status_code == 422
    assert "answer_group" in wrong_group.json()["error"]["message"]
    assert (await client.get("/v1/stats/volumes/charging", params={"month": "2026-13"})).status_code == 422


async def stored(app: FastAPI) -> str:
    """State and aggregates in a canonical form: no generation counters (they count deliveries),
    cells in key order."""
    await app.state.aggregator.flush()
    collections = await StatsRepository(app.state.runtime.db).collections()
    for docs in collections.values():
        for doc in docs:
            doc.pop("gen", None)
            doc.pop("bumped_at", None)
            if "cells" in doc:
                doc["cells"] = sorted(doc["cells"], key=lambda c: json.dumps(c["k"], sort_keys=True))
    canonical = {k: sorted(v, key=lambda d: str(d["_id"])) for k, v in collections.items()}
    return json.dumps(canonical, default=str, sort_keys=True)
