"""The agent's own "Klar med efterarbete": ``call.wrapped_up`` announced once per call through an
outbox, with what is wrong said when the body is (rules of who may: the matrix test)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from tests.casestore_support import app, bearer, client

__all__ = ["app", "client"]

KARLSKOGA_AGENT = bearer("agent", organizations=("karlskoga",), subject="agent.anna")


async def test_done_announces_call_wrapped_up_once_even_when_kafka_was_away(
    client: httpx.AsyncClient, app: FastAPI, bus: InMemoryBus
) -> None:
    bus.fail_publishing = True  # Kafka away: the wrap-up waits in its outbox
    first = await client.post(
        "/v1/calls/cti-4711/wrap-up", json={"wrap_up_seconds": 95}, headers=KARLSKOGA_AGENT
    )
    assert first.status_code == 201, first.text
    assert (first.json()["organization"], first.json()["agent"], first.json()["wrap_up_seconds"]) == (
        "karlskoga",
        "agent.anna",
        95,
    )
    assert bus.published(topics.CALLS_EVENTS) == []
    bus.fail_publishing = False
    assert await app.state.wrap_ups.relay_once() == 1
    again = await client.post(
        "/v1/calls/cti-4711/wrap-up", json={"wrap_up_seconds": 300}, headers=KARLSKOGA_AGENT
    )
    assert again.status_code == 200  # a second click records nothing new and answers the first
    assert (again.json()["id"], again.json()["wrap_up_seconds"]) == (first.json()["id"], 95)

    [event] = bus.published(topics.CALLS_EVENTS)
    assert (event.type, event.organization, event.producer) == ("call.wrapped_up", "karlskoga", "casestore")
    d = event.data
    assert (d.call_id, d.wrap_up_seconds, d.agent, d.source) == ("cti-4711", 95, "agent.anna", "agent")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({}, "wrap_up_seconds"),
        ({"wrap_up_seconds": -5}, "wrap_up_seconds"),
        ({"wrap_up_seconds": 4 * 3600 + 1}, "wrap_up_seconds"),
        ({"wrap_up_seconds": "lång"}, "wrap_up_seconds"),
    ],
)
async def test_a_wrap_up_out_of_bounds_is_refused_saying_so(
    client: httpx.AsyncClient, bus: InMemoryBus, body: dict[str, object], words: str
) -> None:
    response = await client.post("/v1/calls/cti-1/wrap-up", json=body, headers=KARLSKOGA_AGENT)
    assert response.status_code == 422
    assert words in response.text
    assert bus.published(topics.CALLS_EVENTS) == []


async def test_an_agent_of_several_organisations_names_the_calls(client: httpx.AsyncClient) -> None:
    several = bearer("agent", organizations=("karlskoga", "degerfors"), subject="agent.bo")
    unnamed = await client.post("/v1/calls/cti-2/wrap-up", json={"wrap_up_seconds": 30}, headers=several)
    assert unnamed.status_code == 422
    assert "organization" in unnamed.json()["error"]["message"]
    named = {"wrap_up_seconds": 30, "organization": "degerfors"}
    response = await client.post("/v1/calls/cti-2/wrap-up", json=named, headers=several)
    assert (response.status_code, response.json()["organization"]) == (201, "degerfors")
