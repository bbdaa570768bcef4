"""Cases opened by staff (`POST /v1/cases`) and duplicates merged into the case that carries on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]

PHONE_ERRAND = {
    "organization": "karlskoga",
    "channel": "phone",
    "category": "bygglov",
    "subject": "Bygglov för altan",
    "message": "Ringde om bygglov för en altan på 25 kvm. Vill ha ett mejl med reglerna.",
    "name": "Sara Öberg",
    "email": "sara@example.se",
    "phone": "+46701234567",
}


def case_events(bus: InMemoryBus, ref: str) -> list[Any]:
    return [e for e in bus.published(topics.CASES_EVENTS) if e.data.case_ref == ref]


async def test_an_agent_opens_a_case_and_can_tell_the_citizen_its_reference_at_once(
    client: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    agent = await login(client, "agent")
    created = await client.post("/v1/cases", json=PHONE_ERRAND, headers=agent)
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["ref"] == "KGA-2026-000001"
    assert case["status"] == "new"
    assert (case["channel"], case["category"], case["department"]) == ("phone", "bygglov", "samhallsbyggnad")
    assert case["handled_by"] == "first_line"  # bygglov is first line's by the agreement
    assert case["rosa_level"] == 2
    assert case["citizen"]["phone"] == "+46701234567"
    [message] = case["messages"]
    assert (message["direction"], message["channel"]) == ("inbound", "phone")
    assert "altan på 25 kvm" in message["text"]

    # The citizen follows the errand with the reference and the code the agent read out.
    public = await client.get(f"/v1/public/cases/{case['ref']}", params={"code": case["access_code"]})
    assert public.status_code == 200, public.text
    assert (public.json()["ref"], public.json()["status"]) == (case["ref"], "new")

    listed = (await client.get("/v1/cases", params={"q": "altan"}, headers=agent)).json()["items"]
    assert [c["ref"] for c in listed] == [case["ref"]]
    created_events = [e for e in case_events(bus, case["ref"]) if e.type == "case.created"]
    assert [(e.data.channel, e.data.category, e.data.handled_by) for e in created_events] == [
        ("phone", "bygglov", "first_line")
    ]
    timeline = (await client.get(f"/v1/cases/{case['ref']}/timeline", headers=agent)).json()
    assert timeline[0]["type"] == "created"
    assert "agent" in timeline[0]["data"]["decision"]["explanation"]
    # A phone errand gets no automatic acknowledgement: the citizen was told on the phone.
    assert not bus.published(topics.OUTBOUND_REQUESTS)


async def test_a_retry_with_the_same_idempotency_key_is_the_same_case(
    client: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    agent = {**await login(client, "agent"), "Idempotency-Key": "samtal-4711"}
    first = await client.post("/v1/cases", json=PHONE_ERRAND, headers=agent)
    again = await client.post("/v1/cases", json=PHONE_ERRAND, headers=agent)
    assert first.status_code == again.status_code == 201
    assert first.json()["ref"] == again.json()["ref"]
    assert first.json()["access_code"] == again.json()["access_code"]
    assert len([e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.created"]) == 1
    other = await client.post(
        "/v1/cases", json=PHONE_ERRAND, headers={**agent, "Idempotency-Key": "samtal-4712"}
    )
    assert other.json()["ref"] == "KGA-2026-000002"


async def test_the_category_decides_department_and_confidentiality_unless_the_agent_says_otherwise(
    client: httpx.AsyncClient,
) -> None:
    agent = await login(client, "agent")
    social = {**PHONE_ERRAND, "category": "forsorjningsstod", "subject": "Pengar till hyran"}
    created = await client.post("/v1/cases", json=social, headers=agent)
    assert created.status_code == 201, created.text
    case = created.json()
    assert (case["department"], case["confidential"], case["handled_by"]) == ("social", True, "department")
    # Confidential: the agent who registered it cannot open it afterwards, the department can.
    assert (await client.get(f"/v1/cases/{case['ref']}", headers=agent)).status_code == 404
    supervisor = await login(client, "supervisor")
    assert (await client.get(f"/v1/cases/{case['ref']}", headers=supervisor)).status_code == 200

    answered = {**PHONE_ERRAND, "category": "bygglov", "handled_by": "department", "priority": "high"}
    case = (await client.post("/v1/cases", json=answered, headers=agent)).json()
    assert (case["handled_by"], case["priority"]) == ("department", "high")


async def test_bad_requests_say_what_is_wrong(client: httpx.AsyncClient) -> None:
    agent = await login(client, "agent")
    for body, field in [
        ({**PHONE_ERRAND, "organization": "ingenstans"}, "organization"),
        ({**PHONE_ERRAND, "category": "rymdresor"}, "category"),
        ({**PHONE_ERRAND, "department": "rymdforvaltningen"}, "department"),
    ]:
        response = await client.post("/v1/cases", json=body, headers=agent)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["details"]["field"] == field
    missing = await client.post("/v1/cases", json={**PHONE_ERRAND, "message": ""}, headers=agent)
    assert missing.status_code == 422
    assert missing.json()["error"]["details"][0]["field"] == "message"
    email = await client.post("/v1/cases", json={**PHONE_ERRAND, "channel": "email"}, headers=agent)
    assert email.status_code == 422  # e-mail arrives through intake, which keeps the original


async def test_who_may_open_a_case(client: httpx.AsyncClient) -> None:
    assert (await client.post("/v1/cases", json=PHONE_ERRAND)).status_code == 401
    admin = await login(client, "admin")
    assert (await client.post("/v1/cases", json=PHONE_ERRAND, headers=admin)).status_code == 403
    handler = await login(client, "handler")  # samhallsbyggnad and skola
    assert (await client.post("/v1/cases", json=PHONE_ERRAND, headers=handler)).status_code == 201
    social = {**PHONE_ERRAND, "category": "forsorjningsstod"}
    assert (await client.post("/v1/cases", json=social, headers=handler)).status_code == 403


# --- merging ------------------------------------------------------------------------------------


async def two_cases_about_the_same_altan(handle: Any) -> tuple[str, str]:
    await handle(
        routed(
            "mail-1",
            channel="email",
            subject="Bygglov för altan",
            text="Behöver jag bygglov för en altan på 25 kvm?",
            category="bygglov",
            department="samhallsbyggnad",
            thread={"message_id": "<altan.1@mail.example.se>"},
            sender={"name": "Sara Öberg", "email": "sara@example.se"},
            received_at=datetime(2026, 3, 2, 8, 41, tzinfo=UTC),
        )
    )
    await handle(
        routed(
            "form-1",
            channel="webform",
            subject="Altan",
            text="Jag mejlade i morse också: gäller bygglov för altanen, 1,2 meter hög.",
            category="bygglov",
            department="samhallsbyggnad",
            sender={"name": "Sara Öberg", "email": "sara@example.se"},
            received_at=datetime(2026, 3, 2, 10, 5, tzinfo=UTC),
        )
    )
    return "KGA-2026-000001", "KGA-2026-000002"


async def test_a_duplicate_is_merged_into_the_case_that_carries_on(
    client: httpx.AsyncClient, handle: Any, bus: InMemoryBus
) -> None:
    survivor, duplicate = await two_cases_about_the_same_altan(handle)
    agent = await login(client, "agent")
    merged = await client.post(f"/v1/cases/{duplicate}/merge", json={"into": survivor}, headers=agent)
    assert merged.status_code == 200, merged.text
    case = merged.json()
    assert case["ref"] == survivor
    assert case["merged_from"] == [duplicate] and duplicate in case["links"]
    inbound = [m["text"] for m in case["messages"] if m["direction"] == "inbound"]
    assert any("altan på 25 kvm" in t for t in inbound) and any("1,2 meter hög" in t for t in inbound)
    assert case["status"] == "new"  # the survivor's status stands

    closed = (await client.get(f"/v1/cases/{duplicate}", headers=agent)).json()
    assert (closed["status"], closed["merged_into"]) == ("closed", survivor)
    closing = [e for e in case_events(bus, duplicate) if e.type == "case.closed"]
    assert [e.data.merged_into for e in closing] == [survivor]
    assert not [e for e in case_events(bus, duplicate) if e.type == "case.resolved"]

    for ref, entry in ((survivor, "merged"), (duplicate, "merged_into")):
        timeline = (await client.get(f"/v1/cases/{ref}/timeline", headers=agent)).json()
        assert timeline[-1]["type"] == entry
        assert (await client.get(f"/v1/cases/{ref}/timeline/verify", headers=agent)).json()["ok"]

    # Searching for either reference finds the survivor; the duplicate's own entry stays, closed.
    found = (await client.get("/v1/cases", params={"q": duplicate.lower()}, headers=agent)).json()["items"]
    assert survivor in [c["ref"] for c in found]

    # The request again (a retry after a lost answer) changes nothing.
    again = await client.post(f"/v1/cases/{duplicate}/merge", json={"into": survivor}, headers=agent)
    assert again.status_code == 200
    assert len(again.json()["messages"]) == len(case["messages"])


async def test_the_citizen_writing_to_the_duplicate_reaches_the_survivor(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    survivor, duplicate = await two_cases_about_the_same_altan(handle)
    agent = await login(client, "agent")
    await client.post(f"/v1/cases/{duplicate}/merge", json={"into": survivor}, headers=agent)
    await handle(
        routed(
            "form-2",
            channel="email",
            subject=f"Sv: Altan [{duplicate}]",
            text="Här kommer ritningen.",
            thread={"case_ref": duplicate},
            sender={"email": "sara@example.se"},
        )
    )
    case = (await client.get(f"/v1/cases/{survivor}", headers=agent)).json()
    assert "Här kommer ritningen." in [m["text"] for m in case["messages"]]
    closed = (await client.get(f"/v1/cases/{duplicate}", headers=agent)).json()
    assert "Här kommer ritningen." not in [m["text"] for m in closed["messages"]]
    assert closed["status"] == "closed"  # no new case was opened for the answer either
    assert len((await client.get("/v1/cases", headers=agent)).json()["items"]) == 2


async def test_merges_that_make_no_sense_are_refused(client: httpx.AsyncClient, handle: Any) -> None:
    survivor, duplicate = await two_cases_about_the_same_altan(handle)
    await handle(routed("secret", category="forsorjningsstod", department="social", confidential=True))
    await handle(routed("degerfors", organization="degerfors", category="bygglov"))
    supervisor = await login(client, "supervisor")

    async def merge(ref: str, into: str) -> httpx.Response:
        return await client.post(f"/v1/cases/{ref}/merge", json={"into": into}, headers=supervisor)

    def refusal(response: httpx.Response) -> tuple[int, str, str]:
        error = response.json()["error"]
        return response.status_code, error["code"], error["details"]["reason"]

    assert refusal(await merge(survivor, survivor)) == (409, "cannot_merge", "itself")
    exposed = await merge("KGA-2026-000003", survivor)
    assert refusal(exposed) == (409, "cannot_merge", "confidential")
    assert "confidential" in exposed.json()["error"]["message"]
    other_org = await merge("DEG-2026-000001", survivor)
    assert refusal(other_org) == (409, "cannot_merge", "other_organization")
    assert "organisations" in other_org.json()["error"]["message"]
    assert (await merge(duplicate, "KGA-2026-999999")).status_code == 404
    bad = await client.post(f"/v1/cases/{duplicate}/merge", json={"into": "altan"}, headers=supervisor)
    assert bad.status_code == 422

    assert (await merge(duplicate, survivor)).status_code == 200
    into_closed = await merge(survivor, duplicate)
    assert refusal(into_closed) == (409, "cannot_merge", "merged_into")  # merge into the survivor instead
    handler = await login(client, "handler")
    await handle(routed("mail-3", category="bygglov", department="samhallsbyggnad"))
    await handle(routed("mail-4", category="bygglov", department="samhallsbyggnad"))
    allowed = await client.post(
        "/v1/cases/KGA-2026-000005/merge", json={"into": "KGA-2026-000004"}, headers=handler
    )
    assert allowed.status_code == 200, allowed.text
