"""``Idempotency-Key`` on casestore: a retry gets the first answer, a reuse for another request a 409."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from tests.casestore_support import app, client, login

__all__ = ["app", "client"]

ERRAND = {
    "organization": "karlskoga",
    "channel": "phone",
    "category": "bygglov",
    "message": "Ringde om bygglov för en altan.",
    "name": "Sara Öberg",
    "phone": "+46701234567",
}


async def test_the_same_key_with_another_body_is_refused_and_opens_nothing(
    client: httpx.AsyncClient, app: FastAPI, bus: InMemoryBus
) -> None:
    agent = {**await login(client, "agent"), "Idempotency-Key": "samtal-4711"}
    first = await client.post("/v1/cases", json=ERRAND, headers=agent)
    assert first.status_code == 201, first.text

    other_errand = {**ERRAND, "message": "Ringde om snöröjningen på Bergsgatan.", "category": "snorojning"}
    reused = await client.post("/v1/cases", json=other_errand, headers=agent)

    assert reused.status_code == 409
    error = reused.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in error["message"]
    assert error["details"] == {"idempotency_key": "samtal-4711"}
    created = [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.created"]
    assert len(created) == 1
    assert await app.state.runtime.db["cases"].count_documents({}) == 1

    retry = await client.post("/v1/cases", json=ERRAND, headers=agent)
    assert retry.status_code == 201
    assert retry.json()["ref"] == first.json()["ref"]


async def test_keys_belong_to_the_caller(client: httpx.AsyncClient) -> None:
    agent = {**await login(client, "agent"), "Idempotency-Key": "k-1"}
    supervisor = {**await login(client, "supervisor"), "Idempotency-Key": "k-1"}
    mine = await client.post("/v1/cases", json=ERRAND, headers=agent)
    theirs = await client.post("/v1/cases", json={**ERRAND, "message": "Annat ärende."}, headers=supervisor)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["ref"] != theirs.json()["ref"]
