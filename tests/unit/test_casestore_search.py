"""Case search (`GET /v1/cases?q=`): whole words, the last one also as the start of a word, from the
case's ``search_terms``; cases stored before those existed get them at start-up."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.casestore import case_filters, search
from services.casestore.repository import CaseQuery
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]


async def found(client: httpx.AsyncClient, text: str) -> list[str]:
    page = await client.get("/v1/cases", params={"q": text}, headers=await login(client, "agent"))
    assert page.status_code == 200, page.text
    return [c["ref"] for c in page.json()["items"]]


async def two_cases(handle: Any) -> None:
    await handle(
        routed(
            "altan",
            subject="Bygglov för altanen",
            text="Får jag bygga en altan på 25 kvm utan bygglov?",
            sender={"name": "Åsa Lindqvist", "email": "asa.lindqvist@example.se"},
        )
    )
    await handle(
        routed(
            "snow",
            subject="Snöröjning",
            text="Gatan är inte plogad.",
            sender={"name": "Asad Karim", "email": "asad@example.se"},
            received_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        )
    )


def test_the_words_of_a_case_are_lower_case_with_swedish_letters_kept() -> None:
    text = search.text_of("KGA-2026-000001", "Snöröjning", "Åsa Öberg", "asa.oberg@example.se", "Hej!")
    assert search.terms(text) == [
        "kga", "2026", "000001", "snöröjning", "åsa", "öberg", "asa", "oberg", "example", "se", "hej",
    ]  # fmt: skip


def test_only_the_first_part_of_a_long_message_is_searched() -> None:
    text = search.text_of("KGA-2026-000001", None, None, None, "ord " * 1000 + "slutet")
    assert "slutet" not in search.terms(text)


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("altan", ["KGA-2026-000001"]),  # a word, and the start of "altanen"
        ("alta", ["KGA-2026-000001"]),  # typed so far
        ("bygglov altan", ["KGA-2026-000001"]),
        ("BYGGLOV   för, altan!", ["KGA-2026-000001"]),
        ("bygg altan", []),  # only the last word may be the start of a word
        ("ltan", []),  # nor the middle of one
        ("åsa", ["KGA-2026-000001"]),
        ("asa", ["KGA-2026-000002", "KGA-2026-000001"]),  # the e-mail's "asa" and the start of "asad"
        ("asa.lindqvist@example.se", ["KGA-2026-000001"]),
        ("KGA-2026-000002", ["KGA-2026-000002"]),
        ("kga 2026 00000", ["KGA-2026-000002", "KGA-2026-000001"]),
        ("plogad snöröjning", ["KGA-2026-000002"]),
        ("altan snöröjning", []),  # every word must be found in the same case
    ],
)
async def test_search_finds_cases_by_whole_words_and_the_start_of_the_last(
    client: httpx.AsyncClient, handle: Any, text: str, refs: list[str]
) -> None:
    await two_cases(handle)
    assert await found(client, text) == refs


async def test_a_query_of_only_punctuation_filters_nothing(client: httpx.AsyncClient, handle: Any) -> None:
    await two_cases(handle)
    assert await found(client, " ?! ") == ["KGA-2026-000002", "KGA-2026-000001"]


async def test_cases_stored_before_search_terms_are_found_after_start_up(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    await two_cases(handle)
    cases = app.state.runtime.db["cases"]
    await cases.update_many({}, {"$unset": {"search_terms": ""}})
    assert await found(client, "altan") == []

    assert await search.backfill(app.state.cases.repo) == 2
    assert await found(client, "altan") == ["KGA-2026-000001"]
    assert await found(client, "asad") == ["KGA-2026-000002"]
    assert await search.backfill(app.state.cases.repo) == 0


async def test_a_merged_case_is_found_by_the_words_of_both(client: httpx.AsyncClient, handle: Any) -> None:
    await two_cases(handle)
    agent = await login(client, "agent")
    merged = await client.post(
        "/v1/cases/KGA-2026-000002/merge", json={"into": "KGA-2026-000001"}, headers=agent
    )
    assert merged.status_code == 200, merged.text
    assert await found(client, "plogad altan") == ["KGA-2026-000001"]


def test_the_list_filter_keeps_equalities_where_an_index_look_up_sees_them() -> None:
    query = CaseQuery(
        status="open",
        assignee="agent07",
        text="bygglov alt",
        organizations_in=("karlskoga",),
        departments_in=("samhallsbyggnad", "skola"),
        include_confidential=False,
    )
    assert case_filters.of(query) == {
        "status": "open",
        "assignee": "agent07",
        "search_terms": "bygglov",
        "organization": "karlskoga",
        "department": {"$in": ["samhallsbyggnad", "skola"]},
        "confidential": False,
        "$and": [{"search_terms": {"$regex": "^alt"}}],
    }
