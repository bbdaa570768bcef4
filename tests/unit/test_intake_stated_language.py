"""The web form's language field: the citizen's choice travels on ``contact.received``; without it
intake's guess from the text does, and a language the contact centre does not answer in is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.helpers import running

FORM = {
    "form_id": "kontakta-oss",
    "organization": "karlskoga",
    "email": "amal@example.se",
    "message": "Hej, jag undrar när förskolan öppnar på måndag.",
}


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(IntakeSettings(smtp_port=0), publisher=bus, run_consumers=False)) as client:
        yield client


@pytest.mark.parametrize(
    ("change", "language"),
    [
        ({"language": "ar"}, "ar"),
        ({"language": "en"}, "en"),
        ({"language": ""}, "sv"),
        ({}, "sv"),
        ({"message": "مرحبًا، متى تفتح الروضة يوم الاثنين؟"}, "ar"),
    ],
)
async def test_the_stated_language_wins_over_the_guess(
    intake: httpx.AsyncClient, bus: InMemoryBus, change: dict[str, Any], language: str
) -> None:
    assert (await intake.post("/v1/contacts/webform", json={**FORM, **change})).status_code == 202
    [event] = bus.published(topics.CONTACTS_RECEIVED)
    assert event.data.language == language
    assert "language" not in event.data.form_fields


async def test_a_language_not_offered_is_refused(intake: httpx.AsyncClient, bus: InMemoryBus) -> None:
    response = await intake.post("/v1/contacts/webform", json={**FORM, "language": "klingon"})
    assert response.status_code == 422
    assert "language" in response.json()["error"]["message"]
    assert bus.published(topics.CONTACTS_RECEIVED) == []
