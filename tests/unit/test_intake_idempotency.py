"""An ``Idempotency-Key`` on every intake endpoint that takes one: the same request again gets the
first answer, a different request with the same key gets 409 ``idempotency_key_reused``."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from lotsen.kafka.memory import InMemoryBus
from tests.intake_support import KEY, Intake, intake_on

FORM = {
    "form_id": "kontakta-oss",
    "organization": "karlskoga",
    "name": "Erik Nilsson",
    "email": "erik@example.se",
    "subject": "Fakturafråga",
    "message": "Jag har fått en faktura för barnomsorg som verkar vara fel belopp.",
}
LETTER = {
    "channel": "letter",
    "organization": "karlskoga",
    "name": "Karl Berg",
    "message": "Brev om bygglov.",
}


def mail(text: str) -> bytes:
    return (
        "From: Anna <anna@example.se>\r\nTo: kommun@karlskoga.example\r\nSubject: Sophämtning\r\n"
        f"Message-ID: <{hashlib.sha256(text.encode()).hexdigest()}@example.se>\r\n\r\n{text}\r\n"
    ).encode()


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[Intake]:
    async with intake_on(bus) as running:
        yield running


@pytest.fixture
def agent(token_for: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for('agent', subject='agent.anna')}"}


def requests(agent: dict[str, str]) -> dict[str, Callable[[str], dict[str, Any]]]:
    """Per endpoint: the keyword arguments of a request whose body carries ``words``."""
    return {
        "webform json": lambda words: {
            "url": "/v1/contacts/webform",
            "json": {**FORM, "message": words},
            "headers": KEY,
        },
        "webform multipart": lambda words: {
            "url": "/v1/contacts/webform",
            "data": {**FORM, "message": words},
            "files": {"bild": ("hal.jpg", b"\xff\xd8 en bild", "image/jpeg")},
            "headers": KEY,
        },
        "manual": lambda words: {
            "url": "/v1/contacts/manual",
            "json": {**LETTER, "message": words},
            "headers": agent,
        },
        "email over http": lambda words: {
            "url": "/v1/contacts/email",
            "content": mail(words),
            "headers": {**KEY, "Content-Type": "message/rfc822"},
        },
    }


@pytest.mark.parametrize("endpoint", ["webform json", "webform multipart", "manual", "email over http"])
async def test_a_key_answers_its_first_request_again_and_refuses_another(
    intake: Intake, agent: dict[str, str], endpoint: str
) -> None:
    request = requests(agent)[endpoint]

    async def post(words: str, key: str) -> Any:
        kwargs = request(words)
        kwargs["headers"] = {**kwargs["headers"], "Idempotency-Key": key}
        return await intake.client.post(**kwargs)

    first = await post("Soporna hämtades inte i tisdags.", "nyckel-1")
    again = await post("Soporna hämtades inte i tisdags.", "nyckel-1")
    assert first.status_code == again.status_code == 202
    assert again.json()["contact_id"] == first.json()["contact_id"]
    assert len(intake.contacts()) == 1

    other = await post("Soporna hämtades inte heller i onsdags.", "nyckel-1")
    assert other.status_code == 409
    error = other.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert "already used for a different request" in error["message"]
    assert error["details"] == {"idempotency_key": "nyckel-1"}
    assert len(intake.contacts()) == 1

    fresh = await post("Soporna hämtades inte heller i onsdags.", "nyckel-2")
    assert fresh.status_code == 202 and fresh.json()["contact_id"] != first.json()["contact_id"]
