"""Targets × every kind of caller × every organisation: who reads them and who sets them.

Expected (services/stats/targets/service.py):
- reading (``GET /v1/stats/targets``, ``GET /v1/stats/targets/{organization}``): whoever reads the
  figures — supervisors, administrators and handlers — for the organisations their token serves; no
  token 401, an agent 403, another organisation 403, a handler whose token lists none 403;
- setting (``PUT /v1/stats/targets/{organization}``): an administrator serving that organisation only;
  no token 401, everyone else 403, and a refused PUT changes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from lotsen.kafka.memory import InMemoryBus
from tests.authorization import CALLERS, EVERY_ORGANIZATION, Caller, serves, subject_of
from tests.casestore_support import bearer
from tests.stats_support import stats_app


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus) as application:
        yield application


def headers(name: str, caller: Caller) -> dict[str, str]:
    if caller.role is None:
        return {"Authorization": ""}  # the client's own supervisor token is not sent
    return bearer(
        caller.role,
        organizations=caller.organizations,
        departments=caller.departments,
        subject=subject_of(name, caller),
    )


def may_read(caller: Caller, organization: str) -> int:
    if caller.role is None:
        return 401
    if caller.role == "agent" or not serves(caller, organization):
        return 403
    return 200


def may_set(caller: Caller, organization: str) -> int:
    if caller.role is None:
        return 401
    return 200 if caller.role == "admin" and serves(caller, organization) else 403


@pytest.mark.parametrize("name", CALLERS)
async def test_targets_authorization_matrix(app: FastAPI, name: str) -> None:
    caller = CALLERS[name]
    client: httpx.AsyncClient = app.state.client  # reads as a supervisor of every organisation
    mine = headers(name, caller)
    problems = []
    for n, organization in enumerate(EVERY_ORGANIZATION):
        path = f"/v1/stats/targets/{organization}"
        read = await client.get(path, headers=mine)
        if read.status_code != may_read(caller, organization):
            problems.append(
                f"GET {organization}: {read.status_code}, expected {may_read(caller, organization)}"
            )
        elif read.status_code != 200 and not read.json()["error"]["message"]:
            problems.append(f"GET {organization}: a refusal without a message")

        wanted = 0.5 + n / 100
        put = await client.put(path, json={"answer_rate": wanted}, headers=mine)
        stored = (await client.get(path)).json()["set"]["answer_rate"]
        expected = may_set(caller, organization)
        if put.status_code != expected:
            problems.append(f"PUT {organization}: {put.status_code}, expected {expected}: {put.text[:200]}")
        if stored != (wanted if expected == 200 else None):
            problems.append(f"PUT {organization}: stored {stored}")

    listing = await client.get("/v1/stats/targets", headers=mine)
    listed_ok = [o for o in EVERY_ORGANIZATION if may_read(caller, o) == 200]
    if caller.role is None:
        want = 401
    elif caller.role == "agent" or not listed_ok:
        want = 403
    else:
        want = 200
    if listing.status_code != want:
        problems.append(f"GET list: {listing.status_code}, expected {want}")
    elif want == 200 and [o["organization"] for o in listing.json()["organizations"]] != listed_ok:
        problems.append(f"GET list: {[o['organization'] for o in listing.json()['organizations']]}")
    assert not problems, f"{name}:\n" + "\n".join(problems)
