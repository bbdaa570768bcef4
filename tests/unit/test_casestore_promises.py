"""What casestore promises per errand type and answer group, and the queues in priority order
(docs/cases.md, "Promises per errand type")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.calendar import STOCKHOLM
from lotsen.contracts import ContactRouted, topics
from lotsen.contracts.contacts import ContactRoutedData
from lotsen.kafka.memory import InMemoryBus
from tests.authorization import CALLERS as EVERY_KIND_OF_CALLER
from tests.authorization import Caller, headers_of, sees_case
from tests.casestore_support import app, client, handle, login

__all__ = ["app", "client", "handle"]  # fixtures

SUNDAY_NIGHT = datetime(2026, 3, 8, 22, 0, tzinfo=STOCKHOLM)


def contact(
    contact_id: str,
    *,
    organization: str = "karlskoga",
    category: str = "ovriga-arenden",
    answer_group: str = "ovrigt",
    department: str | None = None,
    priority: str = "normal",
    received_at: datetime = datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
    confidential: bool = False,
    **extra: Any,
) -> ContactRouted:
    return ContactRouted(
        producer="routing",
        organization=organization,
        data=ContactRoutedData.model_validate(
            {
                "contact_id": contact_id,
                "channel": "webform",
                "received_at": received_at,
                "subject": "Fråga",
                "text": "Hej!",
                "sender": {"name": "Erik Nilsson", "email": "erik@example.se"},
                "decision": {
                    "handled_by": "first_line",
                    "answer_group": answer_group,
                    "department": department,
                    "category": category,
                    "rosa_level": 3,
                    "priority": priority,
                    "confidential": confidential,
                    "ruleset_version": 1,
                    "explanation": "test",
                },
                **extra,
            }
        ),
    )


async def test_a_sunday_night_fault_report_is_promised_24_hours_and_told_when_kundservice_opens(
    client: httpx.AsyncClient, handle: Any, bus: InMemoryBus
) -> None:
    await handle(
        contact(
            "form-1",
            organization="karlskogahem",
            category="felanmalan-lagenhet",
            department="fastighet",
            answer_group="hyresgastservice",
            received_at=SUNDAY_NIGHT,
        )
    )
    supervisor = await login(client, "supervisor")
    case = (await client.get("/v1/cases/KHEM-2026-000001", headers=supervisor)).json()
    assert case["first_response_due"] == "2026-03-09T21:00:00Z"  # Monday 22:00, Swedish time
    [request] = bus.published(topics.OUTBOUND_REQUESTS)
    extra = request.data.model_extra or {}
    assert instant(extra["first_response_due"]) == datetime(2026, 3, 9, 21, 0, tzinfo=UTC)
    assert instant(extra["group_opens_at"]) == datetime(2026, 3, 9, 7, 0, tzinfo=UTC)  # Monday 08:00


async def test_an_errand_in_opening_hours_gets_the_default_promise_and_no_closed_notice(
    client: httpx.AsyncClient, handle: Any, bus: InMemoryBus
) -> None:
    await handle(contact("form-1", received_at=datetime(2026, 3, 2, 8, 0, tzinfo=UTC)))
    [request] = bus.published(topics.OUTBOUND_REQUESTS)
    extra = request.data.model_extra or {}
    assert instant(extra["first_response_due"]) == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)  # 48 hours
    assert extra["group_opens_at"] is None


async def test_bygglov_handed_off_the_friday_before_midsommar_is_due_five_working_days_later(
    app: FastAPI, client: httpx.AsyncClient, handle: Any
) -> None:
    await handle(
        contact("form-1", category="bygglov", department="samhallsbyggnad", answer_group="bygg-miljo")
    )
    await handle(contact("form-2", category="ritningsarkiv", department="samhallsbyggnad"))
    app.state.cases.clock = lambda: datetime(2026, 6, 12, 8, 0, tzinfo=UTC)  # Friday 10:00 Swedish time
    agent = await login(client, "agent")
    body = {"department": "samhallsbyggnad", "reason": "Handläggning"}
    bygglov = await client.post("/v1/cases/KGA-2026-000001/handoff", json=body, headers=agent)
    other = await client.post("/v1/cases/KGA-2026-000002/handoff", json=body, headers=agent)
    assert bygglov.json()["due_at"] == "2026-06-22T08:00:00Z"  # midsommarafton is no working day
    assert other.json()["due_at"] == "2026-06-16T08:00:00Z"  # the default two working days


async def test_a_callback_requested_on_sunday_night_is_promised_in_the_groups_hours(
    client: httpx.AsyncClient, handle: Any
) -> None:
    await handle(
        contact(
            "callback-1",
            channel="phone",
            answer_group="socialtjanst",
            received_at=SUNDAY_NIGHT,
            callback_requested=True,
            sender={"phone": "+46701234567"},
        )
    )
    supervisor = await login(client, "supervisor")
    case = (await client.get("/v1/cases/KGA-2026-000001", headers=supervisor)).json()
    assert case["first_response_due"] == "2026-03-09T11:00:00Z"  # socialtjanst opens 08:00; 4 hours on


def instant(value: Any) -> datetime | None:
    """A time from an extra field of an event (RFC 3339 text on the wire)."""
    return None if value is None else datetime.fromisoformat(str(value).replace("Z", "+00:00"))


async def refs(client: httpx.AsyncClient, headers: dict[str, str], **query: Any) -> list[str]:
    """Every page of the list, following the cursor."""
    found: list[str] = []
    cursor: str | None = None
    while True:
        params = {**query, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/cases", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        found += [c["ref"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


async def test_the_queue_puts_urgent_first_then_the_soonest_due(
    client: httpx.AsyncClient, handle: Any
) -> None:
    at = [datetime(2026, 3, 2, hour, 0, tzinfo=UTC) for hour in range(7, 12)]
    await handle(contact("c1", received_at=at[1]))  # normal, due Wednesday 08:00
    await handle(contact("c2", received_at=at[0]))  # normal, due Wednesday 07:00
    await handle(contact("c3", priority="urgent", received_at=at[4]))
    await handle(contact("c4", priority="high", received_at=at[2]))
    await handle(contact("c5", priority="low", received_at=at[0]))
    await handle(contact("c6", category="felanmalan-gata-park", received_at=at[3]))  # normal, 24 hours
    agent = await login(client, "agent")
    queue = ["KGA-2026-000003", "KGA-2026-000004", "KGA-2026-000006", "KGA-2026-000002", "KGA-2026-000001"]
    assert await refs(client, agent, order="priority") == [*queue, "KGA-2026-000005"]
    assert await refs(client, agent, order="priority", limit=2) == [*queue, "KGA-2026-000005"]
    newest = await refs(client, agent)
    assert newest == [f"KGA-2026-00000{n}" for n in (6, 5, 4, 3, 2, 1)]

    # Answered, the first case waits on nobody: it goes behind the normal cases still due.
    reply = {"kind": "reply", "text": "Svar", "channel": "email"}
    answered = await client.post("/v1/cases/KGA-2026-000006/messages", json=reply, headers=agent)
    assert answered.status_code == 200, answered.text
    order = await refs(client, agent, order="priority", status="open")
    assert order[-1] == "KGA-2026-000006"


async def test_a_cursor_belongs_to_its_order(client: httpx.AsyncClient, handle: Any) -> None:
    for n in range(3):
        await handle(contact(f"c{n}"))
    agent = await login(client, "agent")
    page = (await client.get("/v1/cases", params={"limit": 1}, headers=agent)).json()
    mixed = await client.get(
        "/v1/cases", params={"limit": 1, "order": "priority", "cursor": page["next_cursor"]}, headers=agent
    )
    assert mixed.status_code == 400 and mixed.json()["error"]["code"] == "invalid_cursor"
    unknown = await client.get("/v1/cases", params={"order": "oldest"}, headers=agent)
    assert unknown.status_code == 422


CALLERS = {
    **EVERY_KIND_OF_CALLER,
    "agent-degerfors": Caller("agent", ("degerfors",)),
    "supervisor-karlskogahem": Caller("supervisor", ("karlskogahem",)),
}
QUEUED = {  # reference → (organisation, department, confidential), in the order they arrive below
    "KGA-2026-000001": ("karlskoga", "samhallsbyggnad", False),
    "DEG-2026-000001": ("degerfors", None, False),
    "DEG-2026-000002": ("degerfors", "social", True),
    "KHEM-2026-000001": ("karlskogahem", None, False),
}


@pytest.mark.parametrize("name", CALLERS)
async def test_the_priority_order_shows_each_caller_what_the_list_shows_them(
    client: httpx.AsyncClient, handle: Any, name: str
) -> None:
    await handle(contact("k1", category="bygglov", department="samhallsbyggnad", answer_group="bygg-miljo"))
    await handle(contact("d1", organization="degerfors", priority="high"))
    await handle(
        contact(
            "d2",
            organization="degerfors",
            category="orosanmalan",
            department="social",
            answer_group="socialtjanst",
            priority="urgent",
            confidential=True,
        )
    )
    await handle(contact("h1", organization="karlskogahem", answer_group="hyresgastservice"))
    caller = CALLERS[name]
    headers = await headers_of(client, name, caller)
    if caller.role is None:
        assert (await client.get("/v1/cases", params={"order": "priority"})).status_code == 401
        return
    visible = {
        ref
        for ref, (organization, department, confidential) in QUEUED.items()
        if sees_case(caller, organization, department, confidential=confidential)
    }
    in_order = await refs(client, headers, order="priority")
    assert set(in_order) == visible == set(await refs(client, headers))
    assert len(in_order) == len(set(in_order))
