"""``GET /v1/cases?language=``: the queue of the citizens who wrote in (or chose) a language, and the
agents' language skills in their tokens. The filter narrows what a caller may already see, never
more: every kind of caller × organisation × department × language.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from lotsen.auth import Role
from tests.casestore_support import app, bearer, client, handle, login, routed

__all__ = ["app", "client", "handle"]

EVERY_ORGANIZATION = ("karlskoga", "degerfors", "karlskogahem")
DEPARTMENT = {"open": "samhallsbyggnad", "secret": "social"}
CATEGORY = {"open": "bygglov", "secret": "forsorjningsstod"}
CASES = [
    (organization, kind, language)
    for organization in ("karlskoga", "degerfors")
    for kind in ("open", "secret")
    for language in ("sv", "ar")
]


@dataclass(frozen=True)
class Caller:
    role: Role | None
    organizations: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    demo: bool = False


CALLERS = {
    "anonymous": Caller(None),
    "agent": Caller("agent", EVERY_ORGANIZATION, demo=True),
    "agent-arabiska": Caller("agent", EVERY_ORGANIZATION, demo=True),
    "agent-karlskoga": Caller("agent", ("karlskoga",)),
    "handler": Caller("handler", ("karlskoga",), ("samhallsbyggnad", "skola"), demo=True),
    "handler-degerfors": Caller("handler", ("degerfors",), ("social",), demo=True),
    "handler-no-organization": Caller("handler", (), ("samhallsbyggnad", "social")),
    "supervisor": Caller("supervisor", EVERY_ORGANIZATION, demo=True),
    "supervisor-degerfors": Caller("supervisor", ("degerfors",)),
    "admin": Caller("admin", demo=True),
}


def sees(caller: Caller, organization: str, kind: str) -> bool:
    served = caller.organizations or (() if caller.role == "handler" else EVERY_ORGANIZATION)
    if organization not in served:
        return False
    if caller.role == "handler":
        return DEPARTMENT[kind] in caller.departments
    return caller.role == "supervisor" or kind == "open"


async def headers_of(client: httpx.AsyncClient, name: str, caller: Caller) -> dict[str, str]:
    if caller.role is None:
        return {}
    if caller.demo:
        return await login(client, name)
    return bearer(caller.role, organizations=caller.organizations, departments=caller.departments)


async def eight_cases(handle: Any) -> None:
    for index, (organization, kind, language) in enumerate(CASES):
        await handle(
            routed(
                f"c-{index}",
                organization=organization,
                category=CATEGORY[kind],
                department=DEPARTMENT[kind],
                confidential=kind == "secret",
                handled_by="department",
                language=language,
                subject=f"{organization} {kind} {language}",
            )
        )


async def test_matrix(client: httpx.AsyncClient, handle: Any, app: FastAPI) -> None:
    await eight_cases(handle)
    for name, caller in CALLERS.items():
        headers = await headers_of(client, name, caller)
        for language in ("ar", "sv", None):
            response = await client.get(
                "/v1/cases", params={"language": language} if language else {}, headers=headers
            )
            if caller.role is None:
                assert response.status_code == 401
                continue
            assert response.status_code == 200, response.text
            listed = {(c["subject"], c["language"]) for c in response.json()["items"]}
            wanted = {
                (f"{o} {k} {lang}", lang)
                for o, k, lang in CASES
                if sees(caller, o, k) and language in (None, lang)
            }
            assert listed == wanted, (name, language)


async def test_a_language_the_queue_does_not_know_is_refused(client: httpx.AsyncClient) -> None:
    headers = await login(client, "agent")
    response = await client.get("/v1/cases", params={"language": "arabic"}, headers=headers)
    assert response.status_code == 422
    assert "language" in json.dumps(response.json()["error"])


def claims(headers: dict[str, str]) -> dict[str, Any]:
    payload = headers["Authorization"].split(" ")[1].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


async def test_an_agents_token_carries_the_languages_they_answer_in(client: httpx.AsyncClient) -> None:
    assert claims(await login(client, "agent"))["languages"] == ["sv", "en"]
    assert claims(await login(client, "agent-arabiska"))["languages"] == ["sv", "ar"]
    assert "languages" not in claims(await login(client, "handler"))
