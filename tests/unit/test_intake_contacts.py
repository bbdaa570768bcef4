"""Accepting a contact, whatever the channel: a claim that never finished is neither lost nor doubled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lotsen.kafka.memory import InMemoryBus
from lotsen.kafka.publisher import PublishFailed
from services.intake.contacts import event_id_for, fingerprint
from services.intake.models import WebformSubmission
from tests.intake_support import KEY, Intake, intake_on

FORM = {
    "form_id": "kontakta-oss",
    "organization": "karlskoga",
    "email": "erik@example.se",
    "message": "Hej! Var hämtar jag ut mitt parkeringstillstånd?",
}
EARLIER = "0b8c4c59-1f0e-4b3c-9d55-2d6a7d7f2a11"


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[Intake]:
    async with intake_on(bus) as running:
        yield running


async def leave_pending_claim(intake: Intake, key: str, age: timedelta) -> None:
    """What a request leaves behind when its process dies between claiming its key and publishing."""
    await intake.db["idempotency"].insert_one(
        {
            "_id": f"webform:connector:{key}",
            "contact_id": EARLIER,
            "fingerprint": fingerprint([WebformSubmission.model_validate(FORM).model_dump(mode="json"), []]),
            "created_at": datetime.now(UTC) - age,
        }
    )


async def test_a_retry_finishes_a_request_that_died_under_its_first_contact_id(intake: Intake) -> None:
    await leave_pending_claim(intake, "crashed-1", timedelta(minutes=5))
    headers = {**KEY, "Idempotency-Key": "crashed-1"}
    response = await intake.client.post("/v1/contacts/webform", json=FORM, headers=headers)
    assert response.status_code == 202
    assert response.json()["contact_id"] == EARLIER
    [event] = intake.contacts()
    assert event.data.contact_id == EARLIER
    assert event.event_id == event_id_for(EARLIER)
    again = await intake.client.post("/v1/contacts/webform", json=FORM, headers=headers)
    assert again.json()["contact_id"] == EARLIER
    assert len(intake.contacts()) == 1


async def test_a_retry_while_the_first_request_may_still_run_is_asked_to_wait(intake: Intake) -> None:
    await leave_pending_claim(intake, "in-flight-1", timedelta(seconds=1))
    response = await intake.client.post(
        "/v1/contacts/webform", json=FORM, headers={**KEY, "Idempotency-Key": "in-flight-1"}
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "still being processed" in response.json()["error"]["message"]
    assert intake.contacts() == []


async def test_every_contact_event_id_follows_from_its_contact_id(intake: Intake) -> None:
    for n in range(3):
        await intake.client.post("/v1/contacts/webform", json={**FORM, "message": f"Fråga {n}"}, headers=KEY)
    assert [e.event_id for e in intake.contacts()] == [
        event_id_for(e.data.contact_id) for e in intake.contacts()
    ]


class LostAcknowledgement(InMemoryBus):
    """Kafka stores the record, but its acknowledgement never arrives (the send times out)."""

    def __init__(self) -> None:
        super().__init__()
        self.lose_next = False

    async def publish_raw(self, topic: str, value: bytes, *, key: bytes | None, headers: Any = None) -> None:
        await super().publish_raw(topic, value, key=key, headers=headers)
        if self.lose_next:
            self.lose_next = False
            raise PublishFailed("no acknowledgement within the timeout")


async def test_a_retry_after_a_lost_acknowledgement_repeats_the_same_event(dev_env: None) -> None:
    bus = LostAcknowledgement()
    async with intake_on(bus) as intake:
        headers = {**KEY, "Idempotency-Key": "lost-ack-1"}
        bus.lose_next = True
        refused = await intake.client.post("/v1/contacts/webform", json=FORM, headers=headers)
        assert refused.status_code == 503
        accepted = await intake.client.post("/v1/contacts/webform", json=FORM, headers=headers)
        assert accepted.status_code == 202
        first, second = intake.contacts()  # the record that arrived late, and the retry's
        assert first.data.contact_id == second.data.contact_id == accepted.json()["contact_id"]
        assert first.event_id == second.event_id  # consumers, idempotent on event_id, keep one
