"""`POST /v1/cases/{ref}/recategorise` × every kind of caller × organisation × department.

The callers and the cases are those of test_casestore_authorization.py (samhallsbyggnad and the
confidential social services, in Karlskoga and in Degerfors). Three corrections:
- **within** its department (bygglov → ritningsarkiv, försörjningsstöd → missbruk);
- **away** to kultur (bibliotek), which no handler of the cases' departments serves: for a handler a
  handoff, refused (403); for the confidential case a correction that lifts the confidentiality;
- **into** social services (försörjningsstöd): the case becomes confidential; an agent who made the
  correction gets ``visible: false`` and no longer sees the case.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.authorization import CALLERS, CASES, TARGETS, Caller, eight_cases, headers_of, sees
from tests.casestore_support import app, client, handle

__all__ = ["app", "client", "handle"]

CORRECTIONS = {  # name → (category for the samhallsbyggnad case, for the social case, its department)
    "within": {"open": ("ritningsarkiv", "samhallsbyggnad"), "secret": ("missbruk", "social")},
    "away": {"open": ("bibliotek", "kultur"), "secret": ("bibliotek", "kultur")},
    "into-social": {"open": ("forsorjningsstod", "social"), "secret": ("forsorjningsstod", "social")},
}


def expected(caller: Caller, organization: str, kind: str, new_department: str) -> int:
    if caller.role is None:
        return 401
    if not sees(caller, organization, kind):
        return 404
    if caller.role == "admin":
        return 403
    if caller.role == "handler" and new_department not in caller.departments:
        return 403
    return 200


@pytest.mark.parametrize("name", CALLERS)
async def test_matrix(client: httpx.AsyncClient, handle: Any, app: FastAPI, name: str) -> None:
    """Each case is corrected within its department, then into social services; each target case
    (the same organisation, department and confidentiality) away to kultur."""
    await eight_cases(handle, app)
    caller = CALLERS[name]
    headers = await headers_of(client, name, caller)
    observed: dict[Any, Any] = {}
    wanted: dict[Any, Any] = {}
    for correction, cases in (("within", CASES), ("into-social", CASES), ("away", TARGETS)):
        for (organization, kind), ref in cases.items():
            category, department = CORRECTIONS[correction][kind]
            response = await client.post(
                f"/v1/cases/{ref}/recategorise",
                json={"category": category, "reason": "felklassat"},
                headers=headers,
            )
            at = (correction, organization, kind)
            observed[at] = response.status_code
            wanted[at] = expected(caller, organization, kind, department)
            if response.status_code == 200:
                # Whoever corrected the case sees it afterwards unless it became confidential to them.
                still_sees = caller.role in ("supervisor", "handler") or department != "social"
                observed[*at, "visible"] = "visible" not in response.json()
                wanted[*at, "visible"] = still_sees
                after = await client.get(f"/v1/cases/{ref}", headers=headers)
                observed[*at, "after"] = after.status_code
                wanted[*at, "after"] = 200 if still_sees else 404
    assert observed == wanted
