"""A case handed off to a confidential department (sekretess) becomes confidential, and stays so."""

from __future__ import annotations

from typing import Any

import httpx

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from tests.casestore_support import app, bearer, client, handle, login, routed

__all__ = ["app", "client", "handle"]

REF = "KGA-2026-000001"


async def test_a_handoff_to_social_services_makes_the_case_confidential(
    client: httpx.AsyncClient, handle: Any, bus: InMemoryBus
) -> None:
    await handle(routed("mail-1", channel="email", text="Jag har inte råd med hyran i mars."))
    agent = await login(client, "agent")
    social = bearer("handler", organizations=("karlskoga",), departments=("social",), subject="soc.karlskoga")
    assert (await client.get(f"/v1/cases/{REF}", headers=social)).status_code == 404

    handed = await client.post(
        f"/v1/cases/{REF}/handoff",
        json={"department": "social", "reason": "ekonomiskt bistånd"},
        headers=agent,
    )
    assert handed.status_code == 200
    assert handed.json()["confidential"] is True

    assert (await client.get(f"/v1/cases/{REF}", headers=agent)).status_code == 404
    listed = (await client.get("/v1/cases", headers=agent)).json()["items"]
    assert REF not in {c["ref"] for c in listed}
    assert (
        await client.get(f"/v1/cases/{REF}", headers=await login(client, "handler-degerfors"))
    ).status_code == 404
    assert (await client.get(f"/v1/cases/{REF}", headers=social)).status_code == 200

    timeline = (await client.get(f"/v1/cases/{REF}/timeline", headers=social)).json()
    [handoff] = [e for e in timeline if e["type"] == "handed_off"]
    assert handoff["data"]["confidential"] is True
    assert [e["actor"] for e in timeline if e["type"] == "read"] == ["soc.karlskoga", "soc.karlskoga"]
    [event] = [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.handed_off"]
    assert event.data.confidential is True


async def test_a_confidential_case_handed_back_stays_confidential(
    client: httpx.AsyncClient, handle: Any
) -> None:
    await handle(routed("mail-1", channel="email"))
    supervisor = await login(client, "supervisor")
    social = bearer("handler", organizations=("karlskoga",), departments=("social",))
    await client.post(
        f"/v1/cases/{REF}/handoff", json={"department": "social", "reason": "bistånd"}, headers=supervisor
    )
    returned = await client.post(
        f"/v1/cases/{REF}/return", json={"reason": "fel förvaltning"}, headers=social
    )
    assert returned.status_code == 200 and returned.json()["confidential"] is True
    moved = await client.post(
        f"/v1/cases/{REF}/handoff",
        json={"department": "samhallsbyggnad", "reason": "bygglov"},
        headers=supervisor,
    )
    assert moved.json()["confidential"] is True
    assert (await client.get(f"/v1/cases/{REF}", headers=await login(client, "agent"))).status_code == 404
    builder = await login(client, "handler")  # samhallsbyggnad in Karlskoga: now the case's department
    assert (await client.get(f"/v1/cases/{REF}", headers=builder)).status_code == 200


async def test_a_handoff_to_a_department_that_is_not_confidential_changes_nothing(
    client: httpx.AsyncClient, handle: Any
) -> None:
    await handle(routed("mail-1", channel="email"))
    agent = await login(client, "agent")
    handed = await client.post(
        f"/v1/cases/{REF}/handoff", json={"department": "samhallsbyggnad", "reason": "bygglov"}, headers=agent
    )
    assert handed.json()["confidential"] is False
    assert (await client.get(f"/v1/cases/{REF}", headers=agent)).status_code == 200
