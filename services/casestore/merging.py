"""Merging a duplicate into the case that carries the errand on.

A citizen who writes by e-mail and then fills in the web form about the same thing gets two cases;
an agent merges the newer one (the *duplicate*) into the other (the *survivor*):

- the survivor gets copies of the duplicate's messages (each marked ``merged_from``, their words
  searchable on it), a link to it and a ``merged`` timeline entry; its status and deadlines stand;
- the duplicate is closed with ``merged_into`` set, a ``merged_into`` timeline entry and
  ``case.closed`` carrying ``merged_into``, so statistics count the errand once (docs/figures.md);
- whatever later threads to the duplicate (its reference tag, our Message-IDs on it) lands on the
  survivor (:func:`services.casestore.intake.thread_of`).

The survivor is changed first and both plans are idempotent, so a request cut off half-way and
retried completes the merge without copying anything twice.
"""

from __future__ import annotations

from datetime import datetime

from lotsen.auth import Principal
from lotsen.contracts.cases import CaseClosed
from lotsen.errors import Conflict, DomainError
from services.casestore import lifecycle
from services.casestore.changes import Change, Entry, case_event, status_change
from services.casestore.repository import Document


class CannotMerge(DomainError):
    """Refused merges; ``details.reason`` says which rule refused, for clients to word it themselves."""

    status = 409
    code = "cannot_merge"


def check_mergeable(duplicate: Document, survivor: Document) -> None:
    if duplicate["_id"] == survivor["_id"]:
        raise CannotMerge("a case cannot be merged into itself", details={"reason": "itself"})
    if duplicate["organization"] != survivor["organization"]:
        raise CannotMerge(
            "cases of different organisations cannot be merged; link them instead",
            details={
                "reason": "other_organization",
                "organization": duplicate["organization"],
                "into": survivor["organization"],
            },
        )
    if duplicate.get("confidential") and not survivor.get("confidential"):
        raise CannotMerge(
            "a confidential case cannot be merged into one that is not: its messages would be exposed",
            details={"reason": "confidential"},
        )
    if survivor.get("merged_into"):
        raise CannotMerge(
            f"{survivor['_id']} was itself merged into {survivor['merged_into']}; merge into that case",
            details={"reason": "merged_into", "merged_into": survivor["merged_into"]},
        )


def absorb(survivor: Document, *, duplicate: Document, by: Principal) -> Change:
    """The survivor's side: the duplicate's messages (and with them its words) and a link."""
    if duplicate["_id"] in survivor.get("merged_from", []):
        return Change()  # merged already: a retried request
    lifecycle.check("absorb", survivor["status"])
    known = {m["key"] for m in survivor.get("messages", [])}
    copies = [
        {**message, "merged_from": duplicate["_id"]}
        for message in duplicate.get("messages", [])
        if message["key"] not in known
    ]
    pushes: dict[str, list[object]] = {"messages": list(copies), "merged_from": [duplicate["_id"]]}
    if duplicate["_id"] not in survivor.get("links", []):
        pushes["links"] = [duplicate["_id"]]
    return Change(  # the copies bring their words (search.with_terms)
        pushes=pushes,
        entries=[Entry(by.subject, "merged", {"from": duplicate["_id"], "messages": len(copies)})],
    )


def merge_into(duplicate: Document, *, survivor_ref: str, by: Principal, at: datetime) -> Change:
    """The duplicate's side: closed, pointing at the survivor."""
    if duplicate.get("merged_into") == survivor_ref:
        return Change()
    if duplicate.get("merged_into"):
        raise Conflict(f"{duplicate['_id']} was merged into {duplicate['merged_into']} already")
    new_status = lifecycle.next_status("merge", duplicate["status"])
    change = Change(updates={"merged_into": survivor_ref, "closed_at": at, "due_at": None})
    if survivor_ref not in duplicate.get("links", []):
        change.pushes["links"] = [survivor_ref]
    change.entries.append(Entry(by.subject, "merged_into", {"ref": survivor_ref}))
    status_change(duplicate, new_status, at, change)
    change.events.append(case_event(CaseClosed, duplicate, at, closed_at=at, merged_into=survivor_ref))
    return change
