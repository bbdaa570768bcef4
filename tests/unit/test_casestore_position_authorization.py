"""`POST /v1/cases/{ref}/position` × every kind of caller × organisation × department.

The callers and the cases are those of test_casestore_authorization.py (samhallsbyggnad and the
confidential social services, in Karlskoga and in Degerfors). Whoever sees a case and works cases
corrects its place; an administrator does not; a case the caller may not see answers 404.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.authorization import CALLERS, CASES, Caller, eight_cases, headers_of, sees
from tests.casestore_support import app, client, handle

__all__ = ["app", "client", "handle"]


def expected(caller: Caller, organization: str, kind: str) -> int:
    if caller.role is None:
        return 401
    if not sees(caller, organization, kind):
        return 404
    if caller.role == "admin":
        return 403
    return 200


@pytest.mark.parametrize("name", CALLERS)
async def test_matrix(client: httpx.AsyncClient, handle: Any, app: FastAPI, name: str) -> None:
    await eight_cases(handle, app)
    caller = CALLERS[name]
    headers = await headers_of(client, name, caller)
    observed: dict[Any, Any] = {}
    wanted: dict[Any, Any] = {}
    for (organization, kind), ref in CASES.items():
        response = await client.post(
            f"/v1/cases/{ref}/position",
            json={"address": f"Storgatan 1 ({name})", "location": {"lat": 59.33, "lon": 14.52}},
            headers=headers,
        )
        observed[organization, kind] = response.status_code
        wanted[organization, kind] = expected(caller, organization, kind)
        stored = await app.state.cases.repo.get(ref)
        observed[organization, kind, "kept"] = (stored.get("position") or {}).get("address")
        wanted[organization, kind, "kept"] = f"Storgatan 1 ({name})" if response.status_code == 200 else None
    assert observed == wanted
