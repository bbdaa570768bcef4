"""The SLA scheduler reaches every real breach, however many answered cases are still open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from services.casestore import sla
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]

RECEIVED = datetime(2026, 3, 2, 8, 41, tzinfo=UTC)
BATCH = 3


async def _email(handle: Any, contact_id: str) -> None:
    await handle(routed(contact_id, channel="email", received_at=RECEIVED, sender={"email": "a@example.se"}))


async def test_answered_open_cases_do_not_starve_the_breaches_behind_them(
    client: httpx.AsyncClient, handle: Any, app: FastAPI, bus: InMemoryBus
) -> None:
    agent = await login(client, "agent")
    answered = [f"KGA-2026-{n:06d}" for n in range(1, 2 * BATCH + 2)]  # more than two batches
    for n, ref in enumerate(answered):
        await _email(handle, f"answered-{n}")
        reply = {"kind": "reply", "text": "Hej! Svar inom tid."}
        assert (await client.post(f"/v1/cases/{ref}/messages", json=reply, headers=agent)).status_code == 200
    unanswered = [f"KGA-2026-{n:06d}" for n in range(len(answered) + 1, len(answered) + 3)]
    for n, _ in enumerate(unanswered):
        await _email(handle, f"unanswered-{n}")
    stored = app.state.runtime.db["cases"]
    before = {doc["_id"]: doc async for doc in stored.find({"_id": {"$in": answered}})}
    assert all(d["status"] == "open" and d["first_response_at"] for d in before.values())

    cases = app.state.cases
    cases.clock = lambda: RECEIVED + timedelta(days=5)
    settings = app.state.settings.model_copy(update={"sla_scan_batch": BATCH})
    assert await sla.scan_once(cases, settings) == len(unanswered)
    assert await sla.scan_once(cases, settings) == 0

    breached = [e.data.case_ref for e in bus.published(topics.CASES_EVENTS) if e.type == "case.sla_breached"]
    assert sorted(breached) == unanswered
    after = {doc["_id"]: doc async for doc in stored.find({"_id": {"$in": answered}})}
    for ref in answered:
        assert after[ref]["version"] == before[ref]["version"], f"{ref} was rewritten with nothing in it"
        assert after[ref]["updated_at"] == before[ref]["updated_at"]
        assert not after[ref].get(sla.FIRST_RESPONSE_FLAG)


async def test_more_breaches_than_a_batch_are_all_flagged_over_successive_scans(
    client: httpx.AsyncClient, handle: Any, app: FastAPI, bus: InMemoryBus
) -> None:
    for n in range(2 * BATCH + 1):
        await _email(handle, f"late-{n}")
    cases = app.state.cases
    cases.clock = lambda: RECEIVED + timedelta(days=5)
    settings = app.state.settings.model_copy(update={"sla_scan_batch": BATCH})
    assert [await sla.scan_once(cases, settings) for _ in range(4)] == [BATCH, BATCH, 1, 0]
    breached = {e.data.case_ref for e in bus.published(topics.CASES_EVENTS) if e.type == "case.sla_breached"}
    assert len(breached) == 2 * BATCH + 1
