"""`POST /v1/cases/{ref}/feedback` × every kind of caller × organisation × department.

Four synpunkter, in Karlskoga and Degerfors, one with samhallsbyggnad and one with the confidential
social services (the departments of tests/authorization.py). Each is classified twice:
- **own**: a kind only, so it stays credited to the case's department;
- **skola**: credited to skola, which the Karlskoga handler serves (samhallsbyggnad, skola) and no
  other handler does.
Who may: agents and supervisors who see the case; handlers who see it, for their own departments
only (403 otherwise); administrators never (403); a case the caller does not see is a 404.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.authorization import CALLERS, DEPARTMENT, Caller, headers_of, sees
from tests.casestore_support import app, client, handle, routed

__all__ = ["app", "client", "handle"]

CASES = {
    ("karlskoga", "open"): "KGA-2026-000001",
    ("karlskoga", "secret"): "KGA-2026-000002",
    ("degerfors", "open"): "DEG-2026-000001",
    ("degerfors", "secret"): "DEG-2026-000002",
}
CLASSIFICATIONS = {"own": None, "skola": "skola"}


def expected(caller: Caller, organization: str, kind: str, credited: str) -> int:
    if caller.role is None:
        return 401
    if not sees(caller, organization, kind):
        return 404
    if caller.role == "admin":
        return 403
    if caller.role == "handler" and credited not in caller.departments:
        return 403
    return 200


@pytest.mark.parametrize("name", CALLERS)
async def test_matrix(client: httpx.AsyncClient, handle: Any, name: str) -> None:
    for organization, kind in CASES:
        await handle(
            routed(
                f"s-{organization}-{kind}",
                organization=organization,
                category="synpunkt",
                department=DEPARTMENT[kind],
                confidential=kind == "secret",
                handled_by="department",
            )
        )
    caller = CALLERS[name]
    headers = await headers_of(client, name, caller)
    observed: dict[Any, Any] = {}
    wanted: dict[Any, Any] = {}
    for classification, department in CLASSIFICATIONS.items():
        for (organization, kind), ref in CASES.items():
            body = {"kind": "complaint", **({"department": department} if department else {})}
            response = await client.post(f"/v1/cases/{ref}/feedback", json=body, headers=headers)
            at = (classification, organization, kind)
            observed[at] = response.status_code
            wanted[at] = expected(caller, organization, kind, department or DEPARTMENT[kind])
            if response.status_code == 200:
                observed[*at, "feedback"] = response.json()["feedback"]
                wanted[*at, "feedback"] = {"kind": "complaint", "department": department}
    assert observed == wanted
