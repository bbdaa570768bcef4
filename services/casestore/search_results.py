"""The pages of ``GET /v1/cases?q=``: cases ranked by where the words were found, each with the
excerpt they were found in (docs/cases.md, "Queues and search").

Ranking, among the newest :data:`WINDOW` cases the query finds (within the caller's scope and the
other filters):

1. the score: for every word of the query, the weight of the best tier it was found in: 3 for the
   citizen's text (subject, their messages, their name and address, the reference), 2 for our
   replies and attachment names, 1 for internal notes;
2. the number of tiers the words were found in, over all words (found in the subject and a note
   ranks above found in the subject only);
3. newest first, as the queue.

Pages of the ranking are numbered by their place in it; past the window, the remaining cases the
query finds follow newest first (a cursor of the list's order). Ranking reads each case's terms
and where its tiers end, not its text; only the page's cases are read whole, for their excerpts.

The excerpt (``match``) comes from the field holding the most of the query's words, the best tier
first: about :data:`SNIPPET_CHARS` characters around the first match, plain text, and the matched
words as ``[start, end)`` character offsets (Unicode code points), for a client to mark without
reading the text as markup. A confidential case's excerpt names the field but shows text only from
the subject, which the queue shows anyway: its messages are read where each read is logged.
"""

from __future__ import annotations

import base64
import json
from bisect import bisect_left
from typing import Any

from services.casestore import cursors, search
from services.casestore.repository import CaseQuery, CaseRepository, Document

WINDOW = 500
WEIGHTS = (3, 2, 1)  # by tier: search.TIERS
SNIPPET_CHARS = 160
BEFORE = 50  # characters shown before the first match


def rank(case: Document, query: search.Query) -> tuple[int, int]:
    """``(score, tiers)`` of a case for ``query``, from its ``search_terms`` and ``search_tier_ends``."""
    terms: list[str] = case.get("search_terms") or []
    ends: list[int] = case.get("search_tier_ends") or []
    bounds = list(zip([0, *ends[:-1]], ends, strict=True))
    score = tiers = 0
    for position in range(len(query.all)):
        if bounds:
            found = [tier for tier, (lo, hi) in enumerate(bounds) if _found(terms, lo, hi, query, position)]
        else:  # indexed before tiers existed (until start-up re-indexes it): one unsorted tier
            found = [len(WEIGHTS) - 1] if any(query.matches(term, position) for term in terms) else []
        if found:
            score += WEIGHTS[min(min(found), len(WEIGHTS) - 1)]
            tiers += len(found)
    return score, tiers


def _found(terms: list[str], lo: int, hi: int, query: search.Query, position: int) -> bool:
    """Whether the sorted ``terms[lo:hi]`` hold a term the index matched the query word by."""
    if position < len(query.whole):
        return any(_holds(terms, lo, hi, form) for form in search.forms(query.whole[position]))
    if _holds(terms, lo, hi, search.stem(query.last)):
        return True
    at = bisect_left(terms, query.last, lo, hi)
    return at < hi and terms[at].startswith(query.last)


def _holds(terms: list[str], lo: int, hi: int, term: str) -> bool:
    at = bisect_left(terms, term, lo, hi)
    return at < hi and terms[at] == term


async def page(
    repo: CaseRepository, query: CaseQuery, *, limit: int, cursor: str | None
) -> tuple[list[Document], str | None]:
    """A page of the search ``query.text``, ranked, each case with its ``match``."""
    parsed = search.parse(query.text)
    assert parsed is not None, "a search has words"
    offset = rank_offset(cursor)
    if cursor and offset is None:  # past the ranked window: the list's order, newest first
        listed, next_cursor = await repo.list(query, limit=limit, cursor=cursor)
        return await with_matches(repo, listed, query.text or ""), next_cursor
    found, next_cursor = await _ranked(repo, query, parsed, limit=limit, offset=offset or 0)
    known: dict[str, frozenset[int]] = {}
    return [{**case, "match": match_of(case, parsed, known)} for case in found], next_cursor


