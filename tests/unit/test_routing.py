"""The first routing decision: category hint, IVR digit, fallback to first line, agreements, explanation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest

from lotsen.contracts import ContactReceived, ContactRouted, topics
from lotsen.contracts.contacts import ContactReceivedData
from lotsen.directory import directory_from
from lotsen.kafka.memory import InMemoryBus
from services.routing.app import create_app
from services.routing.decide import decide
from services.routing.handlers import make_handler
from services.routing.settings import RoutingSettings
from tests.helpers import running

KARLSKOGA = directory_from().organization("karlskoga")


def contact(**fields: object) -> ContactReceivedData:
    return ContactReceivedData.model_validate(
        {"contact_id": "c-1", "channel": "webform", "received_at": datetime.now(UTC), "text": "Hej", **fields}
    )


def test_nothing_recognised_goes_to_first_line_as_ovriga_arenden() -> None:
    assert KARLSKOGA is not None
    decision = decide(contact(text="Hej, jag undrar en sak."), KARLSKOGA)
    assert decision.category == "ovriga-arenden"
    assert decision.handled_by == "first_line"
    assert decision.answer_group == "ovrigt"
    assert decision.ruleset_version == 1
    assert "övriga ärenden" in decision.explanation


def test_a_category_hint_decides_and_the_agreement_keeps_it_at_first_line() -> None:
    assert KARLSKOGA is not None
    decision = decide(contact(category_hint="bygglov"), KARLSKOGA)
    assert (decision.category, decision.department, decision.answer_group) == (
        "bygglov",
        "samhallsbyggnad",
        "bygg-miljo",
    )
    assert decision.handled_by == "first_line"
    assert decision.matched_rules == ["category-hint"]


def test_social_services_go_to_the_department_and_are_confidential() -> None:
    assert KARLSKOGA is not None
    decision = decide(contact(category_hint="försörjningsstöd"), KARLSKOGA)
    assert decision.category == "forsorjningsstod"
    assert decision.rosa_level == 6
    assert decision.handled_by == "department"
    assert decision.confidential is True


def test_the_ivr_digit_picks_the_answer_group_of_a_call() -> None:
    assert KARLSKOGA is not None
    decision = decide(contact(channel="phone", ivr_choice="2"), KARLSKOGA)
    assert decision.answer_group == "barn-skola"
    assert "ivr-choice" in decision.matched_rules


async def test_the_handler_publishes_a_routed_contact_with_a_stable_event_id(bus: InMemoryBus) -> None:
    received = ContactReceived(
        producer="intake", organization="karlskoga", data=contact(category_hint="snöröjning")
    )
    handler = make_handler(publisher=bus, directory=directory_from())
    await handler(received)
    await asyncio.sleep(0.002)  # a redelivery comes later; the derived event must not depend on the clock
    await handler(received)  # redelivered: the same derived event, which downstream deduplicates
    first, second = bus.published(topics.CONTACTS_ROUTED)
    assert isinstance(first, ContactRouted)
    assert first == second
    assert first.data.contact_id == "c-1"
    assert first.data.decision.category == "snorojning"


@pytest.fixture
async def routing(bus: InMemoryBus, dev_env: None) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(RoutingSettings(), publisher=bus, run_consumers=False)) as client:
        yield client


async def test_simulate_explains_without_storing(
    routing: httpx.AsyncClient, bus: InMemoryBus, token_for: Callable[..., str]
) -> None:
    auth = {"Authorization": f"Bearer {token_for('supervisor')}"}
    response = await routing.post(
        "/v1/rules/simulate",
        json={
            "channel": "email",
            "organization": "karlskoga",
            "text": "Skolskjuts",
            "category_hint": "skolskjuts",
        },
        headers=auth,
    )
    assert response.status_code == 200
    decision = response.json()["decision"]
    assert decision["category"] == "skolskjuts"
    assert decision["explanation"]
    assert bus.records == {}

    unknown = await routing.post(
        "/v1/rules/simulate", json={"channel": "email", "organization": "x", "text": "t"}, headers=auth
    )
    assert unknown.status_code == 422
    assert (
        await routing.post("/v1/rules/simulate", json={"channel": "email"}, headers=auth)
    ).status_code == 422


async def test_the_directory_needs_a_token(routing: httpx.AsyncClient, token_for: Callable[..., str]) -> None:
    assert (await routing.get("/v1/directory")).status_code == 401
    response = await routing.get("/v1/directory", headers={"Authorization": f"Bearer {token_for('agent')}"})
    orgs = {o["id"]: o for o in response.json()["organizations"]}
    assert set(orgs) == {"karlskoga", "degerfors", "karlskogahem"}
    assert orgs["karlskoga"]["code"] == "KGA"
    assert {g["ivr_digit"]: g["id"] for g in orgs["karlskoga"]["answer_groups"]} == {
        "1": "aldre-funktionsstod",
        "2": "barn-skola",
        "3": "socialtjanst",
        "4": "bygg-miljo",
        "5": "ovrigt",
    }
