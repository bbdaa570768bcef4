"""Every case endpoint × every kind of caller × organisation × confidentiality (DESIGN §7).

Four cases, the same department ids in two organisations: in Karlskoga and in Degerfors, one of
``samhallsbyggnad`` (not confidential) and one of ``social`` (confidential). Each caller is a role
with organisations and departments; what they may do follows from:
- organisation: a caller sees only cases of the organisations in their token; an empty list means
  every organisation for agents, supervisors and administrators, and none for a handler;
- department: a handler sees only their departments' cases, within their organisations;
- confidentiality: agents and administrators never see a confidential case;
- role: a handler may not hand off or close; an administrator works no case (403);
- a case the caller may not see answers 404; no token answers 401.
The knowledge bank and the privacy operations follow the same organisations
(test_casestore_organisations.py).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.authorization import (
    CALLERS,
    CASES,
    CATEGORY,
    DEPARTMENT,
    SHA,
    TARGETS,
    Caller,
    eight_cases,
    headers_of,
    sees,
    serves,
)
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]


READS = {
    "list": ("GET", "/v1/cases", None),
    "get": ("GET", "/v1/cases/{ref}", None),
    "timeline": ("GET", "/v1/cases/{ref}/timeline", None),
    "verify": ("GET", "/v1/cases/{ref}/timeline/verify", None),
    "attachment": ("GET", "/v1/cases/{ref}/attachments/" + SHA, None),
}
WRITES = {
    "note": ("POST", "/v1/cases/{ref}/messages", {"kind": "note", "text": "Anteckning"}),
    "reply": ("POST", "/v1/cases/{ref}/messages", {"kind": "reply", "text": "Svar"}),
    "assign": ("POST", "/v1/cases/{ref}/assign", {"assignee": "x"}),
    "pending": ("POST", "/v1/cases/{ref}/pending", None),
    "handoff": ("POST", "/v1/cases/{ref}/handoff", {"department": "samhallsbyggnad", "reason": "r"}),
    "resolve": ("POST", "/v1/cases/{ref}/resolve", {"resolution_code": "answered"}),
    "link": ("POST", "/v1/cases/{ref}/link", {"ref": "{target}"}),
    "merge": ("POST", "/v1/cases/{ref}/merge", {"into": "{target}"}),
    "register": ("POST", "/v1/cases/{ref}/register", {"secrecy": {"osl": "26 kap. 1 § OSL"}}),
    # Not allowed for a new case: a caller the rule lets through gets 409 from the lifecycle.
    "return": ("POST", "/v1/cases/{ref}/return", {"reason": "r"}),
    "close": ("POST", "/v1/cases/{ref}/close", None),
    "reopen": ("POST", "/v1/cases/{ref}/reopen", None),
}
NOT_FROM_NEW = {"return", "close", "reopen"}
CREATE = {"channel": "phone", "message": "Ringde och frågade.", "name": "Kim Berg", "phone": "+46701234567"}


def expected(caller: Caller, action: str, organization: str, kind: str) -> int:
    if caller.role is None:
        return 401
    if action == "create":  # whoever takes the call registers it, even what they may not read after
        refused = (
            caller.role == "admin"
            or not serves(caller, organization)
            or (caller.role == "handler" and DEPARTMENT[kind] not in caller.departments)
        )
        return 403 if refused else 201
    if not sees(caller, organization, kind):
        return 404
    if action in READS:
        return 200
    if caller.role == "admin":
        return 403
    if caller.role == "handler" and action in ("handoff", "close"):
        return 403
    if action == "register":  # a new registration; registering again answers 200
        return 201
    return 409 if action in NOT_FROM_NEW else 200


@pytest.mark.parametrize("action", [*READS, *WRITES, "create"])
@pytest.mark.parametrize("name", CALLERS)
async def test_matrix(client: httpx.AsyncClient, handle: Any, app: FastAPI, name: str, action: str) -> None:
    await eight_cases(handle, app)
    caller = CALLERS[name]
    headers = await headers_of(client, name, caller)
    observed, wanted = {}, {}
    for (organization, kind), ref in CASES.items():
        if action == "create":
            method, path = "POST", "/v1/cases"
            body: Any = {**CREATE, "organization": organization, "category": CATEGORY[kind]}
        else:
            method, path, body = {**READS, **WRITES}[action]
            path = path.format(ref=ref)
            body = body and {
                k: v.format(target=TARGETS[organization, kind]) if isinstance(v, str) else v
                for k, v in body.items()
            }
        response = await client.request(method, path, json=body, headers=headers)
        observed[organization, kind] = response.status_code
        wanted[organization, kind] = (
            200 if action == "list" and caller.role else expected(caller, action, organization, kind)
        )
        if action == "list" and response.status_code == 200:
            listed = {c["ref"] for c in response.json()["items"]}
            observed[organization, kind, "listed"] = ref in listed
            wanted[organization, kind, "listed"] = sees(caller, organization, kind)
    assert observed == wanted


async def test_every_read_of_a_confidential_case_is_logged(client: httpx.AsyncClient, handle: Any) -> None:
    await handle(
        routed(
            "c-secret",
            category="forsorjningsstod",
            department="social",
            confidential=True,
            handled_by="department",
        )
    )
    supervisor = await login(client, "supervisor")
    ref = CASES["karlskoga", "open"]
    await client.get(f"/v1/cases/{ref}", headers=supervisor)
    timeline = (await client.get(f"/v1/cases/{ref}/timeline", headers=supervisor)).json()
    reads = [e for e in timeline if e["type"] == "read"]
    assert [(e["actor"], e["data"]["role"]) for e in reads] == [("supervisor", "supervisor")] * 2