async def with_matches(repo: CaseRepository, listed: list[Document], text: str) -> list[Document]:
    """``listed`` (a page in one of the list's own orders) read with their text, each with its
    ``match`` for the search ``text``; no score, as the page is not ranked."""
    parsed = search.parse(text)
    assert parsed is not None, "a search has words"
    known: dict[str, frozenset[int]] = {}
    found = await repo.search.read([case["_id"] for case in listed])
    return [{**case, "match": match_of(case, parsed, known)} for case in found]


def encode_rank(offset: int) -> str:
    """The cursor of a ranked page: its place in the ranking."""
    return base64.urlsafe_b64encode(json.dumps({"s": offset}).encode()).decode().rstrip("=")


def rank_offset(cursor: str | None) -> int | None:
    """The place in the ranking a ranked page's cursor names; ``None`` for no cursor or one of the
    list's orders (which the list checks)."""
    if not cursor:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        return None  # the list refuses it
    offset = data.get("s") if isinstance(data, dict) else None
    if offset is None:
        return None
    if type(offset) is not int or not 0 <= offset <= WINDOW:
        raise cursors.InvalidCursor("the cursor is not one this API gave out")
    return offset


async def _ranked(
    repo: CaseRepository, query: CaseQuery, parsed: search.Query, *, limit: int, offset: int
) -> tuple[list[Document], str | None]:
    window = await repo.search.window(query, WINDOW)
    scored = [(rank(case, parsed), case) for case in window]
    scored.sort(key=lambda item: item[0], reverse=True)  # stable: equal ranks stay newest first
    chosen = scored[offset : offset + limit]
    found = await repo.search.read([case["_id"] for _, case in chosen])
    scores = {case["_id"]: score for (score, _), case in chosen}
    found = [{**case, "score": scores[case["_id"]]} for case in found]
    if offset + limit < len(scored):
        return found, encode_rank(offset + limit)
    if len(window) == WINDOW:  # more cases than ranked: the rest follow the oldest of the window
        return found, cursors.encode(window[-1])
    return found, None


def match_of(case: Document, query: search.Query, known: dict[str, frozenset[int]] | None = None) -> Any:
    """Where in ``case`` the query's words are: the field, an excerpt and the words' places in it.
    ``known`` remembers, across the cases of a page, which query words a word of the text matches."""
    known = {} if known is None else known
    best: tuple[int, search.Field, str, list[tuple[int, int]]] | None = None
    for field in search.fields_of(case):
        text = " ".join(field.text.split())
        spans, positions = _spans(text, query, known)
        if spans and (best is None or len(positions) > best[0]):
            best = (len(positions), field, text, spans)
    if best is None:
        return None
    _, field, text, spans = best
    found: dict[str, Any] = {"field": field.name, "score": case.get("score")}
    if case.get("confidential") and field.name != "subject":
        return found | {"snippet": None, "highlights": []}
    snippet, highlights = excerpt(text, spans)
    return found | {"snippet": snippet, "highlights": highlights}


def _spans(
    text: str, query: search.Query, known: dict[str, frozenset[int]]
) -> tuple[list[tuple[int, int]], set[int]]:
    spans: list[tuple[int, int]] = []
    positions: set[int] = set()
    for word in search.WORD.finditer(text):
        lowered = word.group().lower()
        matched = known.get(lowered)
        if matched is None:
            matched = known[lowered] = frozenset(
                p for p in range(len(query.all)) if query.matches(lowered, p)
            )
        if matched:
            spans.append(word.span())
            positions |= matched
    return spans, positions


def excerpt(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[list[int]]]:
    """About :data:`SNIPPET_CHARS` characters of ``text`` from a little before the first of
    ``spans``, cut at spaces, with ``…`` where text was left out; and the spans within it."""
    first_start, first_end = spans[0]
    start = max(0, first_start - BEFORE)
    if start > 0:
        space = text.find(" ", start, first_start)
        start = space + 1 if space != -1 else start
    end = min(len(text), max(start + SNIPPET_CHARS, first_end))
    if end < len(text):
        space = text.rfind(" ", first_end, end)
        end = space if space != -1 else end
    lead = "…" if start > 0 else ""
    snippet = lead + text[start:end] + ("…" if end < len(text) else "")
    shift = len(lead) - start
    highlights = [[s + shift, e + shift] for s, e in spans if s >= start and e <= end]
    return snippet, highlights
