"""The ruleset over HTTP: versions, validation errors, activation without a restart, simulation of drafts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from lotsen.kafka.memory import InMemoryBus
from services.routing.app import create_app
from services.routing.settings import RoutingSettings
from tests.helpers import running

LIBRARY_RULE = {
    "id": "bibliotek-epost",
    "description": "E-post som nämner e-böcker går till biblioteket",
    "conditions": {"channel": "email", "keywords": ["e-bok", "e-böcker", "ljudbok"]},
    "actions": {"category": "bibliotek", "priority": "low"},
}


@pytest.fixture
async def routing(bus: InMemoryBus, dev_env: None) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(RoutingSettings(), publisher=bus, run_consumers=False)) as client:
        yield client


@pytest.fixture
def as_role(token_for: Callable[..., str]) -> Callable[[str], dict[str, str]]:
    return lambda role: {"Authorization": f"Bearer {token_for(role)}"}


def simulate(text: str, **fields: Any) -> dict[str, Any]:
    return {"channel": "email", "organization": "karlskoga", "text": text, **fields}


async def test_the_shipped_rules_are_version_one(
    routing: httpx.AsyncClient, as_role: Callable[[str], dict[str, str]]
) -> None:
    assert (await routing.get("/v1/rules")).status_code == 401
    active = (await routing.get("/v1/rules", headers=as_role("agent"))).json()
    assert active["version"] == 1 and active["active"] is True
    assert active["author"] == "lotsen (shipped default)"
    assert active["rules"][0]["id"] == "kris-sjalvmord"


async def test_a_new_version_is_validated_stored_and_active_for_the_next_contact(
    routing: httpx.AsyncClient, as_role: Callable[[str], dict[str, str]]
) -> None:
    admin, agent = as_role("admin"), as_role("agent")
    v1 = (await routing.get("/v1/rules", headers=agent)).json()
    before = await routing.post(
        "/v1/rules/simulate", json=simulate("Hur lånar jag en ljudbok?"), headers=agent
    )
    assert before.json()["decision"]["matched_rules"] == []

    body = {"rules": [LIBRARY_RULE, *v1["rules"]], "comment": "E-böcker till biblioteket"}
    assert (await routing.put("/v1/rules", json=body, headers=agent)).status_code == 403
    stored = await routing.put("/v1/rules", json=body, headers=admin)
    assert stored.status_code == 201, stored.text
    v2 = stored.json()
    assert (v2["version"], v2["author"], v2["comment"], v2["active"]) == (
        2,
        "admin",
        "E-böcker till biblioteket",
        True,
    )

    after = await routing.post(
        "/v1/rules/simulate", json=simulate("Hur lånar jag en ljudbok?"), headers=agent
    )
    decision = after.json()["decision"]
    assert decision["ruleset_version"] == 2
    assert decision["matched_rules"] == ["bibliotek-epost"]
    assert (decision["category"], decision["department"], decision["priority"]) == (
        "bibliotek",
        "kultur",
        "low",
    )
    assert "bibliotek-epost" in decision["explanation"]

    # A contact received before the activation is still decided by the version active then.
    earlier = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    old = await routing.post(
        "/v1/rules/simulate", json=simulate("Hur lånar jag en ljudbok?", received_at=earlier), headers=agent
    )
    assert old.json()["decision"]["ruleset_version"] == 1

    versions = (await routing.get("/v1/rules/versions", headers=agent)).json()
    assert versions["active_version"] == 2
    assert [(v["version"], v["active"]) for v in versions["items"]] == [(2, True), (1, False)]
    first = (await routing.get("/v1/rules/versions/1", headers=agent)).json()
    assert first["rules"] == v1["rules"] and first["active"] is False
    assert (await routing.get("/v1/rules/versions/9", headers=agent)).status_code == 404
    assert (await routing.get("/v1/rules", headers=agent)).json()["version"] == 2


async def test_an_invalid_ruleset_is_refused_naming_the_rule_and_field(
    routing: httpx.AsyncClient, as_role: Callable[[str], dict[str, str]]
) -> None:
    admin = as_role("admin")
    rules = [
        LIBRARY_RULE,
        {"id": "ok", "actions": {"priority": "low"}},
        {"id": "ok-too", "conditions": {"channel": "phone"}, "actions": {"priority": "high"}},
        {"id": "kris-hot", "conditions": {"keywords": ["hot"]}, "actions": {"department": "socail"}},
    ]
    refused = await routing.put("/v1/rules", json={"rules": rules}, headers=admin)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "invalid_ruleset"
    expected = (
        "rules[3] (id \"kris-hot\").actions.department: unknown department 'socail' in organisation karlskoga"
    )
    assert expected in error["message"]
    assert error["details"][0] == {
        "rule": 3,
        "id": "kris-hot",
        "field": "actions.department",
        "problem": "unknown department 'socail' in organisation karlskoga",
        "message": expected,
    }
    assert (await routing.get("/v1/rules", headers=admin)).json()["version"] == 1  # nothing stored
    for bad in ({"rules": "alla"}, {}, {"rules": [], "comment": "x" * 501}):
        assert (await routing.put("/v1/rules", json=bad, headers=admin)).status_code == 422


async def test_an_edit_of_an_outdated_version_is_refused(
    routing: httpx.AsyncClient, as_role: Callable[[str], dict[str, str]]
) -> None:
    admin = as_role("admin")
    assert (
        await routing.put("/v1/rules", json={"rules": [], "base_version": 1}, headers=admin)
    ).status_code == 201
    stale = await routing.put("/v1/rules", json={"rules": [LIBRARY_RULE], "base_version": 1}, headers=admin)
    assert stale.status_code == 409
    assert stale.json()["error"]["details"] == {"active_version": 2, "base_version": 1}


async def test_a_draft_is_simulated_without_being_stored(
    routing: httpx.AsyncClient, as_role: Callable[[str], dict[str, str]], bus: InMemoryBus
) -> None:
    agent = as_role("supervisor")
    draft = await routing.post(
        "/v1/rules/simulate",
        json=simulate("Finns det e-böcker på arabiska?", rules=[LIBRARY_RULE]),
        headers=agent,
    )
    assert draft.status_code == 200, draft.text
    result = draft.json()
    assert result["ruleset"] == {"version": 2, "draft": True, "activated_at": None}
    assert result["decision"]["matched_rules"] == ["bibliotek-epost"]
    assert (await routing.get("/v1/rules/versions", headers=agent)).json()["active_version"] == 1
    assert bus.records == {}

    invalid = await routing.post(
        "/v1/rules/simulate",
        json=simulate("x", rules=[{"id": "fel", "actions": {"answer_group": "bygg"}}]),
        headers=agent,
    )
    assert invalid.status_code == 422
    assert invalid.json()["error"]["details"][0]["field"] == "actions.answer_group"

    replay = await routing.post("/v1/rules/simulate", json=simulate("x", ruleset_version=1), headers=agent)
    assert replay.json()["ruleset"]["version"] == 1
    missing = await routing.post("/v1/rules/simulate", json=simulate("x", ruleset_version=7), headers=agent)
    assert missing.status_code == 404
