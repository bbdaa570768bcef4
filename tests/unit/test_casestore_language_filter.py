"""``GET /v1/cases?language=``: the queue of the citizens who wrote in (or chose) a language, and the
agents' language skills in their tokens. The filter narrows what a caller may already see, never
more: every kind of caller × organisation × department × language.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
from fastapi import FastAPI

from tests.authorization import CALLERS as EVERY_KIND_OF_CALLER
from tests.authorization import DEPARTMENT, EVERY_ORGANIZATION, Caller, headers_of, sees
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]

CATEGORY = {"open": "bygglov", "secret": "forsorjningsstod"}
CASES = [
    (organization, kind, language)
    for organization in ("karlskoga", "degerfors")
    for kind in ("open", "secret")
    for language in ("sv", "ar")
]


CALLERS = {
    **EVERY_KIND_OF_CALLER,
    # The demo agent who answers in Arabic as well as Swedish.
    "agent-arabiska": Caller("agent", EVERY_ORGANIZATION, demo=True),
}


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
