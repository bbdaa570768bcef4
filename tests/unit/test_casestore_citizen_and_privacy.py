"""The citizen's status page, erasure and export of personal data, and the knowledge bank."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from lotsen.settings import DEMO_SERVICE_KEY
from services.casestore import sla
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]

REF = "KGA-2026-000001"


async def new_case(handle: Any, app: FastAPI) -> str:
    await handle(
        routed(
            "mail-1",
            channel="email",
            subject="Försörjningsstöd i mars",
            text="Jag heter Lina och bor på Storgatan 1",
            sender={"name": "Lina Berg", "email": "lina@example.se", "phone": "070-1234567"},
            thread={"message_id": "<abc@mail.example.se>"},
        )
    )
    case = await app.state.cases.repo.get(REF)
    return str(case["access_code"])


async def test_a_citizen_follows_the_errand_with_the_code(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    code = await new_case(handle, app)
    agent = await login(client, "agent")
    await client.post(
        f"/v1/cases/{REF}/messages", json={"kind": "note", "text": "Intern: ring handläggaren"}, headers=agent
    )
    await client.post(
        f"/v1/cases/{REF}/messages",
        json={"kind": "reply", "text": "Hej! Vi har skickat blanketten."},
        headers=agent,
    )
    await client.post(f"/v1/cases/{REF}/resolve", json={"resolution_code": "answered"}, headers=agent)

    page = await client.get(f"/v1/public/cases/{REF}", params={"code": code.lower()})
    assert page.status_code == 200
    body = page.json()
    assert body["status"] == "resolved" and body["status_text"] == "Besvarat"
    assert [r["text"] for r in body["replies"]] == ["Hej! Vi har skickat blanketten."]
    text = page.text
    for private in (
        "Lina",
        "lina@example.se",
        "070-1234567",
        "Intern",
        "Storgatan",
        "social",
        "forsorjningsstod",
    ):
        assert private not in text


async def test_a_wrong_code_and_a_missing_case_look_the_same(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    await new_case(handle, app)
    wrong = await client.get(f"/v1/public/cases/{REF}", params={"code": "AAAAAAAAAA"})
    missing = await client.get("/v1/public/cases/KGA-2026-999999", params={"code": "AAAAAAAAAA"})
    assert wrong.status_code == missing.status_code == 404
    assert wrong.json() == missing.json()
    assert (await client.get(f"/v1/public/cases/{REF}")).status_code == 422


async def test_guessing_codes_is_rate_limited(client: httpx.AsyncClient, handle: Any, app: FastAPI) -> None:
    await new_case(handle, app)
    limit = app.state.settings.public_lookups_per_hour
    for _ in range(limit):
        await client.get(f"/v1/public/cases/{REF}", params={"code": "GUESS"})
    refused = await client.get(f"/v1/public/cases/{REF}", params={"code": "GUESS"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0


async def test_erasure_leaves_no_personal_data_and_the_timeline_verifies(
    client: httpx.AsyncClient, handle: Any, app: FastAPI, bus: InMemoryBus
) -> None:
    await new_case(handle, app)
    agent = await login(client, "agent")
    await client.post(
        f"/v1/cases/{REF}/handoff",
        json={"department": "social", "reason": "Lina Berg behöver hjälp"},
        headers=agent,
    )
    supervisor = await login(client, "supervisor")
    response = await client.post("/v1/privacy/erasure", json={"email": "lina@example.se"}, headers=supervisor)
    assert response.status_code == 200
    assert response.json() == {"erased": [REF]}

    stored = await app.state.runtime.db["cases"].find_one({"_id": REF}, {"outbox": 0})
    flat = repr(stored)
    for private in ("Lina", "lina@example.se", "070-1234567", "Storgatan", "Försörjningsstöd i mars"):
        assert private not in flat, private
    assert stored["category"] and stored["channel"] == "email" and stored["received_at"], (
        "statistics keep their facts"
    )
    verify = (await client.get(f"/v1/cases/{REF}/timeline/verify", headers=supervisor)).json()
    assert verify["ok"] is True
    timeline = (await client.get(f"/v1/cases/{REF}/timeline", headers=supervisor)).json()
    # Handed off to social services, the case is confidential: the supervisor's read is logged last.
    assert [e["type"] for e in timeline[-2:]] == ["erased", "read"] and timeline[-2]["data"]["anchor"]
    assert "case.erased" in [e.type for e in bus.published(topics.CASES_EVENTS)]
    again = await client.post("/v1/privacy/erasure", json={"email": "lina@example.se"}, headers=supervisor)
    assert again.json() == {"erased": []}


async def test_export_returns_everything_about_the_person(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    await new_case(handle, app)
    await handle(routed("other", sender={"email": "someone@example.se"}))
    supervisor = await login(client, "supervisor")
    export = (
        await client.get("/v1/privacy/export", params={"phone": "070-1234567"}, headers=supervisor)
    ).json()
    assert [c["ref"] for c in export["cases"]] == [REF]
    assert export["cases"][0]["messages"][0]["text"].startswith("Jag heter Lina")
    assert (await client.get("/v1/privacy/export", headers=supervisor)).status_code == 422
    agent = await login(client, "agent")
    assert (await client.get("/v1/privacy/export", params={"phone": "070"}, headers=agent)).status_code == 403


async def test_retention_erases_old_closed_cases(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    await new_case(handle, app)
    supervisor = await login(client, "supervisor")
    await client.post(f"/v1/cases/{REF}/resolve", json={"resolution_code": "answered"}, headers=supervisor)
    await client.post(f"/v1/cases/{REF}/close", headers=supervisor)
    cases = app.state.cases
    cases.clock = lambda: datetime.now(UTC) + timedelta(days=app.state.settings.retention_days + 1)
    await sla.scan_once(cases, app.state.settings)
    stored = await app.state.runtime.db["cases"].find_one({"_id": REF})
    assert stored["citizen"]["email"] is None and stored["erased_at"]


async def test_the_knowledge_bank(client: httpx.AsyncClient) -> None:
    supervisor, agent = await login(client, "supervisor"), await login(client, "agent")
    article = {
        "organization": "karlskoga",
        "title": "Bygglov för altan",
        "tags": ["Bygglov", "altan"],
        "body": "En altan lägre än 1,2 meter behöver normalt inte bygglov.",
        "owner_department": "samhallsbyggnad",
        "review_date": "2026-01-01",
        "checklist": ["Fråga om höjden"],
    }
    created = await client.post("/v1/kb/articles", json=article, headers=supervisor)
    assert created.status_code == 201
    article_id = created.json()["id"]
    assert created.json()["tags"] == ["altan", "bygglov"]
    assert created.json()["review_due"] is True
    assert (await client.post("/v1/kb/articles", json=article, headers=agent)).status_code == 403
    bad = await client.post(
        "/v1/kb/articles", json={**article, "owner_department": "nasa"}, headers=supervisor
    )
    assert bad.status_code == 422

    found = (await client.get("/v1/kb/articles", params={"q": "ALTAN bygglov"}, headers=agent)).json()
    assert [a["id"] for a in found] == [article_id]
    assert (await client.get("/v1/kb/articles", params={"q": "snöröjning"}, headers=agent)).json() == []
    used = await client.post(f"/v1/kb/articles/{article_id}/use", headers=agent)
    assert used.json()["usage_count"] == 1
    changed = await client.put(
        f"/v1/kb/articles/{article_id}", json={**article, "title": "Altan och bygglov"}, headers=supervisor
    )
    assert changed.json()["usage_count"] == 1 and changed.json()["title"] == "Altan och bygglov"


async def test_attachments_come_through_the_case_api(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    pdf = b"%PDF-1.4 intyg"
    sha = __import__("hashlib").sha256(pdf).hexdigest()
    seen_auth: list[tuple[str | None, str | None]] = []

    def intake(request: httpx.Request) -> httpx.Response:
        seen_auth.append((request.headers.get("X-Service-Key"), request.headers.get("Authorization")))
        if request.url.path == f"/v1/attachments/{sha}":
            return httpx.Response(200, content=pdf, headers={"Content-Type": "application/pdf"})
        return httpx.Response(404)

    app.state.intake_client = httpx.AsyncClient(
        transport=httpx.MockTransport(intake), base_url="http://intake"
    )
    attachment = {"name": "intyg.pdf", "content_type": "application/pdf", "size": len(pdf), "sha256": sha}
    await handle(routed("with-pdf", channel="email", attachments=[attachment]))
    agent = await login(client, "agent")
    response = await client.get(f"/v1/cases/{REF}/attachments/{sha}", headers=agent)
    assert response.status_code == 200
    assert response.content == pdf
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="intyg.pdf"' in response.headers["content-disposition"]
    assert seen_auth == [(DEMO_SERVICE_KEY, None)]  # the service's key; the person's token stays here
    other = "0" * 64
    assert (await client.get(f"/v1/cases/{REF}/attachments/{other}", headers=agent)).status_code == 404
    assert (await client.get(f"/v1/cases/{REF}/attachments/{sha}")).status_code == 401


async def test_the_citizen_answers_the_survey_once(
    client: httpx.AsyncClient, handle: Any, app: FastAPI, bus: InMemoryBus
) -> None:
    code = await new_case(handle, app)
    answer = {"bemotande": 5, "kunskap": 4, "tillganglighet": 3}
    too_early = await client.post(f"/v1/public/cases/{REF}/survey", params={"code": code}, json=answer)
    assert too_early.status_code == 409 and too_early.json()["error"]["code"] == "survey_not_open"
    await client.post(
        f"/v1/cases/{REF}/resolve", json={"resolution_code": "answered"}, headers=await login(client, "agent")
    )
    assert (
        await client.post(f"/v1/public/cases/{REF}/survey", params={"code": code}, json=answer)
    ).status_code == 202
    again = await client.post(f"/v1/public/cases/{REF}/survey", params={"code": code}, json=answer)
    assert again.status_code == 409 and again.json()["error"]["code"] == "survey_answered"
    wrong = await client.post(f"/v1/public/cases/{REF}/survey", params={"code": "NOPE"}, json=answer)
    assert wrong.status_code == 404
    out_of_range = await client.post(
        f"/v1/public/cases/{REF}/survey", params={"code": code}, json={**answer, "kunskap": 9}
    )
    assert out_of_range.status_code == 422
    [survey] = [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.survey_answered"]
    assert survey.data.answers == answer
