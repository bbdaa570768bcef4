"""Search × every kind of caller × organisation × department × confidentiality (DESIGN §7).

The four cases of test_casestore_authorization.py (Karlskoga and Degerfors, ``samhallsbyggnad`` open
and ``social`` confidential) each get an internal note with the same word. A search for it lists a
case exactly to the callers who may see the case, and the excerpt shows the note's text only on a
case that is not confidential (a confidential case's messages are read where the read is logged);
no token answers 401.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.authorization import CALLERS, CASES, CATEGORY, DEPARTMENT, headers_of, sees
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]

NOTE = "Grannen klagar på staketet"


async def test_search_lists_and_excerpts_only_what_the_caller_may_read(
    client: httpx.AsyncClient, handle: Any
) -> None:
    for organization, kind in CASES:
        await handle(
            routed(
                f"c-{organization}-{kind}",
                organization=organization,
                category=CATEGORY[kind],
                department=DEPARTMENT[kind],
                confidential=kind == "secret",
                handled_by="department" if kind == "secret" else "first_line",
                subject="Fråga",
            )
        )
    supervisor = await login(client, "supervisor")
    for ref in CASES.values():
        noted = await client.post(
            f"/v1/cases/{ref}/messages", json={"kind": "note", "text": NOTE}, headers=supervisor
        )
        assert noted.status_code == 200, noted.text

    observed: dict[tuple[str, ...], Any] = {}
    wanted: dict[tuple[str, ...], Any] = {}
    for name, caller in CALLERS.items():
        response = await client.get(
            "/v1/cases", params={"q": "staket"}, headers=await headers_of(client, name, caller)
        )
        observed[name,] = response.status_code
        wanted[name,] = 401 if caller.role is None else 200
        if caller.role is None:
            continue
        matches = {c["ref"]: c["match"] for c in response.json()["items"]}
        for (organization, kind), ref in CASES.items():
            visible = sees(caller, organization, kind)
            observed[name, ref] = ref in matches
            wanted[name, ref] = visible
            if visible:
                observed[name, ref, "snippet"] = matches[ref]["snippet"]
                wanted[name, ref, "snippet"] = None if kind == "secret" else NOTE
    assert observed == wanted
