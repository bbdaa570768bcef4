"""Every case endpoint × every role × confidential or not: allowed or refused as designed (DESIGN §7).

Expected, per role, for a case of department ``social`` (confidential) and of ``samhallsbyggnad``:
- agent: works every case that is not confidential; a confidential one does not exist for them (404);
- handler (samhallsbyggnad, skola): only their departments' cases; may not hand off (403);
- supervisor: everything;
- admin: reads cases that are not confidential; may not work any (403);
- no token: 401.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]

OPEN_CASE = "KGA-2026-000001"  # samhallsbyggnad, not confidential
SECRET_CASE = "KGA-2026-000002"  # social, confidential

READS = {
    "list": ("GET", "/v1/cases", None),
    "get": ("GET", "/v1/cases/{ref}", None),
    "timeline": ("GET", "/v1/cases/{ref}/timeline", None),
    "verify": ("GET", "/v1/cases/{ref}/timeline/verify", None),
}
WRITES = {
    "note": ("POST", "/v1/cases/{ref}/messages", {"kind": "note", "text": "Anteckning"}),
    "reply": ("POST", "/v1/cases/{ref}/messages", {"kind": "reply", "text": "Svar"}),
    "assign": ("POST", "/v1/cases/{ref}/assign", {"assignee": "x"}),
    "pending": ("POST", "/v1/cases/{ref}/pending", None),
    "handoff": ("POST", "/v1/cases/{ref}/handoff", {"department": "samhallsbyggnad", "reason": "r"}),
    "resolve": ("POST", "/v1/cases/{ref}/resolve", {"resolution_code": "answered"}),
    "link": ("POST", "/v1/cases/{ref}/link", {"ref": "KGA-2026-000003"}),
    "merge": ("POST", "/v1/cases/{ref}/merge", {"into": "KGA-2026-000003"}),
}
# Opening a case by hand: of samhallsbyggnad for "open", of social (confidential) for "confidential".
CREATE = {
    "organization": "karlskoga",
    "channel": "phone",
    "message": "Ringde och frågade.",
    "name": "Kim Berg",
    "phone": "+46701234567",
}
CREATE_CATEGORY = {False: "bygglov", True: "forsorjningsstod"}


def expected(role: str, action: str, confidential: bool) -> int:
    if role == "anonymous":
        return 401
    if action == "list":
        return 200
    if action == "create":  # whoever takes the call registers it, even what they may not read after
        refused = role == "admin" or (role == "handler" and confidential)
        return 403 if refused else 201
    visible = {
        "agent": not confidential,
        "admin": not confidential,
        "supervisor": True,
        "handler": not confidential,  # the handler's departments are samhallsbyggnad and skola
    }[role]
    if not visible:
        return 404
    if action in READS:
        return 200
    if role == "admin":
        return 403
    if role == "handler" and action == "handoff":
        return 403
    if action == "merge" and confidential:
        return 409  # into a case that is not confidential: its messages would be exposed
    return 200


ROLES = ("anonymous", "agent", "handler", "supervisor", "admin")


@pytest.mark.parametrize("confidential", [False, True], ids=["open", "confidential"])
@pytest.mark.parametrize("action", [*READS, *WRITES, "create"])
@pytest.mark.parametrize("role", ROLES)
async def test_matrix(
    client: httpx.AsyncClient, handle: Any, role: str, action: str, confidential: bool
) -> None:
    await handle(
        routed(
            "c-open",
            category="bygglov",
            department="samhallsbyggnad",
            channel="email",
            sender={"email": "a@example.se"},
        )
    )
    await handle(
        routed(
            "c-secret",
            category="forsorjningsstod",
            department="social",
            confidential=True,
            handled_by="department",
            channel="email",
            sender={"email": "b@example.se"},
        )
    )
    await handle(routed("c-third", category="bygglov", department="samhallsbyggnad", channel="email"))
    ref = SECRET_CASE if confidential else OPEN_CASE
    if action == "create":
        method, path, body = "POST", "/v1/cases", {**CREATE, "category": CREATE_CATEGORY[confidential]}
    else:
        method, path, body = {**READS, **WRITES}[action]
    headers = {} if role == "anonymous" else await login(client, role)
    response = await client.request(method, path.format(ref=ref), json=body, headers=headers)
    assert response.status_code == expected(role, action, confidential), response.text
    if action == "list" and response.status_code == 200:
        refs = {c["ref"] for c in response.json()["items"]}
        assert (SECRET_CASE in refs) == (role == "supervisor")


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
    await client.get(f"/v1/cases/{OPEN_CASE}", headers=supervisor)
    timeline = (await client.get(f"/v1/cases/{OPEN_CASE}/timeline", headers=supervisor)).json()
    reads = [e for e in timeline if e["type"] == "read"]
    assert [(e["actor"], e["data"]["role"]) for e in reads] == [("supervisor", "supervisor")] * 2
