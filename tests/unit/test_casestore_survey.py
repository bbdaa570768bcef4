"""Following and rating an errand from any channel: the SMS receipt for a citizen who left only a
phone number, the survey invitation when a case is resolved (once, on the citizen's channel, never
for a confidential case, a citizen who said no, or one without an address), and the answer recorded
with its channel and answer group."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from tests.casestore_support import app, bearer, client, handle, routed

__all__ = ["app", "client", "handle"]

PHONE_ONLY = {
    "organization": "karlskoga",
    "channel": "phone",
    "category": "bygglov",
    "message": "Ringde om bygglov för en altan.",
    "name": "Kim Berg",
    "phone": "070-123 45 67",
}
RESOLVED = {"resolution_code": "answered"}
AGENT = bearer("agent", subject="agent")
SUPERVISOR = bearer("supervisor", subject="supervisor")


def requests_of(bus: InMemoryBus, ref: str, kind: str | None = None) -> list[Any]:
    return [
        e
        for e in bus.published(topics.OUTBOUND_REQUESTS)
        if e.data.case_ref == ref and (kind is None or e.data.kind == kind)
    ]


async def test_an_email_citizen_is_invited_once_with_the_status_page_code(
    client: httpx.AsyncClient, handle: Any, bus: InMemoryBus
) -> None:
    await handle(routed("c-survey-mail"))
    agent = AGENT
    [case] = (await client.get("/v1/cases", headers=agent)).json()["items"]
    ref = case["ref"]
    resolved = await client.post(f"/v1/cases/{ref}/resolve", json=RESOLVED, headers=agent)
    assert resolved.status_code == 200, resolved.text

    [invitation] = requests_of(bus, ref, "survey")
    code = (await client.get(f"/v1/cases/{ref}/receipt", headers=agent)).json()["access_code"]
    assert (invitation.data.channel, invitation.data.automatic) == ("email", True)
    assert invitation.data.model_extra["access_code"] == code
    assert invitation.data.to["email"] == "erik@example.se"
    # Reopened and resolved again: no second invitation.
    assert (await client.post(f"/v1/cases/{ref}/reopen", headers=agent)).status_code == 200
    assert (await client.post(f"/v1/cases/{ref}/resolve", json=RESOLVED, headers=agent)).status_code == 200
    assert len(requests_of(bus, ref, "survey")) == 1
    # The invitation is not one of our answers on the status page.
    public = (await client.get(f"/v1/public/cases/{ref}", params={"code": code})).json()
    assert public["replies"] == []


async def test_a_phone_only_citizen_gets_the_receipt_and_the_survey_by_sms(
    client: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    agent = AGENT
    created = (await client.post("/v1/cases", json=PHONE_ONLY, headers=agent)).json()
    ref = created["ref"]
    [receipt] = requests_of(bus, ref, "acknowledgement")
    assert (receipt.data.channel, receipt.data.to["phone"]) == ("phone", "070-123 45 67")
    assert receipt.data.model_extra["access_code"] == created["access_code"]

    await client.post(f"/v1/cases/{ref}/resolve", json=RESOLVED, headers=agent)
    [invitation] = requests_of(bus, ref, "survey")
    assert invitation.data.channel == "phone"
    timeline = (await client.get(f"/v1/cases/{ref}/timeline", headers=agent)).json()
    kinds = [e["data"].get("kind") for e in timeline if e["type"] == "message"]
    assert kinds == [None, "acknowledgement", "survey"]


@pytest.mark.parametrize(
    ("who", "errand"),
    [
        ("a visitor who left no address", {**PHONE_ONLY, "channel": "visit", "phone": None}),
        ("a citizen who said no", {**PHONE_ONLY, "no_survey": True}),
        ("a confidential errand", {**PHONE_ONLY, "category": "forsorjningsstod"}),
    ],
)
async def test_no_invitation_for(
    who: str, errand: dict[str, Any], client: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    supervisor = SUPERVISOR
    created = await client.post("/v1/cases", json=errand, headers=supervisor)
    assert created.status_code == 201, created.text
    ref = created.json()["ref"]
    resolved = await client.post(f"/v1/cases/{ref}/resolve", json=RESOLVED, headers=supervisor)
    assert resolved.status_code == 200, resolved.text
    assert requests_of(bus, ref, "survey") == [], who


async def test_no_invitation_for_a_citizen_whose_no_came_with_the_registered_contact(
    handle: Any, client: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    await handle(routed("c-said-no", channel="visit", sender={"phone": "070-123 45 67"}, survey_opt_out=True))
    [case] = (await client.get("/v1/cases", headers=SUPERVISOR)).json()["items"]
    resolved = await client.post(f"/v1/cases/{case['ref']}/resolve", json=RESOLVED, headers=SUPERVISOR)
    assert resolved.status_code == 200, resolved.text
    assert requests_of(bus, case["ref"], "survey") == []


async def test_the_answer_is_recorded_with_its_channel_and_answer_group(
    client: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    agent = AGENT
    created = (await client.post("/v1/cases", json=PHONE_ONLY, headers=agent)).json()
    ref, code = created["ref"], created["access_code"]
    await client.post(f"/v1/cases/{ref}/resolve", json=RESOLVED, headers=agent)
    answer = {"bemotande": 5, "kunskap": 4, "tillganglighet": 3}
    posted = await client.post(f"/v1/public/cases/{ref}/survey", params={"code": code}, json=answer)
    assert posted.status_code == 202, posted.text

    [event] = [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.survey_answered"]
    assert event.data.answers == answer
    assert (event.data.channel, event.data.answer_group, event.data.invited_via) == (
        "phone",
        created["answer_group"],
        "phone",
    )
    assert created["answer_group"]
    timeline = (await client.get(f"/v1/cases/{ref}/timeline", headers=agent)).json()
    [entry] = [e for e in timeline if e["type"] == "survey_answered"]
    assert entry["data"]["channel"] == "phone" and entry["data"]["answers"] == answer
