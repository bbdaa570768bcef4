"""Organisations beyond the case endpoints: the knowledge bank and privacy operations stay within the
organisations a caller works for (the case endpoints are in test_casestore_authorization.py)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.casestore_support import app, bearer, client, handle, login, routed

__all__ = ["app", "client", "handle"]

ARTICLE = {
    "organization": "degerfors",
    "title": "Ekonomiskt bistånd",
    "body": "Ansökan om ekonomiskt bistånd görs hos socialtjänsten i Degerfors.",
    "tags": ["bistånd"],
    "owner_department": "social",
}


async def test_knowledge_bank_articles_are_seen_only_by_their_organisation(client: httpx.AsyncClient) -> None:
    supervisor = await login(client, "supervisor")  # Karlskoga's contact centre, Degerfors included
    created = await client.post("/v1/kb/articles", json=ARTICLE, headers=supervisor)
    assert created.status_code == 201
    article_id = created.json()["id"]
    degerfors_agent = bearer("agent", organizations=("degerfors",))
    karlskoga_agent = bearer("agent", organizations=("karlskoga",))

    def search(headers: dict[str, str], **params: str) -> Any:
        return client.get("/v1/kb/articles", params={"q": "bistånd", **params}, headers=headers)

    assert [a["id"] for a in (await search(degerfors_agent)).json()] == [article_id]
    assert (await search(karlskoga_agent)).json() == []
    assert (await search(karlskoga_agent, organization="degerfors")).json() == []
    assert (await client.get(f"/v1/kb/articles/{article_id}", headers=karlskoga_agent)).status_code == 404
    assert (
        await client.post(f"/v1/kb/articles/{article_id}/use", headers=karlskoga_agent)
    ).status_code == 404
    assert (await client.get(f"/v1/kb/articles/{article_id}", headers=degerfors_agent)).status_code == 200

    karlskoga_supervisor = bearer("supervisor", organizations=("karlskoga",))
    refused = await client.post("/v1/kb/articles", json=ARTICLE, headers=karlskoga_supervisor)
    assert refused.status_code == 403 and "degerfors" in refused.json()["error"]["message"]
    hidden = await client.put(
        f"/v1/kb/articles/{article_id}",
        json={**ARTICLE, "organization": "karlskoga"},
        headers=karlskoga_supervisor,
    )
    assert hidden.status_code == 404
    moved = await client.put(
        f"/v1/kb/articles/{article_id}", json={**ARTICLE, "organization": "karlskoga"}, headers=supervisor
    )
    assert moved.status_code == 200
    assert (await client.get(f"/v1/kb/articles/{article_id}", headers=karlskoga_agent)).status_code == 200
    assert (await search(degerfors_agent)).json() == []


async def two_organisations_one_person(handle: Any) -> None:
    for organization in ("karlskoga", "degerfors"):
        await handle(
            routed(
                f"mail-{organization}",
                organization=organization,
                category="forsorjningsstod",
                department="social",
                confidential=True,
                handled_by="department",
                channel="email",
                text="Jag behöver hjälp med hyran",
                sender={"name": "Lina Berg", "email": "lina@example.se"},
            )
        )


async def test_a_supervisor_exports_and_erases_only_their_organisations_cases(
    client: httpx.AsyncClient, handle: Any
) -> None:
    await two_organisations_one_person(handle)
    degerfors = bearer("supervisor", organizations=("degerfors",), subject="chef.degerfors")
    export = await client.get("/v1/privacy/export", params={"email": "lina@example.se"}, headers=degerfors)
    assert export.status_code == 200
    assert [c["ref"] for c in export.json()["cases"]] == ["DEG-2026-000001"]

    erased = await client.post("/v1/privacy/erasure", json={"email": "lina@example.se"}, headers=degerfors)
    assert erased.json()["erased"] == ["DEG-2026-000001"]
    supervisor = await login(client, "supervisor")
    karlskoga_case = (await client.get("/v1/cases/KGA-2026-000001", headers=supervisor)).json()
    assert karlskoga_case["messages"][0]["text"] == "Jag behöver hjälp med hyran"


async def test_an_export_of_a_confidential_case_is_a_logged_read(
    client: httpx.AsyncClient, handle: Any
) -> None:
    await two_organisations_one_person(handle)
    degerfors = bearer("supervisor", organizations=("degerfors",), subject="chef.degerfors")
    await client.get("/v1/privacy/export", params={"email": "lina@example.se"}, headers=degerfors)
    timeline = (await client.get("/v1/cases/DEG-2026-000001/timeline", headers=degerfors)).json()
    reads = [e["actor"] for e in timeline if e["type"] == "read"]
    assert reads == ["chef.degerfors", "chef.degerfors"]  # the export, then this timeline read
