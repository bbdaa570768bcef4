"""Open311 API keys × every kind of caller × every organisation: who may issue, list and withdraw.

Expected (services/intake/open311/keys.py): only an ``admin``; an admin whose token names
organisations keeps the keys of those only (issuing for another is 403, another's key is not listed
and withdrawing it is 404); one naming none keeps every organisation's. No token: 401; other roles: 403.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from lotsen.kafka.memory import InMemoryBus
from tests.authorization import CALLERS, EVERY_ORGANIZATION, Caller, serves
from tests.casestore_support import bearer
from tests.intake_support import Intake, intake_on

KEYS = "/v1/open311/keys"
ROOT = bearer("admin")  # an admin of every organisation issues the keys the callers try


def headers(name: str, caller: Caller) -> dict[str, str]:
    if caller.role is None:
        return {}
    return bearer(
        caller.role, organizations=caller.organizations, departments=caller.departments, subject=name
    )


def may_keep(caller: Caller, organization: str) -> bool:
    return caller.role == "admin" and serves(caller, organization)


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[Intake]:
    async with intake_on(bus, smtp_enabled=False) as running:
        yield running


@pytest.mark.parametrize("organization", EVERY_ORGANIZATION)
@pytest.mark.parametrize("name", CALLERS)
async def test_issue(intake: Intake, name: str, organization: str) -> None:
    caller = CALLERS[name]
    response = await intake.client.post(
        KEYS, json={"name": "App", "organizations": [organization]}, headers=headers(name, caller)
    )
    expected = 401 if caller.role is None else 201 if may_keep(caller, organization) else 403
    assert response.status_code == expected, response.text
    if expected == 201:
        assert response.json()["key"].startswith("o311_")
        assert response.json()["organizations"] == [organization]


@pytest.mark.parametrize("name", CALLERS)
async def test_list_and_withdraw(intake: Intake, name: str) -> None:
    caller = CALLERS[name]
    issued = {}
    for organization in EVERY_ORGANIZATION:
        response = await intake.client.post(
            KEYS, json={"name": organization, "organizations": [organization]}, headers=ROOT
        )
        issued[organization] = response.json()["id"]
    listed = await intake.client.get(KEYS, headers=headers(name, caller))
    if caller.role is None:
        assert listed.status_code == 401
    elif caller.role != "admin":
        assert listed.status_code == 403
    else:
        assert listed.status_code == 200
        seen = {item["id"] for item in listed.json()["items"]}
        assert seen == {issued[o] for o in EVERY_ORGANIZATION if may_keep(caller, o)}
        assert all("key" not in item and "hash" not in item for item in listed.json()["items"])
    for organization, key_id in issued.items():
        response = await intake.client.delete(f"{KEYS}/{key_id}", headers=headers(name, caller))
        expected = (
            401
            if caller.role is None
            else 403
            if caller.role != "admin"
            else 204
            if may_keep(caller, organization)
            else 404
        )
        assert response.status_code == expected, (organization, response.text)


async def test_a_key_for_two_organisations_needs_an_admin_of_both(intake: Intake) -> None:
    karlskoga = bearer("admin", organizations=("karlskoga",))
    both = {"name": "App", "organizations": ["karlskoga", "degerfors"]}
    assert (await intake.client.post(KEYS, json=both, headers=karlskoga)).status_code == 403
    issued = await intake.client.post(KEYS, json=both, headers=ROOT)
    assert issued.status_code == 201
    listed = (await intake.client.get(KEYS, headers=karlskoga)).json()["items"]
    assert issued.json()["id"] not in {item["id"] for item in listed}
    unknown = await intake.client.post(
        KEYS, json={"name": "App", "organizations": ["stockholm"]}, headers=ROOT
    )
    assert unknown.status_code == 422
    unnamed = await intake.client.post(KEYS, json={"name": "App"}, headers=ROOT)
    assert unnamed.status_code == 422
