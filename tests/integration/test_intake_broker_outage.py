"""With the broker stopped every channel refuses for now; restarted, the same retries succeed, once each.

A broker of its own (stopping the session's would disturb the other tests) and intake in-process with
its real Kafka publisher. Tansu loses everything on restart, so a fresh broker on the same port is
started and the events are counted on it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiosmtplib
import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.kafka.broker import EmbeddedBroker
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.helpers import eventually, running
from tests.intake_support import DATA, KEY, eml, read_events, signature

pytestmark = pytest.mark.integration

CALLBACK = [
    {"event": "call.offered", "call_id": "out-1", "at": "2026-03-02T08:00:00+01:00", "ivr_choice": "4",
     "from": "+46705550000", "to": "+4658681000"},
    {"event": "call.abandoned", "call_id": "out-1", "at": "2026-03-02T08:03:00+01:00", "wait_seconds": 180},
    {"event": "call.callback_requested", "call_id": "out-1", "at": "2026-03-02T08:03:00+01:00"},
]  # fmt: skip
FORM = {"form_id": "felanmalan", "organization": "karlskoga", "message": "Trasig lampa i tunneln vid Bofors."}
VISIT = {"channel": "visit", "message": "Besök i receptionen om bygglov för en friggebod."}


@pytest.fixture
async def outage(
    dev_env: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[EmbeddedBroker, FastAPI, httpx.AsyncClient]]:
    broker = EmbeddedBroker(partitions=1)
    await broker.start()
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap_servers)
    monkeypatch.setenv("KAFKA_PUBLISH_TIMEOUT_SECONDS", "1")
    app = create_app(IntakeSettings(smtp_port=0))
    try:
        async with running(app) as client:
            yield broker, app, client
    finally:
        await broker.stop()


def connectors(
    client: httpx.AsyncClient, agent_token: str
) -> dict[str, Callable[[], Awaitable[httpx.Response]]]:
    """One request per channel, each sent again unchanged as its connector retries."""
    messenger = (DATA / "facebook" / "flera-sidor-och-handelser.json").read_bytes()
    return {
        "webform": lambda: client.post(
            "/v1/contacts/webform", json=FORM, headers={**KEY, "Idempotency-Key": "form-1"}
        ),
        "email": lambda: client.post(
            "/v1/contacts/email",
            content=eml("01-outlook-svar-utan-tagg.eml"),
            headers={**KEY, "Content-Type": "message/rfc822"},
        ),
        "facebook": lambda: client.post(
            "/v1/channels/facebook/webhook",
            content=messenger,
            headers={"X-Hub-Signature-256": signature(messenger)},
        ),
        "phone": lambda: client.post("/v1/channels/phone/events", json=CALLBACK, headers=KEY),
        "manual": lambda: client.post(
            "/v1/contacts/manual",
            json=VISIT,
            headers={"Authorization": f"Bearer {agent_token}", "Idempotency-Key": "visit-1"},
        ),
    }


async def deliver_by_smtp(port: int) -> tuple[int, str]:
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port) as mta:
        try:
            raw = eml("06-utan-message-id.eml")
            _, reply = await mta.sendmail("mta@karlskoga.example", ["kommun@karlskoga.example"], raw)
        except aiosmtplib.SMTPResponseException as refused:
            return refused.code, refused.message
    return 250, reply


async def test_every_channel_refuses_while_the_broker_is_down_and_succeeds_once_after(
    outage: tuple[EmbeddedBroker, FastAPI, httpx.AsyncClient], token_for: Callable[..., str]
) -> None:
    broker, app, client = outage
    requests = connectors(client, token_for("agent"))
    smtp_port = app.state.smtp.port

    await broker.stop()
    for channel, send in requests.items():
        refused = await send()
        assert refused.status_code == 503, (channel, refused.text)
        assert refused.headers["Retry-After"]
    code, reply = await deliver_by_smtp(smtp_port)
    assert code == 451, reply

    restarted = EmbeddedBroker(broker.port, partitions=1)
    await restarted.start()
    try:
        answers: dict[str, Any] = {}
        for channel, send in requests.items():

            async def accepted(send: Callable[[], Awaitable[httpx.Response]] = send) -> Any:
                response = await send()
                return response.json() if response.status_code in (200, 202) else None

            answers[channel] = await eventually(accepted)

        async def accepted_over_smtp() -> str | None:
            code, reply = await deliver_by_smtp(smtp_port)
            return reply if code == 250 else None

        smtp_reply = await eventually(accepted_over_smtp)
        for send in requests.values():  # every connector retries once more, as if our answer got lost
            assert (await send()).status_code in (200, 202)
        assert (await deliver_by_smtp(smtp_port))[0] == 250

        contact_ids = {
            answers["webform"]["contact_id"],
            answers["email"]["contact_id"],
            *answers["facebook"]["contact_ids"],
            *answers["phone"]["contact_ids"],
            answers["manual"]["contact_id"],
            smtp_reply.rsplit(" ", 1)[-1],
        }
        assert len(contact_ids) == 8  # a form, two e-mails, three Messenger messages, a callback, a visit
        # One event per contact: a record whose acknowledgement timed out may still reach the broker
        # after the restart, and the retry then publishes the same event again (same event_id);
        # consumers, idempotent on event_id, keep one. No contact has two different events.
        contacts = await read_events(
            restarted.bootstrap_servers, topics.CONTACTS_RECEIVED, lambda e: True, at_least=len(contact_ids)
        )
        events: dict[str, set[Any]] = {}
        for event in contacts:
            events.setdefault(event.data.contact_id, set()).add(event.event_id)
        assert set(events) == contact_ids
        assert all(len(ids) == 1 for ids in events.values()), events
        calls = await read_events(
            restarted.bootstrap_servers, topics.CALLS_EVENTS, lambda e: True, at_least=3
        )
        kinds = {e.event_id: e.type for e in calls}  # distinct events, however many records
        assert sorted(kinds.values()) == ["call.abandoned", "call.callback_requested", "call.offered"]
    finally:
        await restarted.stop()
