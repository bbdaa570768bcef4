"""POST /v1/contacts/manual: visits, letters with scans and phone errands, registered by staff only."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from lotsen.auth import Role, issue_token
from lotsen.kafka.memory import InMemoryBus
from lotsen.settings import DEMO_SERVICE_KEY, ServiceSettings
from tests.intake_support import KEY, Intake, intake_on

MANUAL = "/v1/contacts/manual"
VISIT = {
    "channel": "visit",
    "organization": "karlskoga",
    "name": "Gunnel Persson",
    "phone": "0586-611 22",
    "subject": "Besök i receptionen: färdtjänst",
    "message": "Gunnel kom in och undrade hur hon ansöker om färdtjänst. Fick blankett, vill bli uppringd.",
}


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[Intake]:
    async with intake_on(bus) as running:
        yield running


@pytest.fixture
def agent(token_for: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for('agent', subject='agent.anna')}"}


async def test_an_agent_registers_a_visit(intake: Intake, agent: dict[str, str]) -> None:
    response = await intake.client.post(MANUAL, json=VISIT, headers=agent)
    assert response.status_code == 202
    [event] = intake.contacts()
    assert event.data.contact_id == response.json()["contact_id"]
    assert (event.organization, event.data.channel) == ("karlskoga", "visit")
    assert event.data.sender.name == "Gunnel Persson"
    assert event.data.registered_by == "agent.anna"
    assert event.data.language == "sv"


async def test_a_citizen_who_says_no_to_the_survey_is_registered_with_their_no(
    intake: Intake, agent: dict[str, str]
) -> None:
    said_no = await intake.client.post(MANUAL, json={**VISIT, "no_survey": True}, headers=agent)
    said_nothing = await intake.client.post(
        MANUAL, json={**VISIT, "message": "En annan fråga."}, headers=agent
    )
    assert (said_no.status_code, said_nothing.status_code) == (202, 202)
    no, nothing = intake.contacts()
    assert (no.data.model_extra or {}).get("survey_opt_out") is True
    assert "survey_opt_out" not in (nothing.data.model_extra or {})


async def test_a_letter_comes_with_its_scans(intake: Intake, agent: dict[str, str]) -> None:
    scan = b"%PDF-1.4 inskannat brev sida 1"
    response = await intake.client.post(
        MANUAL,
        headers=agent,
        data={
            "channel": "letter",
            "organization": "degerfors",
            "name": "Olof Ek",
            "message": "Brev daterat 1 mars om klagomål på snöröjningen på Bruksgatan.",
            "received_at": "2026-03-03T09:00:00+01:00",
            "email": "",
        },
        files=[("attachments", ("brev-sida-1.pdf", scan, "application/pdf"))],
    )
    assert response.status_code == 202, response.text
    [event] = intake.contacts()
    assert event.data.channel == "letter"
    assert event.data.subject == "Brev"
    assert event.data.received_at.isoformat() == "2026-03-03T08:00:00+00:00"
    [attachment] = event.data.attachments
    assert attachment.sha256 == hashlib.sha256(scan).hexdigest()
    service = {"X-Service-Key": DEMO_SERVICE_KEY}  # as casestore fetches it for a case's download
    downloaded = await intake.client.get(f"/v1/attachments/{attachment.sha256}", headers=service)
    assert downloaded.content == scan


async def test_a_phone_errand_names_its_call(intake: Intake, agent: dict[str, str]) -> None:
    errand = {**VISIT, "channel": "phone", "call_id": "c-0001", "subject": None}
    assert (await intake.client.post(MANUAL, json=errand, headers=agent)).status_code == 202
    [event] = intake.contacts()
    assert (event.data.channel, event.data.call_id, event.data.subject) == (
        "phone",
        "c-0001",
        "Telefonärende",
    )


@pytest.mark.parametrize(
    "change, words",
    [
        ({"channel": "email"}, "channel"),
        ({"call_id": "c-0001"}, "call_id belongs only to channel 'phone'"),
        ({"organization": "orebro"}, "unknown organization 'orebro'"),
        ({"message": ""}, "message"),
        ({"received_at": "2099-01-01T00:00:00+01:00"}, "received_at lies in the future"),
        ({"received_at": "2026-03-03T09:00:00"}, "timezone"),
        ({"assignee": "agent.bo"}, "assignee"),
    ],
)
async def test_bad_registrations_are_refused_with_what_is_wrong(
    intake: Intake, agent: dict[str, str], change: dict[str, Any], words: str
) -> None:
    response = await intake.client.post(MANUAL, json={**VISIT, **change}, headers=agent)
    assert response.status_code == 422
    assert words in response.json()["error"]["message"]
    assert intake.contacts() == []


async def test_only_staff_may_register(intake: Intake, token_for: Callable[..., str]) -> None:
    assert (await intake.client.post(MANUAL, json=VISIT)).status_code == 401
    assert (await intake.client.post(MANUAL, json=VISIT, headers=KEY)).status_code == 403
    supervisor = {"Authorization": f"Bearer {token_for('supervisor')}"}
    assert (await intake.client.post(MANUAL, json=VISIT, headers=supervisor)).status_code == 202


async def test_an_administrator_registers_no_contact(intake: Intake, token_for: Callable[..., str]) -> None:
    """Administrators configure Lotsen and work no case, so they register no errand either,
    refused as casestore refuses them opening a case."""
    admin = {"Authorization": f"Bearer {token_for('admin')}"}
    refused = await intake.client.post(MANUAL, json=VISIT, headers=admin)
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == (
        "administrators configure Lotsen; opening a case needs a role that works cases"
    )
    limited = await intake.client.post(MANUAL, json=VISIT, headers=token_of("admin", "karlskoga"))
    assert limited.status_code == 403
    assert intake.contacts() == []


async def test_a_retried_registration_is_registered_once(intake: Intake, agent: dict[str, str]) -> None:
    headers = {**agent, "Idempotency-Key": "besok-2026-03-02-0815"}
    first = await intake.client.post(MANUAL, json=VISIT, headers=headers)
    again = await intake.client.post(MANUAL, json=VISIT, headers=headers)
    assert first.json() == again.json()
    assert len(intake.contacts()) == 1


async def test_an_agent_limited_to_some_organisations_registers_only_for_them(intake: Intake) -> None:
    token = issue_token(
        ServiceSettings(env="dev"), subject="agent.deg", role="agent", organizations=("degerfors",)
    )
    headers = {"Authorization": f"Bearer {token}"}
    refused = await intake.client.post(MANUAL, json=VISIT, headers=headers)
    assert refused.status_code == 403
    assert "'karlskoga'" in refused.json()["error"]["message"]
    ok = await intake.client.post(MANUAL, json={**VISIT, "organization": "degerfors"}, headers=headers)
    assert ok.status_code == 202


def token_of(role: Role, *organizations: str, departments: tuple[str, ...] = ()) -> dict[str, str]:
    token = issue_token(
        ServiceSettings(env="dev"),
        subject=f"{role}.test",
        role=role,
        departments=departments,
        organizations=organizations,
    )
    return {"Authorization": f"Bearer {token}"}


async def test_a_handler_registers_only_for_the_organisations_the_account_lists(intake: Intake) -> None:
    """Department ids repeat across organisations: a handler without organisations serves none,
    and one of Degerfors' social services registers nothing for Karlskoga."""
    unlisted = token_of("handler", departments=("social",))
    refused = await intake.client.post(MANUAL, json=VISIT, headers=unlisted)
    assert refused.status_code == 403
    assert "lists no organisation" in refused.json()["error"]["message"]

    degerfors = token_of("handler", "degerfors", departments=("social",))
    other = await intake.client.post(MANUAL, json=VISIT, headers=degerfors)
    assert other.status_code == 403 and "'karlskoga'" in other.json()["error"]["message"]
    assert intake.contacts() == []

    own = await intake.client.post(MANUAL, json={**VISIT, "organization": "degerfors"}, headers=degerfors)
    assert own.status_code == 202
    [event] = intake.contacts()
    assert event.organization == "degerfors"


async def test_a_contact_centre_without_listed_organisations_registers_for_every_one(intake: Intake) -> None:
    for role in ("agent", "supervisor"):
        headers = token_of(role)
        for organization in ("karlskoga", "degerfors", "karlskogahem"):
            response = await intake.client.post(
                MANUAL, json={**VISIT, "organization": organization}, headers=headers
            )
            assert response.status_code == 202, response.text
    assert sorted(e.organization for e in intake.contacts()) == sorted(
        ["karlskoga", "degerfors", "karlskogahem"] * 2
    )


async def test_without_an_organisation_named_the_callers_only_organisation_is_taken(intake: Intake) -> None:
    visit = {k: v for k, v in VISIT.items() if k != "organization"}
    assert (
        await intake.client.post(MANUAL, json=visit, headers=token_of("agent", "degerfors"))
    ).status_code == 202
    assert (await intake.client.post(MANUAL, json=visit, headers=token_of("agent"))).status_code == 202
    assert [e.organization for e in intake.contacts()] == ["degerfors", "karlskoga"]
