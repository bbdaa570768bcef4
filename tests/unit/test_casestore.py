"""From routed contact to case, the token endpoint, and who sees which case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from lotsen.contracts import CaseCreated, topics
from lotsen.kafka.memory import InMemoryBus
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]  # fixtures


async def test_a_routed_contact_becomes_a_numbered_case(
    client: httpx.AsyncClient, handle: Any, bus: InMemoryBus
) -> None:
    await handle(routed("c-1"))
    await handle(routed("c-2", organization="degerfors"))
    await handle(routed("c-3"))
    headers = await login(client, "agent")
    items = (await client.get("/v1/cases", headers=headers)).json()["items"]
    assert sorted(c["ref"] for c in items) == ["DEG-2026-000001", "KGA-2026-000001", "KGA-2026-000002"]
    case = (await client.get("/v1/cases/KGA-2026-000001", headers=headers)).json()
    assert case["status"] == "new"
    assert case["channel"] == "webform"
    assert case["category"] == "ovriga-arenden"
    assert case["handled_by"] == "first_line"
    assert case["first_response_due"].startswith("2026-03-04T08:41")
    expected = {
        "ref",
        "organization",
        "status",
        "channel",
        "subject",
        "category",
        "department",
        "answer_group",
        "handled_by",
        "rosa_level",
        "confidential",
        "assignee",
        "created_at",
        "updated_at",
        "first_response_due",
        "due_at",
    }
    assert expected <= set(case)
    created = [e for e in bus.published(topics.CASES_EVENTS) if isinstance(e, CaseCreated)]
    assert [e.data.case_ref for e in created] == ["KGA-2026-000001", "DEG-2026-000001", "KGA-2026-000002"]


async def test_a_redelivered_contact_makes_no_second_case(
    client: httpx.AsyncClient, handle: Any, bus: InMemoryBus
) -> None:
    event = routed("c-1")
    await handle(event)
    await handle(event)
    items = (await client.get("/v1/cases", headers=await login(client, "agent"))).json()["items"]
    assert [c["ref"] for c in items] == ["KGA-2026-000001"]
    created = [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.created"]
    assert len({e.event_id for e in created}) == 1, "a repeat must carry the same event id"


async def test_auto_replies_open_no_case(client: httpx.AsyncClient, handle: Any, bus: InMemoryBus) -> None:
    await handle(routed("c-ooo", is_auto_reply=True))
    assert (await client.get("/v1/cases", headers=await login(client, "agent"))).json()["items"] == []
    assert bus.published(topics.CASES_EVENTS) == []


async def test_login_refuses_wrong_passwords_alike(client: httpx.AsyncClient) -> None:
    wrong = await client.post("/v1/auth/token", data={"username": "agent", "password": "fel"})
    nobody = await client.post("/v1/auth/token", data={"username": "nobody", "password": "fel"})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json() == nobody.json()
    assert (await client.post("/v1/auth/token", data={"username": "agent"})).status_code == 422


async def test_the_case_api_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/cases")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    bad = await client.get("/v1/cases", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401


async def test_who_sees_which_case(client: httpx.AsyncClient, handle: Any) -> None:
    await handle(routed("open-1"))
    await handle(routed("bygg-1", category="bygglov", department="samhallsbyggnad"))
    await handle(
        routed(
            "soc-1",
            category="forsorjningsstod",
            department="social",
            confidential=True,
            handled_by="department",
        )
    )

    async def refs(user: str) -> set[str]:
        page = (await client.get("/v1/cases", headers=await login(client, user))).json()
        return {c["department"] or "-" for c in page["items"]}

    assert await refs("agent") == {"-", "samhallsbyggnad"}
    assert await refs("admin") == {"-", "samhallsbyggnad"}
    assert await refs("supervisor") == {"-", "samhallsbyggnad", "social"}
    assert await refs("handler") == {"samhallsbyggnad"}  # departments samhallsbyggnad and skola
    confidential = await client.get("/v1/cases/KGA-2026-000003", headers=await login(client, "agent"))
    assert confidential.status_code == 404


async def test_pages_follow_a_cursor_newest_first(client: httpx.AsyncClient, handle: Any) -> None:
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    for i in range(5):
        event = routed(f"c-{i}", received_at=start + timedelta(minutes=i))
        await handle(event.model_copy(update={"occurred_at": start + timedelta(minutes=i)}))
    headers = await login(client, "agent")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/cases", params=params, headers=headers)).json()
        seen += [c["ref"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"KGA-2026-00000{i}" for i in (5, 4, 3, 2, 1)]
    assert (await client.get("/v1/cases", params={"cursor": "garbage!"}, headers=headers)).status_code == 400


async def test_filters(client: httpx.AsyncClient, handle: Any) -> None:
    await handle(routed("a", category="bygglov", department="samhallsbyggnad"))
    await handle(routed("b"))
    headers = await login(client, "supervisor")
    page = (await client.get("/v1/cases", params={"category": "bygglov"}, headers=headers)).json()
    assert [c["category"] for c in page["items"]] == ["bygglov"]
    page = (await client.get("/v1/cases", params={"status": "closed"}, headers=headers)).json()
    assert page["items"] == []
    assert (await client.get("/v1/cases", params={"limit": 0}, headers=headers)).status_code == 422
