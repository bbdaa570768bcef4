"""A case reference is not a key: only someone the case has corresponded with may add to it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]

REF = "KGA-2026-000001"
CITIZEN = {"name": "Lina Berg", "email": "Lina.Berg@example.se", "phone": "070-123 45 67"}


async def lina_writes(handle: Any) -> None:
    await handle(
        routed("mail-1", channel="email", subject="Försörjningsstöd", sender=CITIZEN, text="Min ansökan.")
    )


async def our_message_id(app: FastAPI) -> str:
    case = await app.state.cases.repo.get(REF)
    return str(next(m["message_id"] for m in case["messages"] if m["direction"] == "outbound"))


async def test_a_stranger_quoting_the_reference_opens_a_new_linked_case(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    await lina_writes(handle)
    stranger = {"name": "Okänd", "email": "someone@elsewhere.example"}
    await handle(
        routed(
            "mail-2",
            channel="email",
            subject=f"Sv: Försörjningsstöd [{REF}]",
            sender=stranger,
            text="Jag vill också läsa det här ärendet.",
            thread={"case_ref": REF},
        )
    )
    agent = await login(client, "agent")
    original = (await client.get(f"/v1/cases/{REF}", headers=agent)).json()
    assert [m["text"] for m in original["messages"] if m["direction"] == "inbound"] == ["Min ansökan."]
    new = (await client.get("/v1/cases/KGA-2026-000002", headers=agent)).json()
    assert new["messages"][0]["text"] == "Jag vill också läsa det här ärendet."
    assert new["citizen"]["email"] == "someone@elsewhere.example"

    old_timeline = (await client.get(f"/v1/cases/{REF}/timeline", headers=agent)).json()
    [linked] = [e for e in old_timeline if e["type"] == "linked"]
    assert linked["data"] == {"ref": "KGA-2026-000002", "cause": "other_sender"}
    new_timeline = (await client.get("/v1/cases/KGA-2026-000002/timeline", headers=agent)).json()
    assert new_timeline[0]["type"] == "created" and new_timeline[0]["data"]["links"] == [REF]


async def test_a_stranger_cannot_reopen_a_resolved_case(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    await lina_writes(handle)
    agent = await login(client, "agent")
    await client.post(f"/v1/cases/{REF}/resolve", json={"resolution_code": "answered"}, headers=agent)
    await handle(
        routed(
            "mail-2",
            channel="email",
            subject="Re: Försörjningsstöd",
            sender={"email": "someone@elsewhere.example"},
            thread={"in_reply_to": await our_message_id(app)},
        )
    )
    case = (await client.get(f"/v1/cases/{REF}", headers=agent)).json()
    assert case["status"] == "resolved"
    assert len([m for m in case["messages"] if m["direction"] == "inbound"]) == 1
    assert (await client.get("/v1/cases/KGA-2026-000002", headers=agent)).json()["status"] == "new"


async def test_the_citizen_threads_in_by_reference_whatever_the_letter_case_of_the_address(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    await lina_writes(handle)
    await handle(
        routed(
            "mail-2",
            channel="email",
            sender={"email": "lina.berg@EXAMPLE.se"},
            text="Här kommer intyget.",
            thread={"case_ref": REF},
        )
    )
    await handle(
        routed(
            "phone-3",
            channel="phone",
            sender={"phone": "+46701234567"},
            text="Ringde om intyget.",
            thread={"in_reply_to": await our_message_id(app)},
        )
    )
    case = (await client.get(f"/v1/cases/{REF}", headers=await login(client, "agent"))).json()
    inbound = [m["text"] for m in case["messages"] if m["direction"] == "inbound"]
    assert inbound == ["Min ansökan.", "Här kommer intyget.", "Ringde om intyget."]
    assert (
        await client.get("/v1/cases/KGA-2026-000002", headers=await login(client, "agent"))
    ).status_code == 404


@pytest.mark.parametrize(
    "written", ["+46701234567", "+46 (0)70-123 45 67", "+46 070 123 45 67", "0046701234567"]
)
async def test_a_call_back_from_the_citizens_number_in_any_form_threads_in(
    client: httpx.AsyncClient, handle: Any, app: FastAPI, written: str
) -> None:
    """The case was opened for ``070-123 45 67``; the same person is the same person to threading
    as to a privacy look-up (both by the keys of ``people.py``)."""
    await lina_writes(handle)
    assert [c["_id"] for c in await app.state.cases.repo.of_person(phone=written)] == [REF]
    await handle(
        routed(
            "phone-2",
            channel="phone",
            sender={"phone": written},
            text="Ringde om intyget.",
            thread={"case_ref": REF},
        )
    )
    case = (await client.get(f"/v1/cases/{REF}", headers=await login(client, "agent"))).json()
    assert [m["text"] for m in case["messages"] if m["direction"] == "inbound"] == [
        "Min ansökan.",
        "Ringde om intyget.",
    ]


async def test_someone_else_with_a_similar_number_does_not_thread_in(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    await lina_writes(handle)
    await handle(
        routed("phone-2", channel="phone", sender={"phone": "+4570123456"}, thread={"case_ref": REF})
    )
    case = (await client.get(f"/v1/cases/{REF}", headers=await login(client, "agent"))).json()
    assert len([m for m in case["messages"] if m["direction"] == "inbound"]) == 1
