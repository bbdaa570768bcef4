"""Receipts: the reference and access code of an errand, for the person who registered it and for
those who may see the case; every kind of caller × organisation × confidentiality × who registered."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from tests.authorization import CALLERS, DEPARTMENT, Caller, headers_of, sees, serves, subject_of
from tests.casestore_support import app, bearer, client, handle, routed

__all__ = ["app", "client", "handle"]

CATEGORY = {"open": "bygglov", "secret": "forsorjningsstod"}


def expected(caller: Caller, organization: str, kind: str, *, registered_it: bool) -> int:
    if caller.role is None:
        return 401
    if caller.role == "admin":
        return 403
    if sees(caller, organization, kind) or (registered_it and serves(caller, organization)):
        return 200
    return 404


async def test_who_may_read_a_receipt(app: FastAPI, client: httpx.AsyncClient, handle: Any) -> None:
    contacts: dict[tuple[str, str, str, str], str] = {}  # (caller, organisation, kind, registrar) → contact
    for name, caller in CALLERS.items():
        for organization in ("karlskoga", "degerfors"):
            for kind in ("open", "secret"):
                for registrar in ("caller", "someone else"):
                    contact_id = f"c-{name}-{organization}-{kind}-{registrar.replace(' ', '-')}"
                    registered_by = subject_of(name, caller) if registrar == "caller" else "someone-else"
                    await handle(
                        routed(
                            contact_id,
                            organization=organization,
                            channel="phone",
                            category=CATEGORY[kind],
                            department=DEPARTMENT[kind],
                            confidential=kind == "secret",
                            sender={"name": "Kim Berg", "phone": "+46701234567"},
                            registered_by=registered_by,
                        )
                    )
                    contacts[(name, organization, kind, registrar)] = contact_id

    wrong = []
    headers = {name: await headers_of(client, name, caller) for name, caller in CALLERS.items()}
    for (name, organization, kind, registrar), contact_id in contacts.items():
        caller = CALLERS[name]
        case = await app.state.cases.repo.find_by_origin_contact(contact_id)
        want = expected(caller, organization, kind, registered_it=registrar == "caller")
        for path in (f"/v1/cases/by-contact/{contact_id}/receipt", f"/v1/cases/{case['_id']}/receipt"):
            response = await client.get(path, headers=headers[name])
            if response.status_code != want:
                wrong.append((name, organization, kind, registrar, path, response.status_code, want))
            elif want == 200:
                body = response.json()
                assert (body["ref"], body["access_code"]) == (case["_id"], case["access_code"])
                assert body["status_link"].endswith(f"?ref={case['_id']}&code={case['access_code']}")
                assert "messages" not in body and "citizen" not in body
    assert wrong == []


async def test_a_registered_contact_has_no_receipt_until_it_is_a_case(
    app: FastAPI, client: httpx.AsyncClient, handle: Any
) -> None:
    agent = bearer("agent", subject="agent")
    assert (await client.get("/v1/cases/by-contact/c-later/receipt", headers=agent)).status_code == 404
    await handle(routed("c-later", channel="visit", sender={"name": "Kim Berg"}, registered_by="agent"))
    response = await client.get("/v1/cases/by-contact/c-later/receipt", headers=agent)
    assert response.status_code == 200, response.text
    assert response.json()["channel"] == "visit"


async def test_reading_the_receipt_of_a_confidential_case_is_in_its_timeline(
    app: FastAPI, client: httpx.AsyncClient, handle: Any
) -> None:
    await handle(
        routed(
            "c-secret",
            channel="phone",
            category="forsorjningsstod",
            department="social",
            confidential=True,
            registered_by="agent",
        )
    )
    case = await app.state.cases.repo.find_by_origin_contact("c-secret")
    agent = bearer("agent", subject="agent")
    assert (await client.get("/v1/cases/by-contact/c-secret/receipt", headers=agent)).status_code == 200
    assert (await client.get(f"/v1/cases/{case['_id']}", headers=agent)).status_code == 404  # still hidden
    stored = await app.state.cases.repo.get(case["_id"])
    assert [(e["actor"], e["type"]) for e in stored["timeline"]][-1] == ("agent", "read")
