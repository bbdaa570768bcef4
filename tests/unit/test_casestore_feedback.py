"""Classifying a synpunkt: the kind and the department it concerns from the form, set and corrected by
the agent, on the timeline and on ``case.feedback_classified``; what is not a synpunkt is refused."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]

REF = "KGA-2026-000001"


def published(bus: InMemoryBus, kind: str) -> list[Any]:
    return [e for e in bus.published(topics.CASES_EVENTS) if e.type == kind]


def synpunkt_form(contact_id: str, **form_fields: str) -> Any:
    return routed(
        contact_id,
        category="synpunkt",
        department="ledningskontoret",
        form_id="synpunkt",
        form_fields=form_fields,
    )


async def test_the_forms_kind_reaches_the_case_and_case_created(
    client: httpx.AsyncClient, handle: Any, bus: InMemoryBus
) -> None:
    await handle(synpunkt_form("form-1", feedback_kind="praise", feedback_department="kultur"))
    await handle(synpunkt_form("form-2", feedback_kind="grumble", feedback_department="drakar"))
    agent = await login(client, "agent")
    case = (await client.get(f"/v1/cases/{REF}", headers=agent)).json()
    assert case["feedback"] == {"kind": "praise", "department": "kultur"}
    other = (await client.get("/v1/cases/KGA-2026-000002", headers=agent)).json()
    assert other["feedback"] is None  # what the directory does not know is not kept
    created = published(bus, "case.created")
    assert [(e.data.feedback_kind, e.data.feedback_department) for e in created] == [
        ("praise", "kultur"),
        (None, None),
    ]


async def test_the_agent_sets_and_corrects_kind_and_department(
    client: httpx.AsyncClient, handle: Any, bus: InMemoryBus
) -> None:
    await handle(synpunkt_form("form-1"))
    agent = await login(client, "agent")
    url = f"/v1/cases/{REF}/feedback"

    first = await client.post(url, json={"kind": "complaint"}, headers=agent)
    assert first.status_code == 200, first.text
    assert first.json()["feedback"] == {"kind": "complaint", "department": None}
    moved = await client.post(url, json={"kind": "complaint", "department": "kultur"}, headers=agent)
    assert moved.json()["feedback"] == {"kind": "complaint", "department": "kultur"}
    # The kind alone keeps the department set before.
    kind_only = await client.post(url, json={"kind": "suggestion"}, headers=agent)
    assert kind_only.json()["feedback"] == {"kind": "suggestion", "department": "kultur"}
    again = await client.post(url, json={"kind": "suggestion"}, headers=agent)
    assert again.status_code == 200

    timeline = (await client.get(f"/v1/cases/{REF}/timeline", headers=agent)).json()
    entries = [e for e in timeline if e["type"] == "feedback_classified"]
    assert [(e["actor"], e["data"]["old"], e["data"]["new"]) for e in entries] == [
        ("agent", None, {"kind": "complaint", "department": None}),
        ("agent", {"kind": "complaint", "department": None}, {"kind": "complaint", "department": "kultur"}),
        (
            "agent",
            {"kind": "complaint", "department": "kultur"},
            {"kind": "suggestion", "department": "kultur"},
        ),
    ]
    events = published(bus, "case.feedback_classified")
    assert [e.data.model_dump(exclude={"case_ref"}) for e in events][-1] == {
        "kind": "suggestion",
        "department": "kultur",
        "old_kind": "complaint",
        "old_department": "kultur",
        "classified_by": "agent",
    }
    assert len(events) == 3 and {e.organization for e in events} == {"karlskoga"}


async def test_bad_input_and_what_is_not_a_synpunkt_are_refused_saying_why(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    await handle(synpunkt_form("form-1"))
    await handle(routed("mail-1", channel="email"))  # KGA-2026-000002, övriga ärenden
    agent = await login(client, "agent")
    url = f"/v1/cases/{REF}/feedback"

    kind = await client.post(url, json={"kind": "grumble"}, headers=agent)
    assert kind.status_code == 422 and "kind" in kind.text
    department = await client.post(url, json={"kind": "praise", "department": "fastighet"}, headers=agent)
    assert department.status_code == 422
    assert department.json()["error"]["details"]["field"] == "department"
    assert "fastighet" in department.json()["error"]["message"]
    other = await client.post("/v1/cases/KGA-2026-000002/feedback", json={"kind": "praise"}, headers=agent)
    assert other.status_code == 409 and other.json()["error"]["code"] == "not_a_synpunkt"

    # A synpunkt from the form that was corrected to another category is no longer one.
    moved = await client.post(
        f"/v1/cases/{REF}/recategorise", json={"category": "bibliotek", "reason": "en fråga"}, headers=agent
    )
    assert moved.status_code == 200, moved.text
    away = await client.post(url, json={"kind": "praise"}, headers=agent)
    assert away.status_code == 409
