"""Case search (`GET /v1/cases?q=`): every word of the case's text, whole, by its Swedish stem or for
the last word by its start, ranked by where the words were found, each case with the excerpt they
were found in; older cases are re-indexed at start-up and erased ones lose their words."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.casestore import case_filters, search, search_results
from services.casestore.repository import CaseQuery
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]

FIRST, SECOND, THIRD = "KGA-2026-000001", "KGA-2026-000002", "KGA-2026-000003"
DRAWING = {"name": "ritning-uterum.pdf", "content_type": "application/pdf", "size": 3, "sha256": "a" * 64}


async def search_page(client: httpx.AsyncClient, text: str, user: str = "agent", **params: Any) -> Any:
    page = await client.get("/v1/cases", params={"q": text, **params}, headers=await login(client, user))
    assert page.status_code == 200, page.text
    return page.json()


async def found(client: httpx.AsyncClient, text: str, user: str = "agent") -> list[str]:
    return [c["ref"] for c in (await search_page(client, text, user))["items"]]


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


async def write(client: httpx.AsyncClient, ref: str, kind: str, text: str, user: str = "agent") -> None:
    response = await client.post(
        f"/v1/cases/{ref}/messages", json={"kind": kind, "text": text}, headers=await login(client, user)
    )
    assert response.status_code == 200, response.text


def test_a_case_keeps_its_words_and_their_stems_tier_by_tier() -> None:
    case = {
        "_id": "KGA-2026-000001",
        "subject": "Snöröjning",
        "citizen": {"name": "Åsa Öberg", "email": "asa.oberg@example.se"},
        "messages": [
            {"direction": "inbound", "subject": "Snöröjning", "text": "Gatan är inte plogad!"},
            {"direction": "outbound", "text": "Vi plogar i dag.", "automatic": False},
            {"direction": "outbound", "text": "Vi har tagit emot ditt ärende.", "automatic": True},
            {"direction": "internal", "text": "Ringde entreprenören"},
        ],
    }
    index = search.index(case)
    terms, ends = index["search_terms"], index["search_tier_ends"]
    citizen, replies, notes = terms[: ends[0]], terms[ends[0] : ends[1]], terms[ends[1] : ends[2]]
    words = "snöröjning gatan är inte int plogad plog åsa öberg asa oberg example exampl se kga 2026 000001"
    assert citizen == sorted(words.split())
    assert replies == ["dag", "i", "plogar", "vi"]  # "plog" is the citizen's already; no acknowledgement
    assert notes == ["entreprenör", "entreprenören", "ring", "ringde"]
    assert index["search_version"] == search.VERSION


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("altan", [FIRST]),  # a word, and the start of "altanen"
        ("alta", [FIRST]),  # typed so far
        ("altanerna", [FIRST]),  # another form of the same word: the stem "altan"
        ("bygglov altan", [FIRST]),
        ("BYGGLOV   för, altan!", [FIRST]),
        ("bygg altan", [FIRST]),  # "bygg" is the stem of "bygga"
        ("byggl altan", []),  # only the last word may be the start of a word
        ("ltan", []),  # nor the middle of one
        ("åsa", [FIRST]),
        ("asa", [SECOND, FIRST]),  # the e-mail's "asa" and the start of "asad"
        ("asa.lindqvist@example.se", [FIRST]),
        ("KGA-2026-000002", [SECOND]),
        ("kga 2026 00000", [SECOND, FIRST]),
        ("plogad snöröjning", [SECOND]),
        ("altan snöröjning", []),  # every word must be found in the same case
    ],
)
async def test_search_finds_cases_by_whole_words_stems_and_the_start_of_the_last(
    client: httpx.AsyncClient, handle: Any, text: str, refs: list[str]
) -> None:
    await two_cases(handle)
    assert await found(client, text) == refs


async def test_a_query_of_only_punctuation_filters_nothing(client: httpx.AsyncClient, handle: Any) -> None:
    await two_cases(handle)
    page = await search_page(client, " ?! ")
    assert [c["ref"] for c in page["items"]] == [SECOND, FIRST]
    assert [c["match"] for c in page["items"]] == [None, None]


async def test_replies_later_messages_notes_and_attachment_names_are_searched(
    client: httpx.AsyncClient, handle: Any
) -> None:
    await two_cases(handle)
    await write(client, FIRST, "reply", "Hej! En altan under 1,8 meter kräver inget bygglov.")
    await write(client, FIRST, "note", "Ringde grannen om plank", user="supervisor")
    await handle(
        routed(
            "later",
            subject=f"Sv: Bygglov för altanen [{FIRST}]",
            text="Tack! Gäller det staket också?",
            sender={"email": "asa.lindqvist@example.se"},
            thread={"case_ref": FIRST},
            attachments=[DRAWING],
        )
    )
    for word in ("meter", "kräver", "staket", "uterum", "ritning"):
        assert await found(client, word) == [FIRST], word
    assert await found(client, "grannen plank", user="supervisor") == [FIRST]
    assert await found(client, "grannen plank", user="agent") == [FIRST]  # staff read notes
    assert await found(client, "tagit emot") == []  # the acknowledgement is every case's


async def test_cases_rank_by_where_the_words_are_then_newest_first(
    client: httpx.AsyncClient, handle: Any
) -> None:
    for n, subject in enumerate(("Fråga om bygglov", "Trädfällning", "Parkering", "Altan mot gatan")):
        at = datetime(2026, 3, 2, 8 + n, tzinfo=UTC)
        await handle(routed(f"c{n}", subject=subject, text="Hej!", received_at=at))
    await write(client, FIRST, "note", "Grannen har byggt en altan")  # a note: weight 1
    await write(client, SECOND, "reply", "Er altan behöver inget bygglov")  # a reply: weight 2
    # The fourth, newest, has "altan" in its subject (3); the third has it nowhere.
    page = await search_page(client, "altan")
    assert [(c["ref"], c["match"]["field"], c["match"]["score"]) for c in page["items"]] == [
        ("KGA-2026-000004", "subject", 3),
        (SECOND, "reply", 2),
        (FIRST, "note", 1),
    ]
    await write(client, "KGA-2026-000004", "note", "Altan, se ritning")
    await write(client, THIRD, "reply", "Altanen och gatan")  # two words in a reply: 2 + 2
    ranked = await found(client, "altan gatan")
    assert ranked == ["KGA-2026-000004", THIRD]  # "altan gatan": 3+3 before 2+2


async def test_pages_follow_the_ranking(client: httpx.AsyncClient, handle: Any) -> None:
    for n in range(3):
        await handle(routed(f"c{n}", subject="Fråga", text="Hej!"))
    await write(client, SECOND, "reply", "Om altanen")
    await write(client, FIRST, "note", "altan")
    seen, cursor = [], None
    for _ in range(4):
        page = await search_page(client, "altan", limit=1, **({"cursor": cursor} if cursor else {}))
        seen += [c["ref"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [SECOND, FIRST]
    bad = await client.get(
        "/v1/cases", params={"q": "altan", "cursor": search_results.encode_rank(-1)},
        headers=await login(client, "agent"),
    )  # fmt: skip
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_cursor"


async def test_the_match_shows_an_excerpt_around_the_words_as_plain_text(
    client: httpx.AsyncClient, handle: Any
) -> None:
    long = "Jag undrar över <b>reglerna</b> för det här. " * 6 + "Vi vill bygga en ALTAN mot söder. "
    long += "Mvh " * 40
    await handle(routed("long", subject="Fråga", text=long))
    match = (await search_page(client, "altan söder"))["items"][0]["match"]
    snippet = match["snippet"]
    assert match["field"] == "message"
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) <= search_results.SNIPPET_CHARS + 2
    assert [snippet[start:end] for start, end in match["highlights"]] == ["ALTAN", "söder"]
    assert "<b>reglerna</b>" in snippet  # the citizen's text as text; the web app never reads it as HTML


async def test_a_confidential_case_shows_where_but_not_its_messages_text(
    client: httpx.AsyncClient, handle: Any
) -> None:
    await handle(
        routed(
            "secret",
            category="forsorjningsstod",
            department="social",
            confidential=True,
            handled_by="department",
            subject="Ansökan",
            text="Jag behöver hjälp med hyran i mars",
        )
    )
    match = (await search_page(client, "hyran", user="supervisor"))["items"][0]["match"]
    assert match == {"field": "message", "snippet": None, "highlights": [], "score": 3}
    match = (await search_page(client, "ansökan", user="supervisor"))["items"][0]["match"]
    assert match["snippet"] == "Ansökan"
    assert await found(client, "hyran", user="agent") == []  # agents never see a confidential case


async def test_an_erased_case_loses_its_words(client: httpx.AsyncClient, handle: Any) -> None:
    await two_cases(handle)
    await write(client, FIRST, "note", "Ringde Åsa om altanen")
    erased = await client.post(
        "/v1/privacy/erasure",
        json={"email": "asa.lindqvist@example.se", "reason": "begäran"},
        headers=await login(client, "supervisor"),
    )
    assert erased.status_code == 200, erased.text
    for word in ("altan", "åsa", "lindqvist", "ringde", "raderat"):
        assert await found(client, word) == [], word
    assert await found(client, FIRST) == [FIRST]  # by its reference only


async def test_cases_indexed_by_older_rules_are_reindexed_at_start_up(
    client: httpx.AsyncClient, handle: Any, app: FastAPI
) -> None:
    await two_cases(handle)
    await write(client, FIRST, "reply", "Om staketet")
    cases = app.state.runtime.db["cases"]
    unset = {"search_terms": "", "search_version": "", "search_tier_ends": ""}
    await cases.update_many({}, {"$unset": unset})
    await cases.update_one({"_id": SECOND}, {"$set": {"search_terms": ["snöröjning"], "search_version": 1}})
    assert await found(client, "staket") == []

    assert await search.backfill(app.state.cases.repo) == 2
    assert await found(client, "staket") == [FIRST]
    assert await found(client, "plogad") == [SECOND]
    assert await search.backfill(app.state.cases.repo) == 0


async def test_a_merged_case_is_found_by_the_words_of_both(client: httpx.AsyncClient, handle: Any) -> None:
    await two_cases(handle)
    agent = await login(client, "agent")
    merged = await client.post(f"/v1/cases/{SECOND}/merge", json={"into": FIRST}, headers=agent)
    assert merged.status_code == 200, merged.text
    assert await found(client, "plogad altan") == [FIRST]


def test_the_list_filter_keeps_equalities_where_an_index_look_up_sees_them() -> None:
    query = CaseQuery(
        status="open",
        assignee="agent07",
        text="bygglovet alt",
        organizations_in=("karlskoga",),
        departments_in=("samhallsbyggnad", "skola"),
        include_confidential=False,
    )
    assert case_filters.of(query) == {
        "status": "open",
        "assignee": "agent07",
        "search_terms": {"$in": ["bygglov", "bygglovet"]},
        "organization": "karlskoga",
        "department": {"$in": ["samhallsbyggnad", "skola"]},
        "confidential": False,
        "$and": [{"search_terms": {"$regex": "^alt"}}],
    }
    last = case_filters.of(CaseQuery(text="altanerna"))
    either = [{"search_terms": "altan"}, {"search_terms": {"$regex": "^altanerna"}}]
    assert last == {"$and": [{"$or": either}]}
