"""Public records: diary numbers per organisation and year without gaps, idempotent registration,
the masking of a confidential registration, and the export's columns."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.contracts.envelope import encode_event
from lotsen.kafka.memory import InMemoryBus
from services.casestore.records.api import CSV_COLUMNS
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]

FIRST = "KGA-2026-000001"


def registered(bus: InMemoryBus) -> list[Any]:
    return [e for e in bus.published(topics.CASES_EVENTS) if e.type == "case.registered"]


async def first_message(client: httpx.AsyncClient, ref: str, headers: dict[str, str]) -> str:
    case = (await client.get(f"/v1/cases/{ref}", headers=headers)).json()
    return str(case["messages"][0]["key"])


async def test_a_message_gets_the_next_number_of_its_series_once(
    client: httpx.AsyncClient, handle: Any, bus: InMemoryBus
) -> None:
    await handle(
        routed("c-1", subject="Bygglov altan", sender={"name": "Erik Nilsson", "email": "erik@example.se"})
    )
    await handle(routed("c-2", organization="degerfors"))
    agent = await login(client, "agent")
    key = await first_message(client, FIRST, agent)

    first = await client.post(f"/v1/cases/{FIRST}/register", json={"message_id": key}, headers=agent)
    again = await client.post(f"/v1/cases/{FIRST}/register", json={"message_id": key}, headers=agent)
    whole = await client.post(f"/v1/cases/{FIRST}/register", headers=agent)
    other = await client.post("/v1/cases/DEG-2026-000001/register", headers=agent)

    assert (first.status_code, again.status_code, whole.status_code, other.status_code) == (
        201,
        200,
        201,
        201,
    )
    entry = first.json()
    assert again.json() == entry
    assert (entry["diary_number"], whole.json()["diary_number"]) == ("KGA 2026/000001", "KGA 2026/000002")
    assert other.json()["diary_number"] == "DEG 2026/000001"
    assert (entry["kind"], entry["direction"], entry["subject"], entry["osl"]) == (
        "message",
        "incoming",
        "Bygglov altan",
        None,
    )
    assert entry["parties"][0] == {"role": "sender", "name": "Erik Nilsson", "address": "erik@example.se"}
    assert entry["parties"][1]["role"] == "recipient"
    timeline = (await client.get(f"/v1/cases/{FIRST}/timeline", headers=agent)).json()
    assert [e["data"]["diary_number"] for e in timeline if e["type"] == "registered"] == [
        "KGA 2026/000001",
        "KGA 2026/000002",
    ]
    assert [e.data.diary_number for e in registered(bus)] == [
        "KGA 2026/000001",
        "KGA 2026/000002",
        "DEG 2026/000001",
    ]
    listed = (await client.get(f"/v1/cases/{FIRST}/registrations", headers=agent)).json()
    assert [r["diary_number"] for r in listed] == ["KGA 2026/000001", "KGA 2026/000002"]


async def test_concurrent_registrations_take_every_number_once(
    client: httpx.AsyncClient, handle: Any
) -> None:
    for n in range(8):
        await handle(routed(f"c-{n}"))
    agent = await login(client, "agent")
    refs = [f"KGA-2026-{n:06d}" for n in range(1, 9)]
    # Each case asked for three times at once: eight numbers, one per case, none skipped.
    answers = await asyncio.gather(
        *(client.post(f"/v1/cases/{ref}/register", headers=agent) for ref in refs for _ in range(3))
    )
    assert sorted(a.status_code for a in answers) == [200] * 16 + [201] * 8
    numbers = {a.json()["case_ref"]: a.json()["diary_number"] for a in answers}
    assert sorted(numbers.values()) == [f"KGA 2026/{n:06d}" for n in range(1, 9)]
    assert all(
        len({a.json()["diary_number"] for a in answers if a.json()["case_ref"] == r}) == 1 for r in refs
    )


async def test_the_series_follows_the_swedish_new_year(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    for n in range(3):
        await handle(routed(f"c-{n}"))
    agent = await login(client, "agent")
    cases = app.state.cases
    cases.clock = lambda: datetime(2026, 12, 31, 22, 30, tzinfo=UTC)  # 23:30 in Sweden
    old_year = await client.post(f"/v1/cases/{FIRST}/register", headers=agent)
    cases.clock = lambda: datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on New Year's Day
    new_year = await client.post("/v1/cases/KGA-2026-000002/register", headers=agent)
    next_one = await client.post("/v1/cases/KGA-2026-000003/register", headers=agent)
    assert [r.json()["diary_number"] for r in (old_year, new_year, next_one)] == [
        "KGA 2026/000001",
        "KGA 2027/000001",
        "KGA 2027/000002",
    ]


async def test_a_confidential_registration_shows_no_personal_data_outside_the_case(
    client: httpx.AsyncClient, handle: Any, bus: InMemoryBus
) -> None:
    await handle(
        routed(
            "c-secret",
            category="forsorjningsstod",
            department="social",
            confidential=True,
            handled_by="department",
            subject="Ekonomiskt bistånd för Erik",
            sender={"name": "Erik Nilsson", "email": "erik@example.se"},
        )
    )
    supervisor = await login(client, "supervisor")
    unmarked = await client.post(f"/v1/cases/{FIRST}/register", headers=supervisor)
    assert (unmarked.status_code, unmarked.json()["error"]["code"]) == (422, "secrecy_required")
    bad = await client.post(
        f"/v1/cases/{FIRST}/register", json={"secrecy": {"osl": "paragraf 7"}}, headers=supervisor
    )
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_secrecy")

    done = await client.post(
        f"/v1/cases/{FIRST}/register", json={"secrecy": {"osl": "26 kap 1 §"}}, headers=supervisor
    )
    assert done.status_code == 201
    assert (done.json()["subject"], done.json()["osl"], done.json()["masked"]) == (
        "Ekonomiskt bistånd för Erik",
        "26 kap. 1 § OSL",
        False,
    )
    again = await client.post(f"/v1/cases/{FIRST}/register", headers=supervisor)  # no marking this time
    assert (again.status_code, again.json()["diary_number"]) == (200, done.json()["diary_number"])
    [event] = registered(bus)
    published = encode_event(event).decode()
    assert "Erik" not in published and "erik@example.se" not in published
    assert (event.data.subject, event.data.confidential, event.data.osl) == (
        "[sekretess]",
        True,
        "26 kap. 1 § OSL",
    )
    assert {(p.role, p.name, p.address) for p in event.data.parties} == {
        ("sender", "[sekretess]", None),
        ("recipient", "[sekretess]", None),
    }

    period = {"from": "2026-01-01", "to": "2026-12-31"}
    for_supervisor = (await client.get("/v1/registry", params=period, headers=supervisor)).json()["items"]
    admin = await login(client, "admin")
    for_admin = await client.get("/v1/registry", params={**period, "format": "csv"}, headers=admin)
    assert [(r["subject"], r["masked"]) for r in for_supervisor] == [("Ekonomiskt bistånd för Erik", False)]
    assert "Erik" not in for_admin.text and "[sekretess]" in for_admin.text


async def test_the_csv_export_has_the_documented_columns(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    await handle(
        routed("c-1", subject='=HYPERLINK("x")', sender={"name": "Anna Berg", "email": "anna@example.se"})
    )
    agent = await login(client, "agent")
    app.state.cases.clock = lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    await client.post(f"/v1/cases/{FIRST}/register", headers=agent)
    supervisor = await login(client, "supervisor")
    response = await client.get(
        "/v1/registry",
        params={"organization": "karlskoga", "from": "2026-03-01", "to": "2026-03-31", "format": "csv"},
        headers=supervisor,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        'attachment; filename="lotsen-diarium-karlskoga-2026-03-01--2026-03-31.csv"'
    )
    header, row = list(csv.reader(io.StringIO(response.text)))
    assert tuple(header) == CSV_COLUMNS
    cells = dict(zip(header, row, strict=True))
    assert cells["diary_number"] == "KGA 2026/000001"
    assert (cells["registered_date"], cells["registered_at"]) == ("2026-03-02", "2026-03-02T09:00:00Z")
    assert cells["subject"] == '\'=HYPERLINK("x")'  # a spreadsheet shows it, never runs it
    assert cells["senders"] == "Anna Berg <anna@example.se>"
    assert (cells["confidential"], cells["osl"], cells["kind"], cells["direction"]) == (
        "false",
        "",
        "case",
        "incoming",
    )
    outside = await client.get(
        "/v1/registry", params={"from": "2026-04-01", "to": "2026-04-30"}, headers=supervisor
    )
    assert outside.json()["items"] == []


async def test_bad_requests_say_what_is_wrong(client: httpx.AsyncClient, handle: Any) -> None:
    await handle(routed("c-1"))
    agent = await login(client, "agent")
    supervisor = await login(client, "supervisor")
    unknown = await client.post(f"/v1/cases/{FIRST}/register", json={"message_id": "nope"}, headers=agent)
    too_long = await client.post(f"/v1/cases/{FIRST}/register", json={"subject": "x" * 301}, headers=agent)
    backwards = await client.get(
        "/v1/registry", params={"from": "2026-05-01", "to": "2026-04-01"}, headers=supervisor
    )
    assert [r.status_code for r in (unknown, too_long, backwards)] == [404, 422, 422]
    assert backwards.json()["error"]["code"] == "invalid_range"
