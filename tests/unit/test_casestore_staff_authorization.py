"""The staff directory and "Kopplad" × every kind of caller × organisation × department (staff/directory.py).

Four people, one of ``samhallsbyggnad`` and one of ``social`` in Karlskoga and in Degerfors, each
linked to the account ``linked-<organisation>-<department>``. What a caller may do follows from:
- organisation: a caller reads, searches, sets absence notes and connects calls only within the
  organisations of their token (none listed: every one, except for a handler, who then has none);
- department: a handler keeps (adds, edits, removes, imports) the people of their own departments;
  an administrator keeps everyone of their organisations; agents and supervisors keep no one;
- role: an administrator connects no call;
- their own absence note: a person whose account is linked to an entry sets it, whatever else;
- an entry the caller may not see answers 404; no token answers 401.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.auth import Principal
from lotsen.directory import directory_from
from services.casestore.staff.directory import StaffWrite, document
from tests.authorization import CALLERS as EVERY_KIND_OF_CALLER
from tests.authorization import Caller, headers_of, serves
from tests.casestore_support import app, client

__all__ = ["app", "client"]

TARGETS = [(o, d) for o in ("karlskoga", "degerfors") for d in ("samhallsbyggnad", "social")]


CALLERS = {
    **EVERY_KIND_OF_CALLER,
    # A person of Degerfors' social department, their account linked to their entry, whose token
    # lists no organisation: they see no one, but may still say they are away.
    "linked-person": Caller("handler", (), ("social",), subject="linked-degerfors-social"),
}


def keeps(caller: Caller, organization: str, department: str) -> bool:
    return serves(caller, organization) and (
        caller.role == "admin" or (caller.role == "handler" and department in caller.departments)
    )


def expected(caller: Caller, action: str, organization: str, department: str) -> int:
    if caller.role is None:
        return 401
    own = caller.subject == f"linked-{organization}-{department}"
    if action in ("create", "import"):
        if caller.role not in ("handler", "admin") or (
            action == "import" and not serves(caller, organization)
        ):
            return 403
        return (201 if action == "create" else 200) if keeps(caller, organization, department) else 403
    if action in ("absence", "clear-absence") and own:
        return 200
    if action in ("transfer", "transfer-department") and caller.role == "admin":
        return 403
    if action in ("update", "delete") and caller.role not in ("handler", "admin"):
        return 403
    if not serves(caller, organization):
        return 404
    if action in ("update", "delete"):
        if not keeps(caller, organization, department):
            return 403
        return 204 if action == "delete" else 200
    return 201 if action.startswith("transfer") else 200


def person(organization: str, department: str, name: str) -> dict[str, Any]:
    return {
        "organization": organization,
        "name": name,
        "title": "Handläggare",
        "department": department,
        "phone": "0586-600 00",
        "email": f"{name.split()[0].lower()}.{department}@{organization}.example",
        "errand_types": ["bygglov"],
    }


async def four_people(app: FastAPI) -> dict[tuple[str, str], str]:
    ids = {}
    directory = directory_from()
    for number, (organization, department) in enumerate(TARGETS):
        body = StaffWrite.model_validate(
            {
                **person(organization, department, f"Testperson{number} Matrisdotter"),
                "account": f"linked-{organization}-{department}",
            }
        )
        doc = document(
            body,
            staff_id=None,
            by=Principal("test", "admin"),
            directory=directory,
            now=datetime.now(UTC),
            kept={},
        )
        await app.state.staff.insert(doc)
        ids[organization, department] = doc["_id"]
    return ids


ACTIONS = (
    "read",
    "search",
    "absence",
    "clear-absence",
    "transfer",
    "transfer-department",
    "create",
    "import",
    "update",
    "delete",
)


async def attempt(
    client: httpx.AsyncClient,
    action: str,
    staff_id: str,
    organization: str,
    department: str,
    h: dict[str, str],
) -> tuple[int, bool | None]:
    """The status, and for a search whether the person was listed."""
    match action:
        case "read":
            response = await client.get(f"/v1/staff/{staff_id}", headers=h)
        case "search":
            response = await client.get("/v1/staff", params={"q": "matrisdotter", "limit": 200}, headers=h)
            listed = response.status_code == 200 and staff_id in {p["id"] for p in response.json()}
            return response.status_code, listed
        case "absence":
            body = {"message": "På kurs", "covered_by": "Växeln"}
            response = await client.put(f"/v1/staff/{staff_id}/absence", json=body, headers=h)
        case "clear-absence":
            response = await client.delete(f"/v1/staff/{staff_id}/absence", headers=h)
        case "transfer":
            response = await client.post("/v1/calls/c-1/transfer", json={"staff_id": staff_id}, headers=h)
        case "transfer-department":
            body = {"organization": organization, "department": department}
            response = await client.post("/v1/calls/c-2/transfer", json=body, headers=h)
        case "create":
            body = person(organization, department, "Ny Nilsson")
            response = await client.post("/v1/staff", json=body, headers=h)
        case "import":
            row = f"Import Isaksson;{department};import.{department}@{organization}.example"
            csv = f"namn;avdelning;e-post\n{row}\n"
            response = await client.post(
                "/v1/staff/import",
                params={"organization": organization},
                content=csv.encode(),
                headers={**h, "Content-Type": "text/csv"},
            )
            if response.status_code == 200:  # a row the caller may not keep is refused on its own
                return (200 if response.json()["created"] == 1 else 403), None
        case "update":
            body = person(organization, department, "Ändrad Matrisdotter")
            response = await client.put(f"/v1/staff/{staff_id}", json=body, headers=h)
        case "delete":
            response = await client.delete(f"/v1/staff/{staff_id}", headers=h)
    return response.status_code, None


@pytest.mark.parametrize("name", CALLERS)
async def test_matrix(client: httpx.AsyncClient, app: FastAPI, name: str) -> None:
    ids = await four_people(app)
    caller = CALLERS[name]
    h = await headers_of(client, name, caller)
    observed, wanted = {}, {}
    for action in ACTIONS:
        for (organization, department), staff_id in ids.items():
            status, listed = await attempt(client, action, staff_id, organization, department, h)
            observed[action, organization, department] = status
            if action == "search":
                wanted[action, organization, department] = 401 if caller.role is None else 200
                if caller.role is not None:
                    observed[action, organization, department, "listed"] = listed
                    wanted[action, organization, department, "listed"] = serves(caller, organization)
            else:
                wanted[action, organization, department] = expected(caller, action, organization, department)
    assert observed == wanted
