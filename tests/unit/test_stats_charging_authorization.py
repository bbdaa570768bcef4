"""The invoice basis and the prices × every caller × every organisation (services/stats/prices.py,
services/stats/invoice.py):

- ``GET /v1/stats/invoice``: supervisors and administrators of the organisation read every line; a
  handler the lines of their own departments only (calls in their answer group included); an agent
  403, no token 401; another organisation than the token's 403;
- ``GET /v1/stats/prices/{organization}``: supervisors and administrators of the organisation;
- ``PUT /v1/stats/prices/{organization}``: administrators of the organisation only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import calls, cases
from lotsen.contracts.envelope import Event
from lotsen.kafka.memory import InMemoryBus
from services.stats.handlers import make_batch_handler
from services.stats.repository import StatsRepository
from tests.authorization import CALLERS, Caller, serves
from tests.stats_support import bearer, stats_app

T = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
ORGANIZATIONS = (None, "karlskoga", "degerfors")
# (organisation, department) → first-line cases; (organisation, answer group) → answered calls.
CASES = {("karlskoga", "samhallsbyggnad"): 1, ("karlskoga", "skola"): 2, ("karlskoga", "social"): 1,
         ("karlskoga", None): 1, ("degerfors", "social"): 3}  # fmt: skip
CALLS = {("karlskoga", "bygg-miljo"): 2, ("karlskoga", "ovrigt"): 1, ("degerfors", "socialtjanst"): 1}
# The line each answer group's calls land on: one department, or the group's own shared line.
GROUP_LINE = {"bygg-miljo": "samhallsbyggnad", "ovrigt": "ovrigt", "socialtjanst": "social"}
GROUP_COVERS = {"bygg-miljo": ["samhallsbyggnad"], "ovrigt": ["folkhalsa", "kultur", "ledningskontoret"],
                "socialtjanst": ["social"]}  # fmt: skip
PRICE = {"prices": [{"unit": "first_line", "valid_from": "2026-01-01", "price": "10.00"}]}


def made() -> list[Event[Any]]:
    out: list[Event[Any]] = []
    for (org, department), n in CASES.items():
        for i in range(n):
            ref = f"{org}-{department}-{i}"
            out.append(cases.CaseCreated(producer="casestore", organization=org, occurred_at=T, data={
                "case_ref": ref, "channel": "email", "received_at": T, "category": "bygglov",
                "department": department, "handled_by": "first_line", "rosa_level": 2}))  # fmt: skip
            done = T + timedelta(hours=1)
            out.append(cases.CaseResolved(producer="casestore", organization=org, occurred_at=done, data={
                "case_ref": ref, "resolved_at": done, "resolved_by_first_line": True,
                "resolution_code": "besvarat"}))  # fmt: skip
    for (org, group), n in CALLS.items():
        for i in range(n):
            data = {"call_id": f"{org}-{group}-{i}", "at": T, "answer_group": group}
            out.append(calls.CallOffered(producer="intake", organization=org, data=data))
            out.append(
                calls.CallAnswered(producer="intake", organization=org, data={**data, "wait_seconds": 3.0})
            )
    return out


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=NOW) as application:
        stats = StatsRepository(application.state.runtime.db)
        await make_batch_handler(stats=stats, settings=application.state.settings)(made())
        yield application


def headers(caller: Caller) -> dict[str, str]:
    if caller.role is None:
        return {"Authorization": ""}  # the client's own supervisor token is not sent
    return bearer(caller.role, organizations=caller.organizations, departments=caller.departments)


def invoice_status(caller: Caller, organization: str | None) -> int:
    if caller.role is None:
        return 401
    if caller.role == "agent" or (caller.role == "handler" and not caller.organizations):
        return 403
    if organization is not None and not serves(caller, organization):
        return 403
    return 200


def expected_lines(caller: Caller, organization: str | None) -> dict[tuple[str, str | None], tuple[int, int]]:
    """(organisation, line) → (first-line cases, answered calls) the caller must be shown."""
    lines: dict[tuple[str, str | None], tuple[int, int]] = {}
    for (org, department), n in CASES.items():
        lines[(org, department)] = (n, 0)
    for (org, group), n in CALLS.items():
        first_line, _ = lines.get((org, GROUP_LINE[group]), (0, 0))
        lines[(org, GROUP_LINE[group])] = (first_line, n)
    covers = {line: GROUP_COVERS.get(str(line), [line]) for _, line in lines}
    return {
        (org, line): counts
        for (org, line), counts in lines.items()
        if organization in (None, org)
        and serves(caller, org)
        and (caller.role != "handler" or (line is not None and set(covers[line]) & set(caller.departments)))
    }


async def invoice_problem(
    client: httpx.AsyncClient, name: str, organization: str | None, csv: bool
) -> str | None:
    caller = CALLERS[name]
    params = {"period": "2026-T1", **({"organization": organization} if organization else {})}
    if csv:
        params["format"] = "csv"
    response = await client.get("/v1/stats/invoice", params=params, headers=headers(caller))
    want = invoice_status(caller, organization)
    if response.status_code != want:
        return f"HTTP {response.status_code}, expected {want}: {response.text[:300]}"
    if want != 200:
        return None if response.json()["error"]["message"] else "a refusal without a message"
    expected = expected_lines(caller, organization)
    if csv:
        rows = [line.split(",") for line in response.text.splitlines()[1:]]
        listed = {(r[1], r[3] or r[4] or None) for r in rows if r[2] != "organization"}
        return (
            None
            if listed == set(expected)
            else f"lines {sorted(listed, key=str)}, expected {sorted(expected, key=str)}"
        )
    got = {}
    for org in response.json()["organizations"]:
        for line in org["lines"]:
            count = {u["unit"]: u["count"] for u in line["units"]}
            got[(org["organization"], line["department"] or line["answer_group"])] = (
                count["first_line"], count["calls_answered"])  # fmt: skip
    return None if got == expected else f"lines {got}, expected {expected}"


async def prices_problems(client: httpx.AsyncClient, name: str) -> list[str]:
    caller = CALLERS[name]
    problems = []
    for organization in ("karlskoga", "degerfors"):
        path = f"/v1/stats/prices/{organization}"
        for method, roles in (("GET", ("supervisor", "admin")), ("PUT", ("admin",))):
            body = PRICE if method == "PUT" else None
            response = await client.request(method, path, json=body, headers=headers(caller))
            if caller.role is None:
                want = 401
            else:
                want = 200 if caller.role in roles and serves(caller, organization) else 403
            if response.status_code != want:
                problems.append(
                    f"{name} × {method} {organization}: HTTP {response.status_code}, expected {want}"
                )
            elif want == 200 and response.json()["organization"] != organization:
                problems.append(f"{name} × {method} {organization}: {response.text[:200]}")
    return problems


@pytest.mark.parametrize("name", CALLERS)
async def test_invoice_and_prices_matrix(app: FastAPI, name: str) -> None:
    """One caller against the invoice basis (JSON and CSV) of every organisation, then the prices."""
    client: httpx.AsyncClient = app.state.client
    problems = [
        f"{name} × invoice of {organization or 'all'}{' csv' if csv else ''}: {problem}"
        for organization in ORGANIZATIONS
        for csv in (False, True)
        if (problem := await invoice_problem(client, name, organization, csv))
    ]
    problems += await prices_problems(client, name)
    assert not problems, "\n".join(problems)


async def test_prices_of_an_organisation_not_in_the_directory_are_not_found(app: FastAPI) -> None:
    admin = headers(CALLERS["admin"])
    response = await app.state.client.put("/v1/stats/prices/gnosjo", json=PRICE, headers=admin)
    assert response.status_code == 404 and "gnosjo" in response.json()["error"]["message"]
    assert (await app.state.client.get("/v1/stats/prices/gnosjo", headers=admin)).status_code == 404


async def test_without_required_tokens_prices_are_read_but_never_set_anonymously(
    bus: InMemoryBus, dev_env: None
) -> None:
    async with stats_app(bus, now=NOW, require_token=False) as application:
        anonymous = {"Authorization": ""}
        client: httpx.AsyncClient = application.state.client
        assert (await client.get("/v1/stats/prices/karlskoga", headers=anonymous)).status_code == 200
        response = await client.put("/v1/stats/prices/karlskoga", json=PRICE, headers=anonymous)
        assert response.status_code == 401, response.text
        assert (await client.put("/v1/stats/prices/karlskoga", json=PRICE)).status_code == 403  # a supervisor
        admin = headers(CALLERS["admin"])
        assert (await client.put("/v1/stats/prices/karlskoga", json=PRICE, headers=admin)).status_code == 200
