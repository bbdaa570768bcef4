"""POST /v1/contacts/webform: accepted only once Kafka acknowledged, refused clearly, never doubled."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from lotsen.contracts import ContactReceived, topics
from lotsen.kafka.memory import InMemoryBus
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.helpers import running

KEY = {"X-Connector-Key": "dev-connector-key"}
FORM = {
    "form_id": "kontakta-oss",
    "organization": "karlskoga",
    "name": "Erik Nilsson",
    "email": "erik@example.se",
    "subject": "Fakturafråga",
    "message": "Jag har fått en faktura för barnomsorg som verkar vara fel belopp. Fakturanummer 556677.",
}


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(IntakeSettings(), publisher=bus)) as client:
        yield client


async def test_a_form_is_published_before_the_receipt(intake: httpx.AsyncClient, bus: InMemoryBus) -> None:
    response = await intake.post("/v1/contacts/webform", json=FORM, headers=KEY)
    assert response.status_code == 202
    contact_id = response.json()["contact_id"]
    [event] = bus.published(topics.CONTACTS_RECEIVED)
    assert isinstance(event, ContactReceived)
    assert event.organization == "karlskoga"
    assert event.producer == "intake"
    data = event.data
    assert data.contact_id == contact_id
    assert data.channel == "webform"
    assert data.form_id == "kontakta-oss"
    assert data.sender.email == "erik@example.se"
    assert data.subject == "Fakturafråga"
    assert "Fakturanummer 556677" in data.text
    assert bus.records[topics.CONTACTS_RECEIVED][0].key == contact_id.encode()


async def test_citizens_may_post_without_a_key(intake: httpx.AsyncClient, bus: InMemoryBus) -> None:
    anonymous = {
        "form_id": "synpunkt",
        "organization": "karlskoga",
        "name": "",
        "email": "",
        "message": "Tack till personalen på Kulturhuset!",
        "category_hint": "beröm",
    }
    response = await intake.post("/v1/contacts/webform", json=anonymous)
    assert response.status_code == 202
    [event] = bus.published(topics.CONTACTS_RECEIVED)
    assert event.data.sender.email is None
    assert event.data.category_hint == "beröm"


async def test_location_of_a_fault_report_is_kept(intake: httpx.AsyncClient, bus: InMemoryBus) -> None:
    report = {
        "form_id": "felanmalan",
        "organization": "karlskoga",
        "email": "maja@example.se",
        "message": "Stort hål i asfalten på Skolgatan utanför nr 7.",
        "location": {"lat": 59.3267, "lon": 14.5237},
    }
    assert (await intake.post("/v1/contacts/webform", json=report)).status_code == 202
    [event] = bus.published(topics.CONTACTS_RECEIVED)
    assert event.data.location.lat == pytest.approx(59.3267)
    assert event.data.category_hint == "felanmalan-gata-park"


@pytest.mark.parametrize(
    "change, status, words",
    [
        ({"website": "http://spam.example"}, 422, "'website' must be left empty"),
        ({"organization": "stockholm"}, 422, "unknown organization 'stockholm'"),
        ({"form_id": "ansok-om-bygglov"}, 422, "has no form 'ansok-om-bygglov'"),
        ({"message": ""}, 422, "message"),
        ({"email": "inte-en-adress"}, 422, "email"),
        ({"email": None, "phone": None}, 422, "needs an e-mail address or a phone number"),
        ({"location": {"lat": 200, "lon": 14}}, 422, "location.lat"),
    ],
)
async def test_bad_input_is_refused_with_what_is_wrong(
    intake: httpx.AsyncClient, bus: InMemoryBus, change: dict[str, Any], status: int, words: str
) -> None:
    response = await intake.post("/v1/contacts/webform", json={**FORM, **change}, headers=KEY)
    assert response.status_code == status
    error = response.json()["error"]
    assert words in error["message"]
    assert error["code"]
    assert bus.published(topics.CONTACTS_RECEIVED) == []


async def test_not_json_is_refused(intake: httpx.AsyncClient) -> None:
    response = await intake.post(
        "/v1/contacts/webform", content=b"{nope", headers={**KEY, "content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


async def test_a_wrong_connector_key_is_refused(intake: httpx.AsyncClient) -> None:
    response = await intake.post("/v1/contacts/webform", json=FORM, headers={"X-Connector-Key": "guess"})
    assert response.status_code == 401
    assert "connector key" in response.json()["error"]["message"]


async def test_a_retry_with_the_same_idempotency_key_gives_the_first_answer(
    intake: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    headers = {**KEY, "Idempotency-Key": "form-submission-4711"}
    first = await intake.post("/v1/contacts/webform", json=FORM, headers=headers)
    again = await intake.post("/v1/contacts/webform", json=FORM, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    assert len(bus.published(topics.CONTACTS_RECEIVED)) == 1

    other = await intake.post(
        "/v1/contacts/webform", json={**FORM, "message": "Något annat"}, headers=headers
    )
    assert other.status_code == 409
    assert "Idempotency-Key" in other.json()["error"]["message"]


async def test_when_kafka_is_down_the_caller_is_told_to_retry_and_nothing_remains(
    intake: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    headers = {**KEY, "Idempotency-Key": "retry-me"}
    bus.fail_publishing = True
    refused = await intake.post("/v1/contacts/webform", json=FORM, headers=headers)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"]
    assert refused.json()["error"]["code"] == "unavailable"

    bus.fail_publishing = False
    accepted = await intake.post("/v1/contacts/webform", json=FORM, headers=headers)
    assert accepted.status_code == 202
    [event] = bus.published(topics.CONTACTS_RECEIVED)
    assert event.data.contact_id == accepted.json()["contact_id"]


async def test_health_and_openapi(intake: httpx.AsyncClient) -> None:
    assert (await intake.get("/healthz")).json() == {"status": "ok"}
    ready = await intake.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["mongodb"] is True
    spec = (await intake.get("/openapi.json")).json()
    assert "/v1/contacts/webform" in spec["paths"]
    assert json.dumps(spec)  # the spec is serialisable


async def test_the_shared_web_form_samples_are_accepted(
    intake: httpx.AsyncClient, bus: InMemoryBus, shared_dir: Path
) -> None:
    samples = json.loads((shared_dir / "samples" / "webform" / "examples.json").read_text(encoding="utf-8"))
    for sample in samples:
        response = await intake.post("/v1/contacts/webform", json=sample)
        assert response.status_code == 202, (sample, response.text)
    events = bus.published(topics.CONTACTS_RECEIVED)
    assert [e.organization for e in events] == [s["organization"] for s in samples]
    assert [e.data.form_id for e in events] == [s["form_id"] for s in samples]
