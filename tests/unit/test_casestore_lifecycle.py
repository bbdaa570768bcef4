"""An errand from first contact to closure, through the case API and the events it consumes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.calendar import STOCKHOLM
from lotsen.contracts import OutboundRequested, topics
from lotsen.kafka.memory import InMemoryBus
from services.casestore import sla
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]

RECEIVED = datetime(2026, 3, 2, 8, 41, tzinfo=UTC)  # a Monday


def event_types(bus: InMemoryBus, ref: str) -> list[str]:
    return [e.type for e in bus.published(topics.CASES_EVENTS) if e.data.case_ref == ref]


def outbound(bus: InMemoryBus) -> list[OutboundRequested]:
    return [e for e in bus.published(topics.OUTBOUND_REQUESTS) if isinstance(e, OutboundRequested)]


async def email_case(handle: Any, contact_id: str = "mail-1", **extra: Any) -> None:
    await handle(
        routed(
            contact_id,
            channel="email",
            subject="Bygglov för altan",
            received_at=RECEIVED,
            thread={"message_id": "<20260302084112.4711@mail.example.se>"},
            sender={"name": "Åsa Lindqvist", "email": "asa@example.se"},
            **extra,
        )
    )


async def test_a_new_email_case_is_acknowledged_automatically(
    client: httpx.AsyncClient, handle: Any, bus: InMemoryBus
) -> None:
    await email_case(handle)
    [ack] = outbound(bus)
    assert ack.data.kind == "acknowledgement"
    assert ack.data.automatic is True
    assert ack.data.case_ref == "KGA-2026-000001"
    assert ack.data.to["email"] == "asa@example.se"
    assert ack.data.model_extra["access_code"]
    assert "[KGA-2026-000001]" in ack.data.model_extra["subject"]
    assert ack.data.model_extra["in_reply_to"] == "<20260302084112.4711@mail.example.se>"
    added = [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.message_added"]
    assert [(e.data.direction, e.data.automatic) for e in added] == [("inbound", False), ("outbound", True)]


async def test_the_whole_lifecycle(client: httpx.AsyncClient, handle: Any, bus: InMemoryBus) -> None:
    await email_case(handle)
    ref = "KGA-2026-000001"
    agent = await login(client, "agent")

    replied = await client.post(
        f"/v1/cases/{ref}/messages",
        json={"kind": "reply", "text": "Hej Åsa! Skicka ritningen."},
        headers=agent,
    )
    assert replied.status_code == 200, replied.text
    assert replied.json()["status"] == "open"
    reply = outbound(bus)[-1]
    assert reply.data.kind == "reply" and reply.data.channel == "email" and not reply.data.automatic
    our_message_id = reply.data.model_extra["message_id"]
    assert our_message_id.startswith(f"<{ref}.") and our_message_id.endswith("@karlskoga.example>")

    assert (await client.post(f"/v1/cases/{ref}/pending", headers=agent)).json()[
        "status"
    ] == "pending_citizen"

    # The citizen answers our e-mail: In-Reply-To carries our Message-ID, no tag in the subject.
    await handle(
        routed(
            "mail-2",
            channel="email",
            subject="Sv: ritning",
            thread={"in_reply_to": our_message_id},
            sender={"email": "asa@example.se"},
        )
    )
    case = (await client.get(f"/v1/cases/{ref}", headers=agent)).json()
    assert case["status"] == "open"
    assert [m["direction"] for m in case["messages"]] == ["inbound", "outbound", "outbound", "inbound"]

    handed = await client.post(
        f"/v1/cases/{ref}/handoff",
        json={"department": "samhallsbyggnad", "reason": "Kräver bygglovshandläggare"},
        headers=agent,
    )
    assert handed.status_code == 200
    assert handed.json()["status"] == "handed_off"
    assert handed.json()["due_at"]
    [told] = [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.handed_off"]
    # What the department's own systems need to file it, without asking casestore.
    assert (told.data.department, told.data.category, told.data.confidential) == (
        "samhallsbyggnad",
        handed.json()["category"],
        False,
    )

    handler = await login(client, "handler")
    mine = (await client.get("/v1/cases", params={"status": "handed_off"}, headers=handler)).json()["items"]
    assert [c["ref"] for c in mine] == [ref]
    returned = await client.post(
        f"/v1/cases/{ref}/return", json={"reason": "Inget bygglov krävs"}, headers=handler
    )
    assert returned.json()["status"] == "open"

    resolved = await client.post(
        f"/v1/cases/{ref}/resolve",
        json={"resolution_code": "answered", "failure_demand": False},
        headers=agent,
    )
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolved_by_first_line"] is False, "it was handed off once"
    [told_resolved] = [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.resolved"]
    assert told_resolved.data.resolved_by == "agent", "who resolved it, for the per-agent figures"

    # A citizen reply to a resolved case reopens it.
    asa = {"email": "Asa@example.se"}  # the citizen, whatever the letter case of the address
    await handle(
        routed("mail-3", channel="email", subject=f"Tack! [{ref}]", thread={"case_ref": ref}, sender=asa)
    )
    assert (await client.get(f"/v1/cases/{ref}", headers=agent)).json()["status"] == "open"
    await client.post(f"/v1/cases/{ref}/resolve", json={"resolution_code": "answered"}, headers=agent)
    closed = await client.post(f"/v1/cases/{ref}/close", headers=agent)
    assert closed.json()["status"] == "closed"

    # A reply to a closed case opens a new case linked to the old one.
    await handle(
        routed("mail-4", channel="email", subject=f"Mer [{ref}]", thread={"case_ref": ref}, sender=asa)
    )
    new = (await client.get("/v1/cases/KGA-2026-000002", headers=agent)).json()
    assert new["links"] == [ref]
    assert (await client.get(f"/v1/cases/{ref}", headers=agent)).json()["links"] == ["KGA-2026-000002"]

    types = event_types(bus, ref)
    for expected in (
        "case.created",
        "case.message_added",
        "case.status_changed",
        "case.handed_off",
        "case.returned",
        "case.resolved",
        "case.reopened",
        "case.closed",
    ):
        assert expected in types, expected
    verify = (await client.get(f"/v1/cases/{ref}/timeline/verify", headers=agent)).json()
    assert verify["ok"] is True and verify["first_broken"] is None
    timeline = (await client.get(f"/v1/cases/{ref}/timeline", headers=agent)).json()
    assert verify["entries"] == len(timeline)
    assert [e["type"] for e in timeline][:3] == ["created", "message", "message"]
    assert {"handed_off", "returned", "resolved", "reopened", "closed", "linked"} <= {
        e["type"] for e in timeline
    }


async def test_illegal_transitions_say_what_is_allowed(client: httpx.AsyncClient, handle: Any) -> None:
    await email_case(handle)
    agent = await login(client, "agent")
    response = await client.post("/v1/cases/KGA-2026-000001/close", headers=agent)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "illegal_transition"
    assert "new" in error["message"]
    assert "resolve" in error["details"]["allowed"] and "close" not in error["details"]["allowed"]
    back = await client.post("/v1/cases/KGA-2026-000001/return", json={"reason": "x"}, headers=agent)
    assert back.status_code == 409


async def test_bad_bodies_are_refused(client: httpx.AsyncClient, handle: Any) -> None:
    await email_case(handle)
    agent = await login(client, "agent")
    ref = "KGA-2026-000001"
    unknown = await client.post(
        f"/v1/cases/{ref}/handoff", json={"department": "nasa", "reason": "r"}, headers=agent
    )
    assert unknown.status_code == 422 and "nasa" in unknown.json()["error"]["message"]
    assert (
        await client.post(f"/v1/cases/{ref}/handoff", json={"reason": "r"}, headers=agent)
    ).status_code == 422
    assert (
        await client.post(f"/v1/cases/{ref}/messages", json={"kind": "shout", "text": "x"}, headers=agent)
    ).status_code == 422
    assert (
        await client.post(f"/v1/cases/{ref}/link", json={"ref": "nope"}, headers=agent)
    ).status_code == 422
    assert (
        await client.post("/v1/cases/KGA-2026-999999/resolve", json={"resolution_code": "x"}, headers=agent)
    ).status_code == 404


async def test_handoff_is_due_in_two_working_days(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    await email_case(handle)
    friday_afternoon = datetime(2026, 3, 6, 15, 0, tzinfo=STOCKHOLM)
    app.state.cases.clock = lambda: friday_afternoon
    response = await client.post(
        "/v1/cases/KGA-2026-000001/handoff",
        json={"department": "skola", "reason": "r"},
        headers=await login(client, "agent"),
    )
    due = datetime.fromisoformat(response.json()["due_at"])
    assert due == datetime(2026, 3, 10, 15, 0, tzinfo=STOCKHOLM)


async def test_sla_breaches_and_reminders_are_emitted_once(
    client: httpx.AsyncClient, handle: Any, app: FastAPI, bus: InMemoryBus
) -> None:
    await email_case(handle, "mail-1")
    await email_case(handle, "mail-2")
    cases = app.state.cases
    agent = await login(client, "agent")
    cases.clock = lambda: RECEIVED + timedelta(hours=1)
    await client.post(
        "/v1/cases/KGA-2026-000002/handoff", json={"department": "skola", "reason": "r"}, headers=agent
    )

    cases.clock = lambda: RECEIVED + timedelta(days=5)
    settings = app.state.settings
    assert await sla.scan_once(cases, settings) == 2
    assert await sla.scan_once(cases, settings) == 0, "each deadline fires once"
    breached = [
        (e.data.case_ref, e.data.clock)
        for e in bus.published(topics.CASES_EVENTS)
        if e.type == "case.sla_breached"
    ]
    assert sorted(breached) == [("KGA-2026-000001", "first_response"), ("KGA-2026-000002", "handoff")]
    [reminder] = [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.reminder_due"]
    assert reminder.data.department == "skola"


async def test_resolved_cases_close_by_themselves(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    await email_case(handle)
    agent = await login(client, "agent")
    await client.post(
        "/v1/cases/KGA-2026-000001/resolve", json={"resolution_code": "answered"}, headers=agent
    )
    cases = app.state.cases
    cases.clock = lambda: datetime.now(UTC) + timedelta(days=app.state.settings.auto_close_days + 1)
    await sla.scan_once(cases, app.state.settings)
    assert (await client.get("/v1/cases/KGA-2026-000001", headers=agent)).json()["status"] == "closed"


async def test_messenger_sender_threads_into_the_open_case(client: httpx.AsyncClient, handle: Any) -> None:
    sender = {"facebook_psid": "6400000000000001", "name": "Ali"}
    await handle(routed("fb-1", channel="facebook", sender=sender, text="Hej, när töms soporna?"))
    await handle(routed("fb-2", channel="facebook", sender=sender, text="På Bergsgatan alltså"))
    page = (await client.get("/v1/cases", headers=await login(client, "agent"))).json()
    assert len(page["items"]) == 1


async def test_nothing_committed_is_lost_when_kafka_is_down(
    client: httpx.AsyncClient, handle: Any, app: FastAPI, bus: InMemoryBus
) -> None:
    await email_case(handle)
    agent = await login(client, "agent")
    bus.fail_publishing = True
    response = await client.post(
        "/v1/cases/KGA-2026-000001/resolve", json={"resolution_code": "answered"}, headers=agent
    )
    assert response.status_code == 200
    assert "case.resolved" not in event_types(bus, "KGA-2026-000001")
    bus.fail_publishing = False
    for case in await app.state.cases.repo.with_unpublished_events():
        await app.state.cases.flush(case)
    assert event_types(bus, "KGA-2026-000001").count("case.resolved") == 1
    assert await app.state.cases.repo.with_unpublished_events() == []


async def test_a_tampered_timeline_fails_verification(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    await email_case(handle)
    agent = await login(client, "agent")
    await client.post("/v1/cases/KGA-2026-000001/assign", json={"assignee": "agent"}, headers=agent)
    db = app.state.runtime.db
    await db["cases"].update_one({"_id": "KGA-2026-000001"}, {"$set": {"timeline.1.data.channel": "visit"}})
    verify = (await client.get("/v1/cases/KGA-2026-000001/timeline/verify", headers=agent)).json()
    assert verify == {"ok": False, "entries": 4, "first_broken": 2}
    await db["cases"].update_one({"_id": "KGA-2026-000001"}, {"$pop": {"timeline": 1}})
    await db["cases"].update_one({"_id": "KGA-2026-000001"}, {"$unset": {"timeline.1": 1}})
    assert (await client.get("/v1/cases/KGA-2026-000001/timeline/verify", headers=agent)).json()[
        "ok"
    ] is False


async def test_redelivering_every_contact_twice_changes_nothing(
    client: httpx.AsyncClient, handle: Any, bus: InMemoryBus
) -> None:
    events = [routed(f"c-{i}", channel="email") for i in range(3)]
    for event in events:
        await handle(event)
    before_events = len(bus.records[topics.CASES_EVENTS])
    agent = await login(client, "agent")
    before = [(await client.get(f"/v1/cases/KGA-2026-00000{i}", headers=agent)).json() for i in (1, 2, 3)]
    for event in events + events:
        await handle(event)
    after = [(await client.get(f"/v1/cases/KGA-2026-00000{i}", headers=agent)).json() for i in (1, 2, 3)]
    assert after == before
    assert len(bus.records[topics.CASES_EVENTS]) == before_events


async def test_delivery_results_show_on_the_message(
    client: httpx.AsyncClient, handle: Any, app: FastAPI, bus: InMemoryBus
) -> None:
    from lotsen.contracts import OutboundFailed
    from lotsen.contracts.outbound import OutboundFailedData
    from services.casestore.outcomes import make_handler

    await email_case(handle)
    ack = outbound(bus)[0]
    failed = OutboundFailed(
        producer="notify",
        organization="karlskoga",
        data=OutboundFailedData(
            case_ref=ack.data.case_ref,
            outbound_id=ack.data.outbound_id,
            channel="email",
            at=datetime.now(UTC),
            reason="mailbox unavailable",
        ),
    )
    on_result = make_handler(cases=app.state.cases)
    await on_result(failed)
    await on_result(failed)
    case = (await client.get("/v1/cases/KGA-2026-000001", headers=await login(client, "agent"))).json()
    [sent] = [m for m in case["messages"] if m["direction"] == "outbound"]
    assert sent["delivery"]["status"] == "failed" and sent["delivery"]["reason"] == "mailbox unavailable"
    timeline = (
        await client.get("/v1/cases/KGA-2026-000001/timeline", headers=await login(client, "agent"))
    ).json()
    assert [e["type"] for e in timeline].count("outbound_failed") == 1


@pytest.mark.parametrize("text", ["KGA-2026-000001", "altan", "ÅSA", "asa@example"])
async def test_search_finds_by_reference_subject_sender(
    client: httpx.AsyncClient, handle: Any, text: str
) -> None:
    await email_case(handle)
    await handle(routed("other", subject="Snöröjning"))
    page = (await client.get("/v1/cases", params={"q": text}, headers=await login(client, "agent"))).json()
    assert [c["ref"] for c in page["items"]] == ["KGA-2026-000001"]


async def test_an_anonymous_web_form_gets_a_case_and_an_acknowledgement_that_cannot_be_sent(
    client: httpx.AsyncClient, handle: Any, bus: InMemoryBus
) -> None:
    await handle(routed("anon", sender={}, text="Tack för en fin badplats!"))
    [ack] = outbound(bus)
    assert ack.data.channel == "none"
    case = (await client.get("/v1/cases/KGA-2026-000001", headers=await login(client, "agent"))).json()
    assert case["status"] == "new"


async def test_case_created_names_the_web_form_for_the_feedback_figures(
    handle: Any, bus: InMemoryBus
) -> None:
    await handle(routed("form-1", channel="webform", form_id="synpunkt", category="synpunkt"))
    await handle(routed("mail-9", channel="email"))
    created = [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.created"]
    assert [e.data.form_id for e in created] == ["synpunkt", None]
