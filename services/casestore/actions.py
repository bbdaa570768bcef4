"""What agents and handlers do to a case, as plans: pure functions from the case to a change.

Each checks the transition (409 with the allowed actions otherwise), sets the new state, writes a
timeline entry and the events other services rely on (DESIGN §3).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lotsen.auth import Principal
from lotsen.contracts.cases import (
    CaseAssigned,
    CaseClosed,
    CaseHandedOff,
    CaseReopened,
    CaseResolved,
    CaseReturned,
)
from services.casestore import lifecycle
from services.casestore.changes import Change, Entry, case_event, status_change
from services.casestore.repository import Document


def assign(case: Document, *, assignee: str | None, by: Principal, at: datetime) -> Change:
    new_status = lifecycle.next_status("assign", case["status"])
    change = Change(updates={"assignee": assignee})
    change.entries.append(Entry(by.subject, "assigned", {"assignee": assignee}))
    change.events.append(case_event(CaseAssigned, case, at, assignee=assignee, assigned_by=by.subject))
    status_change(case, new_status, at, change)
    return change


def pending(case: Document, *, by: Principal, at: datetime) -> Change:
    change = Change()
    status_change(case, lifecycle.next_status("pending", case["status"]), at, change)
    change.entries.append(Entry(by.subject, "waiting_for_citizen", {}))
    return change


def handoff(
    case: Document,
    *,
    department: str,
    reason: str,
    due_at: datetime,
    by: Principal,
    at: datetime,
    confidential: bool = False,
) -> Change:
    """``confidential``: the department or the errand type is confidential (sekretess), so the case
    becomes so; a confidential case stays confidential wherever it goes next."""
    new_status = lifecycle.next_status("handoff", case["status"])
    confidential = bool(case.get("confidential")) or confidential
    change = Change(
        updates={
            "confidential": confidential,
            "department": department,
            "due_at": due_at,
            "handed_off_at": at,
            "ever_handed_off": True,
            "handed_off_by": by.subject,
            "handled_by": "department",
            "reminder_sent": False,
        }
    )
    change.entries.append(
        Entry(
            by.subject,
            "handed_off",
            {
                "department": department,
                "reason": reason,
                "due_at": due_at.isoformat(),
                **({"confidential": True} if confidential and not case.get("confidential") else {}),
            },
        )
    )
    status_change(case, new_status, at, change)
    change.events.append(
        case_event(
            CaseHandedOff,
            case,
            at,
            department=department,
            reason=reason,
            due_at=due_at,
            handed_off_by=by.subject,
            category=case.get("category"),
            confidential=confidential,
        )
    )
    return change


def return_to_first_line(case: Document, *, reason: str, by: Principal, at: datetime) -> Change:
    new_status = lifecycle.next_status("return", case["status"])
    change = Change(updates={"due_at": None, "returned_at": at, "handled_by": "first_line"})
    change.entries.append(
        Entry(by.subject, "returned", {"reason": reason, "department": case.get("department")})
    )
    status_change(case, new_status, at, change)
    change.events.append(
        case_event(
            CaseReturned, case, at, department=case.get("department"), reason=reason, returned_by=by.subject
        )
    )
    return change


def resolve(
    case: Document, *, resolution_code: str, failure_demand: bool, by: Principal, at: datetime
) -> Change:
    new_status = lifecycle.next_status("resolve", case["status"])
    first_line = not case.get("ever_handed_off", False)
    change = Change(
        updates={
            "resolved_at": at,
            "resolution_code": resolution_code,
            "failure_demand": failure_demand,
            "resolved_by_first_line": first_line,
            "due_at": None,
        }
    )
    change.entries.append(
        Entry(
            by.subject,
            "resolved",
            {
                "resolution_code": resolution_code,
                "failure_demand": failure_demand,
                "resolved_by_first_line": first_line,
            },
        )
    )
    status_change(case, new_status, at, change)
    change.events.append(
        case_event(
            CaseResolved,
            case,
            at,
            resolved_at=at,
            resolved_by_first_line=first_line,
            failure_demand=failure_demand,
            resolution_code=resolution_code,
            resolved_by=by.subject,
        )
    )
    return change


def close(case: Document, *, by: str, at: datetime) -> Change:
    new_status = lifecycle.next_status("close", case["status"])
    change = Change(updates={"closed_at": at})
    change.entries.append(Entry(by, "closed", {}))
    status_change(case, new_status, at, change)
    change.events.append(case_event(CaseClosed, case, at, closed_at=at))
    return change


def reopen(case: Document, *, reason: str | None, by: str, at: datetime) -> Change:
    new_status = lifecycle.next_status("reopen", case["status"])
    change = Change(updates={"resolved_at": None, "resolution_code": None})
    change.entries.append(Entry(by, "reopened", {"reason": reason}))
    status_change(case, new_status, at, change)
    change.events.append(case_event(CaseReopened, case, at, reason=reason))
    return change


def link(case: Document, *, other_ref: str, by: Principal) -> Change:
    lifecycle.check("link", case["status"])
    if other_ref == case["_id"] or other_ref in case.get("links", []):
        return Change()
    change = Change(pushes={"links": [other_ref]})
    change.entries.append(Entry(by.subject, "linked", {"ref": other_ref}))
    return change


def read_logged(case: Document, *, by: Principal) -> Change:
    """A read of a confidential case, written to its timeline (no event)."""
    return Change(entries=[Entry(by.subject, "read", {"role": by.role})])


def plan(fn: Any, **kwargs: Any) -> Any:
    """Bind a plan's arguments, leaving the case: ``cases.apply(ref, plan(actions.assign, ...))``."""
    return lambda case: fn(case, **kwargs)
