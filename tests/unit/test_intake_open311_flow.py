"""An Open311 request end to end over the in-memory bus: intake publishes the contact, routing picks
the service's category, casestore opens the case and acknowledges it, and the client reads the case
reference, the department's promise and the status back from intake."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from lotsen.contracts import topics
from lotsen.contracts.cases import CaseCreated, CaseErased, CaseErasedData
from lotsen.contracts.contacts import ContactReceived, ContactRouted
from lotsen.directory import directory_from
from lotsen.kafka.memory import InMemoryBus
from services.routing.decide import Router
from services.routing.handlers import routed_event
from services.routing.rules import Ruleset
from services.routing.rulesets import default_ruleset
from tests.casestore_support import app, client, handle, login
from tests.intake_support import Intake, intake_on
from tests.unit.test_intake_open311 import POTHOLE, V2, follow

__all__ = ["app", "client", "handle"]  # fixtures
DIRECTORY = directory_from()


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[Intake]:
    async with intake_on(bus, smtp_enabled=False) as running:
        yield running


async def test_a_request_becomes_a_case_the_client_can_follow(
    intake: Intake, handle: Callable[[ContactRouted], Any], bus: InMemoryBus
) -> None:
    token = (await intake.client.post(f"{V2}/requests.json", data=POTHOLE)).json()[0]["token"]
    [received] = intake.contacts()
    routed = routed_event(received, Router(DIRECTORY), Ruleset(default_ruleset(DIRECTORY)))
    assert routed.data.decision.category == "felanmalan-gata-park"
    await handle(routed)
    [created] = [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.created"]
    assert created.data.contact_id == token and created.data.channel == "open311"
    # The citizen who gave an e-mail address gets the acknowledgement with the reference.
    acknowledgements = [
        e for e in bus.published(topics.OUTBOUND_REQUESTS) if e.data.case_ref == created.data.case_ref
    ]
    assert acknowledgements and acknowledgements[0].data.to.get("email") == "maja@example.se"

    await follow(intake)
    assert (await intake.client.get(f"{V2}/tokens/{token}.json")).json() == [
        {"token": token, "service_request_id": created.data.case_ref}
    ]
    [request] = (await intake.client.get(f"{V2}/requests.json")).json()
    assert request["service_request_id"] == created.data.case_ref
    assert request["status"] == "open"
    received_at = received.data.received_at
    promised = datetime.fromisoformat(request["expected_datetime"].replace("Z", "+00:00"))
    assert promised == (received_at + timedelta(hours=24)).replace(microsecond=0)  # the category's promise
    requested = datetime.fromisoformat(request["requested_datetime"].replace("Z", "+00:00"))
    assert abs(requested - received_at) < timedelta(seconds=1)


async def pothole_case(
    intake: Intake, handle: Callable[[ContactRouted], Any], bus: InMemoryBus
) -> tuple[ContactReceived, CaseCreated]:
    """A street fault posted by an Open311 client, routed and opened as a case: its contact and case."""
    await intake.client.post(f"{V2}/requests.json", data=POTHOLE)
    [received] = intake.contacts()
    await handle(routed_event(received, Router(DIRECTORY), Ruleset(default_ruleset(DIRECTORY))))
    [created] = [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.created"]
    return received, created


async def test_a_corrected_position_reaches_the_client_and_erasure_clears_it(
    intake: Intake, handle: Callable[[ContactRouted], Any], client: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    """Staff move the citizen's pin to where the hole is; a GeoReport client reading the request sees
    the corrected place, and after the case is erased no correction writes a place back."""
    _, created = await pothole_case(intake, handle, bus)
    ref = created.data.case_ref
    agent = await login(client, "agent")
    corrected = await client.post(
        f"/v1/cases/{ref}/position",
        json={"location": {"lat": 59.3301, "lon": 14.5262}, "address": "Skolgatan 9, Karlskoga"},
        headers=agent,
    )
    assert corrected.status_code == 200, corrected.text
    [event] = [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.position_corrected"]
    assert (event.data.lat, event.data.lon, event.data.parts) == (59.3301, 14.5262, ["location", "address"])

    await follow(intake)
    [request] = (await intake.client.get(f"{V2}/requests/{ref}.json")).json()
    assert (request["lat"], request["long"]) == (59.3301, 14.5262)
    assert request["address"] == "Skolgatan 9, Karlskoga"

    erasure = CaseErased(producer="casestore", organization="karlskoga", data=CaseErasedData(case_ref=ref))
    await bus.publish(topics.CASES_EVENTS, erasure, key=ref)
    late = event.model_copy(update={"event_id": uuid.uuid4()})  # a correction handled after the erasure
    await bus.publish(topics.CASES_EVENTS, late, key=ref)
    await follow(intake)
    [request] = (await intake.client.get(f"{V2}/requests/{ref}.json")).json()
    assert request["lat"] is None and request["long"] is None and request["address"] is None
    assert "Skolgatan 9" not in str(await intake.db["open311_requests"].find_one({"service_request_id": ref}))


async def test_a_recategorised_request_shows_the_new_categorys_promise(
    intake: Intake, handle: Callable[[ContactRouted], Any], client: httpx.AsyncClient, bus: InMemoryBus
) -> None:
    """A street fault promises a first answer within 24 hours; moved to a category with the usual
    48, the client reads the new promise, as the case has it."""
    received, created = await pothole_case(intake, handle, bus)
    ref = created.data.case_ref
    agent = await login(client, "agent")
    moved = await client.post(
        f"/v1/cases/{ref}/recategorise", json={"category": "avfall", "reason": "sophämtning"}, headers=agent
    )
    assert moved.status_code == 200, moved.text

    await follow(intake)
    [request] = (await intake.client.get(f"{V2}/requests/{ref}.json")).json()
    promised = datetime.fromisoformat(request["expected_datetime"].replace("Z", "+00:00"))
    assert promised == (received.data.received_at + timedelta(hours=48)).replace(microsecond=0)
