"""GET /metrics carries the live counters and gauges; and stats stores nothing about a person."""

from __future__ import annotations

import json
import random
import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from fastapi import FastAPI

from lotsen.kafka.memory import InMemoryBus
from services.stats.metrics import refresh_gauges
from services.stats.repository import StatsRepository
from tests.stats_expected import Expectation
from tests.stats_generator import Call, build_month, call_events_of, ms
from tests.stats_support import stats_app
from tests.unit.test_stats_figures import deliver_in_polls, publish

PERSONAL = ("+4670", "anna.agent", "bo.supervisor", "handler.hans", "mailbox full", "needs the department",
            "first line can answer", "the citizen wrote again", "messages.text")  # fmt: skip
STAFF = ("anna.agent", "bo.supervisor", "handler.hans")
STATE_COLLECTIONS = ("call_state", "case_state", "outbound_state")
PERSONAL_FIELDS = {"from", "to", "agent", "name", "email", "phone", "facebook_psid", "text", "subject",
                   "reason", "assignee", "handed_off_by", "returned_by"}  # fmt: skip


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    run = uuid.uuid4().hex[:6]
    month = build_month(seed=3, organizations=(f"a{run}", f"b{run}"), calls_per_org=60, cases_per_org=40)
    waiting = Call(f"a{run}-waiting", f"a{run}", "ovrigt", ms(month.now - timedelta(minutes=10)), "pending")
    month.calls.append(waiting)
    month.events.extend(call_events_of(waiting, random.Random(1)))
    async with stats_app(bus, now=month.now) as application:
        application.state.month = month
        await publish(bus, month.events)
        await deliver_in_polls(application, bus)
        yield application


def total(text: str, name: str, organization: str, **labels: str) -> float:
    """The sum of ``name``'s samples for ``organization`` whose labels include ``labels``."""
    result = 0.0
    for label_text, value in re.findall(rf"^{name}{{([^}}]*)}} (\S+)$", text, re.MULTILINE):
        found = dict(re.findall(r'(\w+)="([^"]*)"', label_text))
        if found.get("organization") == organization and labels.items() <= found.items():
            result += float(value)
    return result


async def test_metrics_count_contacts_and_show_open_cases_and_waiting_calls(app: FastAPI) -> None:
    month = app.state.month
    expectation = Expectation(month)
    org = month.organizations[0]
    await app.state.aggregator.flush()
    await refresh_gauges(app.state.stats, now=month.now, tz=app.state.aggregator.tz, waiting_window=3600)
    text = (await app.state.client.get("/metrics")).text

    mine = [c for c in expectation.cases if c.organization == org]
    emails = sum(1 for c in mine if c.channel == "email")
    assert total(text, "lotsen_stats_contacts_total", org, channel="email") == emails
    offered = sum(1 for c in expectation.calls if c.organization == org)
    assert total(text, "lotsen_stats_calls_offered_total", org) == offered
    assert total(text, "lotsen_stats_open_cases", org, status="open") == sum(
        1 for c in mine if c.status == "open"
    )
    waiting = [
        c for c in month.calls
        if c.organization == org and c.outcome == "pending" and c.offered_at >= month.now - timedelta(hours=1)
    ]  # fmt: skip
    assert waiting, "the month has calls waiting at its end"
    assert total(text, "lotsen_stats_calls_waiting", org) == len(waiting)


async def test_nothing_that_identifies_a_person_is_stored(app: FastAPI) -> None:
    stored = await StatsRepository(app.state.runtime.db).collections()
    text = json.dumps(stored, default=str)
    for value in PERSONAL:
        if value in STAFF:
            continue
        assert value not in text
    # Staff user names, for the per-agent figures, stay in the per-call and per-case state: never in
    # the organisation's day and month cells.
    state = json.dumps({name: stored[name] for name in STATE_COLLECTIONS}, default=str)
    assert "anna.agent" in state
    outside = json.dumps({n: d for n, d in stored.items() if n not in STATE_COLLECTIONS}, default=str)
    for value in STAFF:
        assert value not in outside
    for name, docs in stored.items():
        for doc in docs:
            assert not (set(doc) & PERSONAL_FIELDS), f"{name}: {sorted(set(doc) & PERSONAL_FIELDS)}"
