"""Sender addresses: mended where a reply would fail on a harmless mistake, refused on a form when
unusable (422 naming the field), kept on an e-mail (the case is created) but never replied to."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from lotsen.kafka.memory import InMemoryBus
from tests.intake_support import KEY, Intake, intake_on

RFC822 = {**KEY, "Content-Type": "message/rfc822"}
FORM = {"form_id": "kontakta-oss", "organization": "karlskoga", "message": "Hur söker jag bygglov?"}


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[Intake]:
    async with intake_on(bus) as running:
        yield running


def mail(sender: str) -> bytes:
    return (
        f"From: Anna Berg <{sender}>\r\nTo: kommun@karlskoga.example\r\nSubject: Bygglov\r\n"
        f"Message-ID: <{sender.encode().hex()}@example.se>\r\n\r\nHej!\r\n"
    ).encode()


async def test_an_email_from_an_address_with_a_trailing_dot_can_be_answered(intake: Intake) -> None:
    response = await intake.client.post(
        "/v1/contacts/email", content=mail("anna.berg@Yahoo.COM."), headers=RFC822
    )
    assert response.status_code == 202
    [event] = intake.contacts()
    assert event.data.sender.email == "anna.berg@yahoo.com"
    assert event.data.sender.email_unusable is None


async def test_an_email_from_an_unusable_address_is_a_case_without_a_reply_address(intake: Intake) -> None:
    response = await intake.client.post("/v1/contacts/email", content=mail("anna@yahoo..com"), headers=RFC822)
    assert response.status_code == 202
    [event] = intake.contacts()
    sender = event.data.sender
    assert sender.email is None and sender.name == "Anna Berg"
    assert sender.email_unusable.address == "anna@yahoo..com"
    assert "period" in sender.email_unusable.problem


@pytest.mark.parametrize(
    ("given", "kept"),
    [("anna@example.se.", "anna@example.se"), (" <anna@Example.SE> ", "anna@example.se")],
)
async def test_a_form_mends_a_harmless_mistake_in_the_address(intake: Intake, given: str, kept: str) -> None:
    response = await intake.client.post("/v1/contacts/webform", json={**FORM, "email": given}, headers=KEY)
    assert response.status_code == 202
    assert intake.contacts()[0].data.sender.email == kept


@pytest.mark.parametrize(
    "given", ["anna@example..se", "anna@localhost", "anna@example.se\r\nBcc: alla@example.se"]
)
async def test_a_form_refuses_an_address_no_reply_can_go_to(intake: Intake, given: str) -> None:
    response = await intake.client.post("/v1/contacts/webform", json={**FORM, "email": given}, headers=KEY)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "email"
    assert intake.contacts() == []
