"""A fault report's address or place: a bounded optional field of the web form, carried on the contact."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.helpers import running

REPORT = {
    "form_id": "felanmalan",
    "organization": "karlskoga",
    "message": "Trasig gatlykta vid busshållplatsen.",
    "location": {"lat": 59.3271, "lon": 14.5249},
}


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(IntakeSettings(smtp_port=0), publisher=bus, run_consumers=False)) as client:
        yield client


async def test_the_address_reaches_the_contact(intake: httpx.AsyncClient, bus: InMemoryBus) -> None:
    post = {**REPORT, "address": "  Skolgatan 7, Karlskoga "}
    response = await intake.post("/v1/contacts/webform", json=post)
    assert response.status_code == 202
    [event] = bus.published(topics.CONTACTS_RECEIVED)
    assert event.data.address == "Skolgatan 7, Karlskoga"
    assert event.data.location is not None and event.data.location.lat == pytest.approx(59.3271)
    assert "address" not in event.data.form_fields


async def test_a_multipart_post_carries_the_address_too(intake: httpx.AsyncClient, bus: InMemoryBus) -> None:
    fields = {"form_id": "felanmalan", "message": "Hål i cykelvägen", "address": "Bregårdsskolan"}
    response = await intake.post(
        "/v1/contacts/webform",
        data={**fields, "lat": "59.33", "lon": "14.52"},
        files={"attachments": ("hal.png", b"\x89PNG\r\n\x1a\n", "image/png")},
    )
    assert response.status_code == 202, response.text
    [event] = bus.published(topics.CONTACTS_RECEIVED)
    assert event.data.address == "Bregårdsskolan"


@pytest.mark.parametrize("address", ["", "   "])
async def test_a_blank_address_is_absent(intake: httpx.AsyncClient, bus: InMemoryBus, address: str) -> None:
    assert (await intake.post("/v1/contacts/webform", json={**REPORT, "address": address})).status_code == 202
    [event] = bus.published(topics.CONTACTS_RECEIVED)
    assert event.data.address is None


async def test_an_overlong_address_is_refused(intake: httpx.AsyncClient, bus: InMemoryBus) -> None:
    response = await intake.post("/v1/contacts/webform", json={**REPORT, "address": "x" * 501})
    assert response.status_code == 422
    error = response.json()["error"]
    assert "address" in error["message"] or "address" in str(error["details"])
    assert bus.published(topics.CONTACTS_RECEIVED) == []
