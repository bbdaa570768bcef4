"""Correcting a case's category: the timeline says old → new and why, the event carries both, the
directory decides department, answer group and confidentiality, and the deadlines are computed anew."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]

REF = "KGA-2026-000001"


def recategorised_events(bus: InMemoryBus) -> list[Any]:
    return [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.recategorised"]


async def test_a_misrouted_case_moves_to_its_category_with_old_and_new_in_the_timeline(
    client: httpx.AsyncClient, handle: Any, bus: InMemoryBus
) -> None:
    await handle(routed("mail-1", channel="email"))
    agent = await login(client, "agent")
    body = {"category": "bygglov", "reason": "Gäller bygglov för altan"}

    moved = await client.post(f"/v1/cases/{REF}/recategorise", json=body, headers=agent)
    assert moved.status_code == 200, moved.text
    case = moved.json()
    assert (case["category"], case["department"], case["answer_group"]) == (
        "bygglov",
        "samhallsbyggnad",
        "bygg-miljo",
    )
    assert (case["rosa_level"], case["confidential"], case["handled_by"]) == (2, False, "first_line")

    timeline = (await client.get(f"/v1/cases/{REF}/timeline", headers=agent)).json()
    [entry] = [e for e in timeline if e["type"] == "recategorised"]
    assert entry["actor"] == "agent"
    assert entry["data"]["reason"] == "Gäller bygglov för altan"
    assert entry["data"]["old"] == {
        "category": "ovriga-arenden",
        "department": None,
        "answer_group": "ovrigt",
        "confidential": False,
    }
    assert entry["data"]["new"] == {
        "category": "bygglov",
        "department": "samhallsbyggnad",
        "answer_group": "bygg-miljo",
        "confidential": False,
    }
    [event] = recategorised_events(bus)
    assert event.organization == "karlskoga"
    assert event.data.model_dump(exclude={"case_ref"}) == {
        "category": "bygglov",
        "department": "samhallsbyggnad",
        "answer_group": "bygg-miljo",
        "handled_by": "first_line",
        "rosa_level": 2,
        "confidential": False,
        "old_category": "ovriga-arenden",
        "old_department": None,
        "old_answer_group": "ovrigt",
        "old_confidential": False,
        "reason": "Gäller bygglov för altan",
        "recategorised_by": "agent",
        "first_response_due": datetime(2026, 3, 4, 8, 41, tzinfo=UTC),  # bygglov's promise is 48 h too
    }

    again = await client.post(f"/v1/cases/{REF}/recategorise", json=body, headers=agent)
    assert again.status_code == 200
    timeline = (await client.get(f"/v1/cases/{REF}/timeline", headers=agent)).json()
    assert [e["type"] for e in timeline].count("recategorised") == 1
    assert len(recategorised_events(bus)) == 1


async def test_department_and_answer_group_may_be_named(client: httpx.AsyncClient, handle: Any) -> None:
    await handle(routed("mail-1", channel="email"))
    agent = await login(client, "agent")
    moved = await client.post(
        f"/v1/cases/{REF}/recategorise",
        json={"category": "synpunkt", "department": "kultur", "answer_group": "barn-skola", "reason": "r"},
        headers=agent,
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["department"], moved.json()["answer_group"]) == ("kultur", "barn-skola")


async def test_what_the_organisation_does_not_have_is_a_422_saying_which(
    client: httpx.AsyncClient, handle: Any
) -> None:
    await handle(routed("mail-1", channel="email"))
    agent = await login(client, "agent")

    async def refused(body: dict[str, str]) -> dict[str, Any]:
        response = await client.post(
            f"/v1/cases/{REF}/recategorise", json={"reason": "r", **body}, headers=agent
        )
        assert response.status_code == 422, response.text
        return response.json()["error"]  # type: ignore[no-any-return]

    unknown = await refused({"category": "drakar"})
    assert "drakar" in unknown["message"] and unknown["details"]["field"] == "category"
    elsewhere = await refused({"category": "felanmalan-lagenhet"})
    assert "karlskogahem" in elsewhere["message"]
    assert elsewhere["details"] == {"field": "category", "organizations": ["karlskogahem"]}
    department = await refused({"category": "bygglov", "department": "fastighet"})
    assert department["details"]["field"] == "department" and "fastighet" in department["message"]
    group = await refused({"category": "bygglov", "answer_group": "kundtjanst-hem"})
    assert group["details"]["field"] == "answer_group"
    missing_reason = await client.post(
        f"/v1/cases/{REF}/recategorise", json={"category": "bygglov", "reason": ""}, headers=agent
    )
    assert missing_reason.status_code == 422
    case = (await client.get(f"/v1/cases/{REF}", headers=agent)).json()
    assert case["category"] == "ovriga-arenden"


async def test_a_case_made_confidential_leaves_the_agents_view_and_lifting_it_is_logged(
    client: httpx.AsyncClient, handle: Any, bus: InMemoryBus
) -> None:
    await handle(routed("mail-1", channel="email"))
    agent, supervisor = await login(client, "agent"), await login(client, "supervisor")

    secret = await client.post(
        f"/v1/cases/{REF}/recategorise",
        json={"category": "forsorjningsstod", "reason": "Gäller ekonomiskt bistånd"},
        headers=agent,
    )
    assert secret.status_code == 200, secret.text
    assert secret.json()["visible"] is False and secret.json()["ref"] == REF
    assert (await client.get(f"/v1/cases/{REF}", headers=agent)).status_code == 404
    listed = (await client.get("/v1/cases", headers=agent)).json()["items"]
    assert REF not in {c["ref"] for c in listed}
    case = (await client.get(f"/v1/cases/{REF}", headers=supervisor)).json()
    assert (case["confidential"], case["department"]) == (True, "social")

    lifted = await client.post(
        f"/v1/cases/{REF}/recategorise",
        json={"category": "bibliotek", "reason": "Gällde lånekort, inte bistånd"},
        headers=supervisor,
    )
    assert lifted.status_code == 200 and lifted.json()["confidential"] is False
    timeline = (await client.get(f"/v1/cases/{REF}/timeline", headers=supervisor)).json()
    [lifting] = [e for e in timeline if e["type"] == "confidentiality_lifted"]
    assert (lifting["actor"], lifting["data"]["reason"]) == ("supervisor", "Gällde lånekort, inte bistånd")
    assert [(e.data.old_confidential, e.data.confidential) for e in recategorised_events(bus)] == [
        (False, True),
        (True, False),
    ]
    assert (await client.get(f"/v1/cases/{REF}", headers=agent)).status_code == 200


async def test_deadlines_are_computed_again_from_the_new_category(
    app: FastAPI, client: httpx.AsyncClient, handle: Any
) -> None:
    await handle(routed("mail-1", channel="email"))  # received Monday 2 March 08:41 UTC
    await handle(routed("mail-2", channel="email", sender={"email": "ann@example.se"}))
    agent = await login(client, "agent")
    app.state.cases.clock = lambda: datetime(2026, 3, 3, 9, tzinfo=UTC)  # a Tuesday
    handed = await client.post(
        f"/v1/cases/{REF}/handoff", json={"department": "samhallsbyggnad", "reason": "r"}, headers=agent
    )
    assert handed.json()["due_at"] == "2026-03-05T09:00:00Z"  # the default: 2 working days

    # Bygglov gives the department 5 working days from the handoff.
    moved = await client.post(
        f"/v1/cases/{REF}/recategorise", json={"category": "bygglov", "reason": "r"}, headers=agent
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["due_at"] == "2026-03-10T09:00:00Z"
    timeline = (await client.get(f"/v1/cases/{REF}/timeline", headers=agent)).json()
    [entry] = [e for e in timeline if e["type"] == "recategorised"]
    assert entry["data"]["due_at"] == "2026-03-10T09:00:00+00:00"

    # A street fault promises a first answer within 24 hours of receipt instead of 48.
    unanswered = "KGA-2026-000002"
    before = (await client.get(f"/v1/cases/{unanswered}", headers=agent)).json()
    assert before["first_response_due"] == "2026-03-04T08:41:00Z"
    fault = await client.post(
        f"/v1/cases/{unanswered}/recategorise",
        json={"category": "felanmalan-gata-park", "reason": "gatlampa"},
        headers=agent,
    )
    assert fault.json()["first_response_due"] == "2026-03-03T08:41:00Z"


async def test_a_handed_off_case_keeps_the_department_that_has_it(
    client: httpx.AsyncClient, handle: Any
) -> None:
    await handle(routed("mail-1", channel="email"))
    agent = await login(client, "agent")
    await client.post(
        f"/v1/cases/{REF}/handoff", json={"department": "samhallsbyggnad", "reason": "r"}, headers=agent
    )
    elsewhere = await client.post(
        f"/v1/cases/{REF}/recategorise", json={"category": "skolmat", "reason": "r"}, headers=agent
    )
    assert elsewhere.status_code == 409, elsewhere.text
    assert elsewhere.json()["error"]["details"] == {"department": "samhallsbyggnad", "requested": "skola"}
    within = await client.post(
        f"/v1/cases/{REF}/recategorise", json={"category": "bygglov", "reason": "r"}, headers=agent
    )
    assert within.status_code == 200 and within.json()["category"] == "bygglov"


async def test_a_closed_case_is_not_corrected(client: httpx.AsyncClient, handle: Any) -> None:
    await handle(routed("mail-1", channel="email"))
    agent = await login(client, "agent")
    await client.post(f"/v1/cases/{REF}/resolve", json={"resolution_code": "answered"}, headers=agent)
    await client.post(f"/v1/cases/{REF}/close", headers=agent)
    refused = await client.post(
        f"/v1/cases/{REF}/recategorise", json={"category": "bygglov", "reason": "r"}, headers=agent
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["status"] == "closed"
