"""Erasure, export and retention of personal data (GDPR), keeping what statistics need.

Erasure replaces the citizen's details, message texts, subjects, attachment names and the free
text of timeline entries with a marker. The structure stays: references, channels, categories,
departments, times and flags, which is all statistics use. Rewriting timeline entries changes
their hashes, so the chain is recomputed from the first rewritten entry and an ``erased`` entry
records the hash the chain had before (the anchor) and which entries were rewritten: the timeline
still verifies, and the erasure itself is on record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lotsen.contracts.cases import CaseErased
from services.casestore import people, timeline
from services.casestore.changes import Change, case_event
from services.casestore.repository import CaseRepository, Document

MARKER = "[raderat]"
TIMELINE_FREE_TEXT = ("reason", "text", "comment")
CITIZEN_FIELDS = ("name", "email", "phone", "facebook_psid")


def erased_message(message: Document) -> Document:
    scrubbed = {**message, "text": MARKER}
    if message.get("subject"):
        scrubbed["subject"] = MARKER
    if message.get("sender"):
        scrubbed["sender"] = {k: (MARKER if v else v) for k, v in message["sender"].items()}
    scrubbed["attachments"] = [{**a, "name": MARKER} for a in message.get("attachments", [])]
    if (message.get("delivery") or {}).get("reason"):  # a bounce quotes the address it could not reach
        scrubbed["delivery"] = {**message["delivery"], "reason": MARKER}
    return scrubbed


def erase(case: Document, *, by: str, at: datetime, why: str) -> Change:
    """The erasure of every personal detail of ``case``, as one change."""
    entries = [dict(e) for e in case.get("timeline", [])]
    rewritten: list[int] = []
    for entry in entries:
        data = dict(entry["data"])
        decision = data.get("decision")
        if any(data.get(field) for field in TIMELINE_FREE_TEXT) or (decision or {}).get("explanation"):
            entry["data"] = {k: (MARKER if k in TIMELINE_FREE_TEXT and v else v) for k, v in data.items()}
            if decision:  # routing's explanation may quote the sender or the text
                entry["data"]["decision"] = _without_explanation(decision)
            rewritten.append(entry["seq"])
    anchor = entries[-1]["hash"] if entries else timeline.GENESIS
    rebuilt = rechain(entries)
    rebuilt.append(
        timeline.new_entry(
            rebuilt[-1] if rebuilt else None,
            at=at,
            actor=by,
            type="erased",
            data={"why": why, "anchor": anchor, "rewritten": rewritten},
        )
    )
    fields = ["citizen", "messages.text", "messages.subject", "messages.sender", "subject", "timeline.reason"]
    fields.append("position")
    change = Change(
        updates={
            "citizen": {k: None for k in CITIZEN_FIELDS},
            "messages": [erased_message(m) for m in case.get("messages", [])],
            "subject": MARKER if case.get("subject") else None,
            "search": case["_id"].lower(),  # what an older version searched; the terms follow the text
            "people": [],
            "routing": _without_explanation(case.get("routing")),
            "position": None,  # a place may be someone's home: its coordinates, address and photo link go
            "timeline": rebuilt,
            "erased_at": at,
        }
    )
    change.events.append(
        case_event(
            CaseErased,
            case,
            at,
            erased_at=at,
            fields=fields,
            contacts=sorted(
                {case.get("origin_contact_id"), *(m["key"] for m in case.get("messages", []))} - {None}
            ),
            attachments=sorted(
                {
                    a["sha256"]
                    for m in case.get("messages", [])
                    for a in m.get("attachments", [])
                    if a.get("sha256")
                }
            ),
        )
    )
    return change


def _without_explanation(decision: Document | None) -> Document | None:
    if not decision or not decision.get("explanation"):
        return decision
    return {**decision, "explanation": MARKER}


async def backfill_people(repo: CaseRepository) -> int:
    """Give cases stored before ``people`` existed their keys, so look-ups find them; returns how many."""
    done = 0
    while batch := await repo.without_people():
        for doc in batch:
            await repo.set_people(doc["_id"], people.of_case(doc.get("citizen"), doc.get("messages", [])))
        done += len(batch)
    return done


def rechain(entries: list[Document]) -> list[Document]:
    previous: Document | None = None
    out = []
    for entry in entries:
        entry = dict(entry)
        entry["prev_hash"] = previous["hash"] if previous else timeline.GENESIS
        entry["hash"] = timeline.entry_hash(entry["prev_hash"], entry)
        out.append(entry)
        previous = entry
    return out


def export(cases: list[Document]) -> dict[str, Any]:
    """Everything held about a person, case by case."""
    hidden = {"outbox", "search", "search_terms", "version"}
    return {"cases": [{k: v for k, v in case.items() if k not in hidden} for case in cases]}
