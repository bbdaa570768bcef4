"""The synpunkt form's kind (beröm, klagomål, förslag, fråga) reaches the contact, and only those four."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from lotsen.contracts import topics
from lotsen.kafka.memory import InMemoryBus
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.helpers import running


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(IntakeSettings(smtp_port=0), publisher=bus, run_consumers=False)) as client:
        yield client


async def test_the_kind_the_citizen_chose_reaches_the_contact(
    intake: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    form = {
        "form_id": "synpunkt",
        "organization": "karlskoga",
        "message": "Otrevligt bemötande i biblioteket",
    }
    chosen = await intake.post("/v1/contacts/webform", json={**form, "feedback_kind": "complaint"})
    assert chosen.status_code == 202, chosen.text
    plain = await intake.post(
        "/v1/contacts/webform",
        content="form_id=synpunkt&organization=karlskoga&message=Tack%21&feedback_kind=praise",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert plain.status_code == 202, plain.text
    none = await intake.post("/v1/contacts/webform", json=form)
    assert none.status_code == 202
    contacts = bus.published(topics.CONTACTS_RECEIVED)
    assert [(c.data.form_id, (c.data.model_extra or {}).get("form_fields")) for c in contacts] == [
        ("synpunkt", {"feedback_kind": "complaint"}),
        ("synpunkt", {"feedback_kind": "praise"}),
        ("synpunkt", {}),
    ]


async def test_another_kind_is_refused_naming_the_four(intake: httpx.AsyncClient, bus: InMemoryBus) -> None:
    response = await intake.post(
        "/v1/contacts/webform",
        json={"form_id": "synpunkt", "organization": "karlskoga", "message": "Hm", "feedback_kind": "rant"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["details"] == {
        "field": "feedback_kind",
        "options": ["praise", "complaint", "suggestion", "question"],
    }
    assert "rant" in error["message"]
    assert bus.published(topics.CONTACTS_RECEIVED) == []


async def test_only_an_e_service_platform_names_the_department_a_synpunkt_concerns(
    intake: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    form = {
        "form_id": "synpunkt",
        "organization": "karlskoga",
        "message": "Biblioteket",
        "feedback_kind": "praise",
    }
    public = await intake.post("/v1/contacts/webform", json={**form, "feedback_department": "kultur"})
    platform = await intake.post(
        "/v1/contacts/webform",
        json={**form, "feedback_department": "kultur"},
        headers={"X-Connector-Key": "dev-connector-key"},
    )
    assert (public.status_code, platform.status_code) == (202, 202)
    contacts = bus.published(topics.CONTACTS_RECEIVED)
    assert [(c.data.model_extra or {}).get("form_fields") for c in contacts] == [
        {"feedback_kind": "praise"},  # a citizen's post does not credit a department
        {"feedback_kind": "praise", "feedback_department": "kultur"},
    ]
