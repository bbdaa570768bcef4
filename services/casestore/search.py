"""Case search: a case's words, kept on it as ``search_terms`` under a multikey index, and a query's
words looked up there (docs/cases.md, "Queues and search").

A case is found by all of its text: the reference, the subject, the citizen's name and address and
every message the citizen wrote, our replies, internal notes and the names of attachments
(:func:`fields_of`). A word is a run of letters and digits, lower-cased; Swedish letters are kept
("Åsa" is ``åsa``, not ``asa``). Each word is kept with its Swedish Snowball stem ("altanen" also as
``altan``; Snowball, as MongoDB's ``swedish`` text index stems), so "altaner" finds "altanen".

Every word of a query must be a word of the case or share its stem; the last one may also be the
start of a word ("alta" finds "altanen"), because people type from left to right. Both are look-ups
in the index on MongoDB (an equality or ``$in``, and an anchored regular expression, a range of the
index's keys) and in the stand-in's field maps.

The terms are stored tier by tier (:data:`TIERS`), each tier's terms sorted, with where each tier
ends in ``search_tier_ends``: ranking (search_results.py) reads which tier a query word is found in
from that, without the case's text. ``search_version`` says which rules made them; start-up
re-indexes the cases whose version is older (:func:`backfill`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import snowballstemmer

if TYPE_CHECKING:
    from services.casestore.repository import CaseRepository

VERSION = 2  # 1: the first message's first 2,000 characters, no stems; 2: all text, with stems
TIERS = ("citizen", "reply", "note")  # the best first: a word found there ranks a case higher
MARKER = "[raderat]"  # privacy.MARKER: what an erasure leaves is nobody's word
MESSAGE_CHARS = 20_000  # of one message; as long as a reply may be
MAX_TERMS = 10_000
WORD = re.compile(r"\w+")
_stemmer = snowballstemmer.stemmer("swedish")


@dataclass(frozen=True)
class Field:
    """One piece of a case's text: what it is (``reference``, ``subject``, ``message``, ``sender``,
    ``reply``, ``attachment``, ``note``), its tier, and the text."""

    name: str
    tier: int
    text: str
    at: datetime | None = None


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, in order, repeated as often as they occur."""
    return WORD.findall(text.lower())


def terms(text: str) -> list[str]:
    """The distinct words of ``text``, lower-cased, in order of first appearance."""
    return list(dict.fromkeys(words(text)))


def forms(word: str) -> set[str]:
    """What ``word`` is known by in the index: itself and its stem."""
    return {word, stem(word)}


def fields_of(case: Mapping[str, Any]) -> list[Field]:
    """The text a case is found by, best tier first and within a tier in the order it was written.

    Automatic messages (the acknowledgement) are the same on every case and are left out; so is the
    subject our replies repeat, and whatever an erasure replaced with its marker."""
    citizen = case.get("citizen") or {}
    found = [Field("subject", 0, case.get("subject") or "")]
    for message in case.get("messages", []):
        if message.get("automatic"):
            continue
        text, at = (message.get("text") or "")[:MESSAGE_CHARS], message.get("at")
        match message.get("direction"):
            case "inbound":
                if message.get("subject") != case.get("subject"):
                    found.append(Field("subject", 0, message.get("subject") or "", at))
                found.append(Field("message", 0, text, at))
                sender = message.get("sender") or {}
                found.append(Field("sender", 0, _joined(sender.get("name"), sender.get("email")), at))
            case "outbound":
                found.append(Field("reply", 1, text, at))
            case "internal":
                found.append(Field("note", 2, text, at))
        for attachment in message.get("attachments") or ():
            found.append(Field("attachment", 1, str(attachment.get("name") or ""), at))
    found.append(Field("sender", 0, _joined(citizen.get("name"), citizen.get("email"))))
    for ref in (case["_id"], *case.get("merged_from", ())):  # a duplicate's reference finds the survivor
        found.append(Field("reference", 0, str(ref)))
    kept = [f for f in found if f.text and f.text != MARKER]
    return sorted(kept, key=lambda f: f.tier)  # stable: the written order within a tier


def _joined(*parts: Any) -> str:
    return " ".join(str(part) for part in parts if part and part != MARKER)


def index(case: Mapping[str, Any]) -> dict[str, Any]:
    """The search fields of ``case``: its terms tier by tier, where each tier ends, the version."""
    tiers: list[set[str]] = [set() for _ in TIERS]
    for field in fields_of(case):
        for word in words(field.text):
            tiers[field.tier].update(forms(word))
    seen: set[str] = set()
    ordered: list[str] = []
    ends: list[int] = []
    for tier in tiers:
        ordered += sorted(tier - seen)[: max(0, MAX_TERMS - len(ordered))]
        seen |= tier
        ends.append(len(ordered))
    return {"search_terms": ordered, "search_tier_ends": ends, "search_version": VERSION}


TEXT_FIELDS = ("subject", "citizen", "messages", "merged_from")


def with_terms(case: Mapping[str, Any], updates: dict[str, Any], pushes: Mapping[str, list[Any]]) -> None:
    """Keep the search fields in step when a change adds messages or rewrites the case's text (a
    change that sets ``search_terms`` itself decides for itself)."""
    touched = any(pushes.get(name) or name in updates for name in TEXT_FIELDS)
    if not touched or "search_terms" in updates:
        return
    after = {**case, **{k: v for k, v in updates.items() if "." not in k}}
    for name in TEXT_FIELDS:
        if pushes.get(name):
            after[name] = [*after.get(name, []), *pushes[name]]
    found = index(after)
    for name, value in found.items():
        if case.get(name) != value:
            updates[name] = value


@dataclass(frozen=True)
class Query:
    """A query's words: every one must be found, the last also as the start of a word."""

    whole: tuple[str, ...]
    last: str

    def matches(self, word: str, position: int) -> bool:
        """Whether a word of a case's text is one the index found for the query word at ``position``
        (the index matches the word or its stem against the query word or its stem)."""
        mine = forms(word)
        if position < len(self.whole):
            return not mine.isdisjoint(forms(self.whole[position]))
        return stem(self.last) in mine or any(form.startswith(self.last) for form in mine)

    @property
    def all(self) -> tuple[str, ...]:
        return (*self.whole, self.last)


def parse(text: str | None) -> Query | None:
    """``None`` for no words (only punctuation): no condition."""
    found = terms(text or "")
    if not found:
        return None
    *whole, last = found
    return Query(tuple(whole), last)


def conditions(text: str) -> list[dict[str, Any]]:
    """One condition on ``search_terms`` per word of ``text``."""
    query = parse(text)
    if query is None:
        return []
    found: list[dict[str, Any]] = []
    for word in query.whole:
        known = sorted(forms(word))
        found.append({"search_terms": known[0] if len(known) == 1 else {"$in": known}})
    prefix = {"search_terms": {"$regex": "^" + re.escape(query.last)}}
    stemmed = stem(query.last)
    if stemmed.startswith(query.last):  # the prefix finds the stem too
        found.append(prefix)
    else:
        found.append({"$or": [{"search_terms": stemmed}, prefix]})
    return found


async def backfill(repo: CaseRepository) -> int:
    """Re-index the cases whose search fields an older version made (or none did), so search finds
    them by every word; returns how many. Run at start-up, as ``privacy.backfill_people``."""
    done = 0
    while batch := await repo.search.with_old_terms(VERSION):
        set_now = 0
        for doc in batch:
            set_now += await repo.search.set_terms(doc, index(doc))
        if not set_now:  # each changed since it was read: a later start-up takes them
            break
        done += set_now
    return done
