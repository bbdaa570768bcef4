"""The registry's reads × every kind of caller × organisation × confidentiality (DESIGN §7).

Registering is in the case matrix (test_casestore_authorization.py). Here: a case's registrations
follow the case (whoever may see the case, 404 otherwise); the diary export is for supervisors and
administrators, lists the organisations they serve, and shows a confidential registration's
subject and parties only to a caller who may read its case; everyone else reads ``[sekretess]``.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.authorization import CALLERS, CASES, CATEGORY, DEPARTMENT, Caller, headers_of, sees, serves
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]

SECRET_SUBJECT = "Bistånd för Erik"


async def four_registrations(client: httpx.AsyncClient, handle: Any) -> None:
    for organization, kind in CASES:
        await handle(
            routed(
                f"c-{organization}-{kind}",
                organization=organization,
                category=CATEGORY[kind],
                department=DEPARTMENT[kind],
                confidential=kind == "secret",
                handled_by="department" if kind == "secret" else "first_line",
                subject=SECRET_SUBJECT if kind == "secret" else "Bygglov",
            )
        )
    supervisor = await login(client, "supervisor")
    for (_, kind), ref in CASES.items():
        body = {"secrecy": {"osl": "26 kap. 1 § OSL"}} if kind == "secret" else {}
        assert (
            await client.post(f"/v1/cases/{ref}/register", json=body, headers=supervisor)
        ).status_code == 201


def exported(caller: Caller, organization: str, kind: str) -> tuple[bool, bool] | None:
    """(listed, shown in full) as the export should answer; None when not listed."""
    if not serves(caller, organization):
        return None
    return True, sees(caller, organization, kind)


@pytest.mark.parametrize("name", CALLERS)
async def test_registry_matrix(client: httpx.AsyncClient, handle: Any, name: str) -> None:
    await four_registrations(client, handle)
    caller = CALLERS[name]
    headers = await headers_of(client, name, caller)
    observed: dict[Any, Any] = {}
    wanted: dict[Any, Any] = {}
    for (organization, kind), ref in CASES.items():
        response = await client.get(f"/v1/cases/{ref}/registrations", headers=headers)
        observed["case", organization, kind] = response.status_code
        wanted["case", organization, kind] = (
            401 if caller.role is None else 200 if sees(caller, organization, kind) else 404
        )

    export = await client.get("/v1/registry", headers=headers)
    observed["export"] = export.status_code
    may_export = caller.role in ("supervisor", "admin")
    wanted["export"] = 401 if caller.role is None else 200 if may_export else 403
    if export.status_code == 200:
        items = {item["case_ref"]: item for item in export.json()["items"]}
        for (organization, kind), ref in CASES.items():
            item = items.get(ref)
            observed["row", organization, kind] = item and (True, item["subject"] != "[sekretess]")
            wanted["row", organization, kind] = exported(caller, organization, kind)
            if item is not None and item["subject"] == "[sekretess]":
                assert SECRET_SUBJECT not in str(item) and "erik@example.se" not in str(item)

    elsewhere = await client.get("/v1/registry", params={"organization": "degerfors"}, headers=headers)
    observed["export degerfors"] = elsewhere.status_code
    wanted["export degerfors"] = (
        wanted["export"] if wanted["export"] != 200 or serves(caller, "degerfors") else 403
    )
    assert observed == wanted
