"""Debitering, the invoice basis, counted by hand: a tertial of Karlskogahem with two departments of
their own (fastighet, social), a department another hands off to (uthyrning), the answer group
hyresgastservice serving both fastighet and uthyrning, cases without a department, a recategorised
case, a merged duplicate, switchboard transfers, a synpunkt, and a price that changes in March.

The events arrive shuffled and twice: the answer must not move (docs/figures.md, *Debitering*).
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lotsen.contracts import calls, cases
from lotsen.contracts.envelope import Event
from lotsen.kafka.memory import InMemoryBus
from services.stats.handlers import make_batch_handler
from services.stats.repository import StatsRepository
from tests.stats_support import bearer, stats_app

ORG = "karlskogahem"
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 9, 0, tzinfo=UTC)  # 10:00 or 11:00 in Stockholm: the same day


def case_event(cls: type[Event[Any]], when: datetime, **data: Any) -> Event[Any]:
    return cls(producer="casestore", organization=ORG, occurred_at=when, data=data)  # type: ignore[call-arg]


def created(ref: str, when: datetime, department: str | None, *, handled_by: str = "first_line",
            category: str = "hyra") -> Event[Any]:  # fmt: skip
    return case_event(cases.CaseCreated, when, case_ref=ref, channel="email", received_at=when,
                      category=category, department=department, answer_group=None,
                      handled_by=handled_by, rosa_level=2)  # fmt: skip


def resolved(ref: str, when: datetime, *, first_line: bool = True) -> Event[Any]:
    later = when + timedelta(hours=2)
    return case_event(cases.CaseResolved, later, case_ref=ref, resolved_at=later,
                      resolved_by_first_line=first_line, resolution_code="besvarat")  # fmt: skip


def handed_off(ref: str, when: datetime, department: str) -> Event[Any]:
    later = when + timedelta(hours=1)
    return case_event(cases.CaseHandedOff, later, case_ref=ref, department=department, reason="beslut",
                      due_at=later + timedelta(days=5), handed_off_by="agent")  # fmt: skip


def call(cls: type[Event[Any]], call_id: str, when: datetime, **data: Any) -> Event[Any]:
    return cls(producer="intake", organization=ORG, data={"call_id": call_id, "at": when, **data})  # type: ignore[call-arg]


def events() -> list[Event[Any]]:
    a8 = at(3, 10)
    made = [
        # fastighet: first-line work in January, February and March (the price changes 1 March).
        created("K1", at(1, 15), "fastighet"), resolved("K1", at(1, 15)),
        created("K2", at(2, 10), "fastighet"), resolved("K2", at(2, 10)),
        created("K3", at(3, 5), "fastighet"), resolved("K3", at(3, 5)),
        # Handed off from fastighet to uthyrning: uthyrning's errand.
        created("K4", at(3, 6), "fastighet"), handed_off("K4", at(3, 6), "uthyrning"),
        # Routed straight to social (ROSA 5): handed off without anyone pressing the button.
        created("K5", at(3, 7), "social", handled_by="department"),
        # Still open at fastighet: pending.
        created("K6", at(3, 8), "fastighet"),
        # A synpunkt about social, answered at first line.
        created("K7", at(3, 9), "social", category="synpunkt"), resolved("K7", at(3, 9)),
        # Classified as fastighet, corrected to social, then resolved at first line: social's.
        created("K8", a8, "fastighet"),
        case_event(cases.CaseRecategorised, a8 + timedelta(minutes=30), case_ref="K8", category="bostadsko",
                   department="social", answer_group="socialtjanst", handled_by="first_line", rosa_level=2,
                   reason="fel kategori", recategorised_by="agent"),
        resolved("K8", a8),
        # A duplicate of K3, merged into it: a contact, but no errand of its own.
        created("K9", at(3, 11), "fastighet"),
        case_event(cases.CaseClosed, at(3, 12), case_ref="K9", merged_into="K3"),
        # No department (övriga ärenden): shown, charged to no one.
        created("K10", at(4, 2), None), resolved("K10", at(4, 2)),
        # May: outside T1.
        created("K11", at(5, 4), "fastighet"), resolved("K11", at(5, 4)),
        # Calls. hyresgastservice serves fastighet and uthyrning: a line of its own.
        call(calls.CallOffered, "C1", at(2, 3), answer_group="hyresgastservice"),
        call(calls.CallAnswered, "C1", at(2, 3) + timedelta(seconds=20), answer_group="hyresgastservice",
             wait_seconds=20.0),
        call(calls.CallOffered, "C2", at(3, 3), answer_group="hyresgastservice"),
        call(calls.CallAnswered, "C2", at(3, 3) + timedelta(seconds=5), answer_group="hyresgastservice",
             wait_seconds=5.0),
        call(calls.CallTransferred, "C2", at(3, 3) + timedelta(seconds=90), department="uthyrning",
             transferred_by="agent"),
        # socialtjanst serves social alone.
        call(calls.CallOffered, "C3", at(3, 3), answer_group="socialtjanst"),
        call(calls.CallAnswered, "C3", at(3, 3) + timedelta(seconds=30), answer_group="socialtjanst",
             wait_seconds=30.0),
        call(calls.CallOffered, "C4", at(3, 4), answer_group="socialtjanst"),
        call(calls.CallAbandoned, "C4", at(3, 4) + timedelta(seconds=40), answer_group="socialtjanst",
             wait_seconds=40.0),
        # The IVR put a caller through to a number: no department.
        call(calls.CallOffered, "C5", at(3, 4), ivr_choice="6", to="+4658667042"),
        call(calls.CallTransferred, "C5", at(3, 4) + timedelta(seconds=1), department=None,
             transferred_by="ivr"),
        # arabiska serves no department of its own.
        call(calls.CallOffered, "C6", at(3, 4), answer_group="arabiska"),
        call(calls.CallAnswered, "C6", at(3, 4) + timedelta(seconds=10), answer_group="arabiska",
             wait_seconds=10.0),
        # Put through by the switchboard without telephony events, to fastighet and to a department
        # the directory does not know.
        call(calls.CallTransferred, "C7", at(3, 5), department="fastighet", transferred_by="agent"),
        call(calls.CallTransferred, "C8", at(3, 5), department="felanmalan-jour", transferred_by="agent"),
    ]  # fmt: skip
    return made


PRICES = {
    "prices": [
        {"unit": "first_line", "valid_from": "2026-01-01", "price": "20.00"},
        {"unit": "first_line", "valid_from": "2026-03-01", "price": "25.50"},
        {"unit": "handed_off", "valid_from": "2026-01-01", "price": "10"},
        {"unit": "calls_answered", "valid_from": "2025-09-01", "price": "5.25"},
        {"unit": "calls_transferred", "valid_from": "2026-01-01", "price": 3},
    ]
}  # synpunkter: no price


@pytest.fixture
async def app(bus: InMemoryBus, dev_env: None) -> AsyncIterator[FastAPI]:
    async with stats_app(bus, now=NOW) as application:
        handler = make_batch_handler(stats=StatsRepository(application.state.runtime.db),
                                     settings=application.state.settings)  # fmt: skip
        made = events()
        random.Random(15).shuffle(made)
        await handler(made)
        await handler(list(reversed(made)))  # redelivered, in another order
        admin = bearer("admin", organizations=(ORG,))
        response = await application.state.client.put(f"/v1/stats/prices/{ORG}", json=PRICES, headers=admin)
        assert response.status_code == 200, response.text
        yield application


def units(line: dict[str, Any]) -> dict[str, tuple[int, str | None, str | None]]:
    """unit → (count, price, amount), units that counted something or carry an amount."""
    return {u["unit"]: (u["count"], u["price"], u["amount"]) for u in line["units"]}


async def invoice(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    response = await client.get("/v1/stats/invoice", params={"organization": ORG, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [o["organization"] for o in body["organizations"]] == [ORG]
    return body["organizations"][0]


async def test_a_tertial_is_counted_and_priced_by_hand(app: FastAPI) -> None:
    org = await invoice(app.state.client, period="2026-T1")
    lines = {(line["department"] or line["answer_group"]): line for line in org["lines"]}
    assert list(lines) == ["fastighet", "felanmalan-jour", "social", "uthyrning", "hyresgastservice", None]

    # first_line: January and February at 20.00, March at 25.50 → no single price, 65.50.
    assert units(lines["fastighet"]) == {
        "first_line": (3, None, "65.50"), "handed_off": (0, "10.00", "0.00"),
        "calls_answered": (0, "5.25", "0.00"), "calls_transferred": (1, "3.00", "3.00"),
        "synpunkter": (0, None, None),
    }  # fmt: skip
    first_line = next(u for u in lines["fastighet"]["units"] if u["unit"] == "first_line")
    assert first_line["months"] == [
        {"month": "2026-01", "count": 1, "price": "20.00", "amount": "20.00"},
        {"month": "2026-02", "count": 1, "price": "20.00", "amount": "20.00"},
        {"month": "2026-03", "count": 1, "price": "25.50", "amount": "25.50"},
    ]
    assert (lines["fastighet"]["amount"], lines["fastighet"]["pending"]) == ("68.50", 1)

    # K7 (synpunkt) and K8 (corrected from fastighet) at first line; K5 routed straight; C3.
    assert units(lines["social"]) == {
        "first_line": (2, None, "51.00"),  # both in March: 2 × 25.50
        "handed_off": (1, "10.00", "10.00"), "calls_answered": (1, "5.25", "5.25"),
        "calls_transferred": (0, "3.00", "0.00"), "synpunkter": (1, None, None),
    }  # fmt: skip
    assert (lines["social"]["amount"], lines["social"]["pending"]) == ("66.25", 0)

    assert units(lines["uthyrning"])["handed_off"] == (1, "10.00", "10.00")  # K4, handed off to it
    assert units(lines["uthyrning"])["calls_transferred"] == (1, "3.00", "3.00")  # C2
    assert lines["uthyrning"]["amount"] == "13.00"

    shared = lines["hyresgastservice"]
    assert (shared["departments"], shared["name"], shared["charged"]) == (
        ["fastighet", "uthyrning"], "Karlskogahems kundservice", True)  # fmt: skip
    assert units(shared)["calls_answered"] == (2, "5.25", "10.50")  # C1, C2
    assert shared["amount"] == "10.50"

    unknown = lines["felanmalan-jour"]
    assert (unknown["in_directory"], unknown["name"], unknown["amount"]) == (False, None, "3.00")  # C8

    nobody = lines[None]
    assert (nobody["charged"], nobody["amount"]) == (False, None)
    # K10; C6 answered in arabiska (no department); C5 put through to a number. C4 was abandoned.
    assert {u: c for u, (c, _, _) in units(nobody).items() if c} == {
        "first_line": 1, "calls_answered": 1, "calls_transferred": 1}  # fmt: skip
    assert all(amount is None for _, _, amount in units(nobody).values())

    # 68.50 + 3.00 + 66.25 + 13.00 + 10.50; the synpunkt has no price; K6 is pending. K9 (merged)
    # and K11 (May) count nowhere.
    assert (org["amount"], org["unpriced"], org["pending"]) == ("161.25", 1, 1)


async def test_a_month_is_priced_with_that_month_s_price_and_the_csv_says_the_same(app: FastAPI) -> None:
    february = await invoice(app.state.client, period="2026-02")
    lines = {(line["department"] or line["answer_group"]): line for line in february["lines"]}
    assert list(lines) == ["fastighet", "hyresgastservice"]
    assert units(lines["fastighet"])["first_line"] == (1, "20.00", "20.00")
    assert february["amount"] == "25.25"  # 20.00 + 5.25 (C1)

    response = await app.state.client.get(
        "/v1/stats/invoice", params={"period": "2026-T1", "organization": ORG, "format": "csv"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == ["period", "organization", "line", "department", "answer_group", "departments",
                             "unit", "month", "count", "price", "amount"]  # fmt: skip
    march = next(r for r in rows if r["department"] == "fastighet" and r["unit"] == "first_line"
                 and r["month"] == "2026-03")  # fmt: skip
    assert (march["count"], march["price"], march["amount"]) == ("1", "25.50", "25.50")
    shared = next(r for r in rows if r["line"] == "answer_group" and r["unit"] == "total")
    assert (shared["answer_group"], shared["departments"], shared["amount"]) == (
        "hyresgastservice", "fastighet uthyrning", "10.50")  # fmt: skip
    total = next(r for r in rows if r["line"] == "organization" and r["unit"] == "total")
    assert total["amount"] == "161.25"


async def test_prices_read_back_as_set_and_bad_prices_name_the_field(app: FastAPI) -> None:
    client: httpx.AsyncClient = app.state.client
    response = await client.get(f"/v1/stats/prices/{ORG}")
    assert response.status_code == 200
    first = response.json()["prices"]
    assert first[:2] == [
        {"unit": "first_line", "valid_from": "2026-01-01", "price": "20.00"},
        {"unit": "first_line", "valid_from": "2026-03-01", "price": "25.50"},
    ]
    admin = bearer("admin", organizations=(ORG,))
    bad = {
        "prices.0.price": {"unit": "first_line", "valid_from": "2026-01-01", "price": "12.345"},
        "prices.0.valid_from": {"unit": "first_line", "valid_from": "2026-01-15", "price": "12"},
        "prices.0.unit": {"unit": "per_minute", "valid_from": "2026-01-01", "price": "12"},
    }
    for field, entry in bad.items():
        response = await client.put(f"/v1/stats/prices/{ORG}", json={"prices": [entry]}, headers=admin)
        assert response.status_code == 422, response.text
        assert field in response.json()["error"]["message"]
    twice = {"prices": [{"unit": "synpunkter", "valid_from": "2026-01-01", "price": "1"}] * 2}
    response = await client.put(f"/v1/stats/prices/{ORG}", json=twice, headers=admin)
    assert response.status_code == 422 and "prices.1" in response.json()["error"]["message"]
    response = await client.get("/v1/stats/invoice", params={"period": "2026-T4"})
    assert response.status_code == 422 and "2026-T4" in response.json()["error"]["message"]
    assert (await client.get(f"/v1/stats/prices/{ORG}")).json()["prices"] == first  # nothing was stored


async def test_the_tertial_report_carries_the_same_invoice_basis(app: FastAPI) -> None:
    client: httpx.AsyncClient = app.state.client
    params = {"period": "2026-T1", "organization": ORG}
    report = (await client.get("/v1/stats/report", params=params)).json()
    assert report["organizations"][0]["invoice"] == await invoice(client, period="2026-T1")
    text = (await client.get("/v1/stats/report", params={**params, "format": "csv"})).text
    rows = {tuple(row) for row in csv.reader(io.StringIO(text))}
    assert (ORG, "fastighet", "invoice", "first_line", "amount", "65.50") in rows
    assert (ORG, "social", "invoice", "synpunkter", "count", "1") in rows
    assert (ORG, "answer_group:hyresgastservice", "invoice", "calls_answered", "amount", "10.50") in rows
    assert (ORG, "", "invoice", "calls_answered", "count", "1") in rows  # no department: arabiska
    assert (ORG, "", "invoice", "", "amount", "161.25") in rows
