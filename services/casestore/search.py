"""Case search: a case's words, kept on it as ``search_terms`` under a multikey index, and a query's
words looked up there (docs/cases.md, "Queues and search").

A word is a run of letters and digits, lower-cased; Swedish letters (å, ä, ö, é…) are kept as they
are, so "Åsa" is found by "åsa" and not by "asa". Every word of a query must be a word of the case;
the last one may also be the start of a word ("alta" finds "altanen"), because people type a query
from left to right and Swedish inflects at the end of a word. Both are index look-ups on MongoDB: an
equality, and an anchored, case-sensitive regular expression, which the server answers from the
index's range of keys that start with it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.casestore.repository import CaseRepository

# The text of the first message that is searched; the rest of a long message is not.
TEXT_CHARS = 2000
_WORD = re.compile(r"\w+")


def text_of(ref: str, subject: str | None, name: str | None, email: str | None, text: str | None) -> str:
    """The lower-cased text a case is found by: its reference, subject, sender and first message."""
    parts = [ref, subject, name, email, (text or "")[:TEXT_CHARS]]
    return " ".join(part for part in parts if part).lower()


def terms(text: str) -> list[str]:
    """The distinct words of ``text``, lower-cased, in order of first appearance."""
    return list(dict.fromkeys(_WORD.findall(text.lower())))


def conditions(query: str) -> list[dict[str, Any]]:
    """One condition on ``search_terms`` per word of ``query``: equal to a word of the case, or for
    the last word, the start of one. No words (only punctuation) is no condition."""
    words = terms(query)
    if not words:
        return []
    *whole, last = words
    found: list[dict[str, Any]] = [{"search_terms": word} for word in whole]
    found.append({"search_terms": {"$regex": "^" + re.escape(last)}})
    return found


async def backfill(repo: CaseRepository) -> int:
    """Give cases stored before ``search_terms`` existed their words, so search finds them; returns
    how many. Run at start-up, as ``privacy.backfill_people``."""
    done = 0
    while batch := await repo.without_search_terms():
        set_now = 0
        for doc in batch:
            text = doc.get("search") or str(doc["_id"]).lower()
            set_now += await repo.set_search_terms(doc["_id"], doc.get("search"), terms(text))
        if not set_now:  # each changed since it was read: a later start-up takes them
            break
        done += set_now
    return done
