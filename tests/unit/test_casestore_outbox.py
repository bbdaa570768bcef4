"""The case outbox: an event the broker refuses for good is parked on the case, not retried for ever."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.contracts.envelope import decode_event
from lotsen.kafka.memory import InMemoryBus
from lotsen.kafka.publisher import PublishRefused
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]

REF = "KGA-2026-000001"


async def test_an_event_kafka_refuses_for_good_is_parked_and_the_events_behind_it_go_out(
    client: httpx.AsyncClient, handle: Any, app: FastAPI, bus: InMemoryBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    await handle(routed("webform-1"))
    agent = await login(client, "agent")
    bus.fail_publishing = True  # Kafka away: both changes wait in the outbox
    assert (
        await client.post(f"/v1/cases/{REF}/assign", json={"assignee": "agent"}, headers=agent)
    ).is_success
    resolve = {"resolution_code": "answered"}
    assert (await client.post(f"/v1/cases/{REF}/resolve", json=resolve, headers=agent)).is_success
    bus.fail_publishing = False

    publish_raw = bus.publish_raw

    async def refusing_assignments(
        topic: str, value: bytes, *, key: bytes | None, headers: Any = None
    ) -> None:
        if decode_event(value).type == "case.assigned":
            raise PublishRefused("MessageSizeTooLargeError: the record is larger than the broker accepts")
        await publish_raw(topic, value, key=key, headers=headers)

    monkeypatch.setattr(bus, "publish_raw", refusing_assignments)
    for case in await app.state.cases.repo.with_unpublished_events():
        await app.state.cases.flush(case)

    published = [e.type for e in bus.published(topics.CASES_EVENTS) if e.data.case_ref == REF]
    assert "case.resolved" in published and "case.assigned" not in published
    assert await app.state.cases.repo.with_unpublished_events() == []
    stored = await app.state.cases.repo.get(REF)
    [parked] = stored["refused_events"]
    assert parked["topic"] == topics.CASES_EVENTS
    assert "larger than the broker accepts" in parked["error"]


async def test_the_relay_leaves_a_just_changed_case_to_its_own_flush_and_publishes_it_later(
    client: httpx.AsyncClient, handle: Any, app: FastAPI, bus: InMemoryBus
) -> None:
    """Otherwise the relay and the request that changed the case publish its events twice."""
    await handle(routed("webform-1"))
    agent = await login(client, "agent")
    bus.fail_publishing = True
    assert (
        await client.post(f"/v1/cases/{REF}/assign", json={"assignee": "agent"}, headers=agent)
    ).is_success
    bus.fail_publishing = False
    cases = app.state.cases
    assert await cases.relay_once(every_seconds=5) == 0
    assert not [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.assigned"]

    now = cases.clock()
    cases.clock = lambda: now + timedelta(seconds=5)
    assert await cases.relay_once(every_seconds=5) == 1
    assert [e.type for e in bus.published(topics.CASES_EVENTS) if e.type == "case.assigned"] == [
        "case.assigned"
    ]
    assert await cases.repo.with_unpublished_events() == []


async def test_a_new_cases_events_go_to_kafka_together_and_in_order(
    handle: Any, bus: InMemoryBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One round trip to the broker for a new case's events, not one each (the case is listed sooner);
    the order stays the case's own."""
    publish_raw = bus.publish_raw
    in_flight: list[int] = [0]
    most_at_once: list[int] = [0]

    async def waiting_for_the_broker(
        topic: str, value: bytes, *, key: bytes | None, headers: Any = None
    ) -> None:
        in_flight[0] += 1
        most_at_once[0] = max(most_at_once[0], in_flight[0])
        await publish_raw(topic, value, key=key, headers=headers)  # in the producer's queue, in call order
        await asyncio.sleep(0.01)  # the broker's acknowledgement
        in_flight[0] -= 1

    monkeypatch.setattr(bus, "publish_raw", waiting_for_the_broker)
    await handle(routed("webform-1"))

    case_events = [e.type for e in bus.published(topics.CASES_EVENTS) if e.data.case_ref == REF]
    assert case_events[0] == "case.created"
    assert len(bus.published(topics.OUTBOUND_REQUESTS)) == 1, "the acknowledgement is requested once"
    assert most_at_once[0] == len(case_events) + 1
