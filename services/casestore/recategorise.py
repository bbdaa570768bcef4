"""`POST /v1/cases/{ref}/recategorise`: correcting how a case was classified.

A case that routing (or the agent who opened it) put in the wrong category, answer group or
department is moved to the right one without a handoff, so every figure that charges departments
counts it where it belongs. The change is written to the timeline with the old and new values and
the reason, and published as ``case.recategorised``.

What follows from the new category, as when a case is opened (docs/cases.md, "Correcting a case"):

- **department and answer group**: the category's own, unless the request names them;
- **confidentiality** (*sekretess*): the directory's answer for the new category and department. A
  case that becomes confidential leaves the view of agents at once; one that stops being
  confidential is written to the timeline as such and to the service log;
- **deadlines**: the first-response deadline (while unanswered) and the department's deadline (while
  handed off) are computed again by the functions that set them (:mod:`promises`: the category's own
  deadlines, else the defaults), from when the case came in and when it was handed off; a deadline
  that moves into the future may pass, and be reported, again;
- **who holds the case** (first line or department) does not change: moving a case to another
  department is a handoff. A case that is handed off keeps its department (``409`` otherwise): that
  department was told it has the errand, and only a handoff tells another one.

Handlers correct cases within their own departments only: both the case's department and the new
one must be theirs. A handler who finds a case belongs to another department returns it to first
line, who hands it off, so a confidential errand never leaves a department except by a handoff.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from lotsen.auth import Principal, Staff
from lotsen.contracts.cases import CaseRecategorised
from lotsen.directory import Category, Directory, Organization
from lotsen.errors import Conflict, DomainError, Forbidden
from services.casestore import lifecycle, permissions, promises, sla
from services.casestore.changes import Change, Entry, case_event
from services.casestore.deps import CasesDep, DirectoryDep, SettingsDep
from services.casestore.models import CaseDetail
from services.casestore.repository import Document

log = logging.getLogger(__name__)

router = APIRouter(tags=["case actions"])

CLASSIFICATION = ("category", "department", "answer_group", "confidential")


class UnknownInDirectory(DomainError):
    status = 422
    code = "unknown_in_directory"


class WithAnotherDepartment(Conflict):
    code = "handed_off_elsewhere"


class RecategoriseRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"category": "bygglov", "reason": "Gäller bygglov för altan, inte parkering"}]
        },
    )

    category: str = Field(
        min_length=1, max_length=64, description="an errand type of the case's organisation"
    )
    answer_group: str | None = Field(
        None, min_length=1, max_length=64, description="the category's (or department's) when left out"
    )
    department: str | None = Field(
        None, min_length=1, max_length=64, description="the category's department when left out"
    )
    reason: str = Field(min_length=1, max_length=2000, description="why the case is corrected")


class RecategorisedOutOfView(BaseModel):
    """The answer when the caller may no longer see the case (it became confidential)."""

    ref: str
    visible: bool = Field(False, description="always false: the case is now confidential")
    message: str


@dataclass(frozen=True)
class Classification:
    """Where a case belongs: what the directory decides for a category, department and answer group."""

    category: Category
    department: str | None
    answer_group: str | None
    confidential: bool

    def as_data(self) -> dict[str, Any]:
        return {
            "category": self.category.id,
            "department": self.department,
            "answer_group": self.answer_group,
            "confidential": self.confidential,
        }


def classify(directory: Directory, org: Organization, body: RecategoriseRequest) -> Classification:
    """The new classification, every id checked against the organisation's part of the directory."""
    category = org.category(body.category)
    if category is None:
        elsewhere = [o.id for o in directory.organizations if o.id != org.id and o.category(body.category)]
        if elsewhere:
            raise UnknownInDirectory(
                f"category {body.category!r} belongs to {', '.join(elsewhere)}, not to {org.id}",
                details={"field": "category", "organizations": elsewhere},
            )
        raise UnknownInDirectory(
            f"{org.id} has no category {body.category!r}",
            details={"field": "category", "known": [c.id for c in org.categories]},
        )
    department = body.department or category.department
    if department is not None and org.department(department) is None:
        raise UnknownInDirectory(
            f"{org.id} has no department {department!r}",
            details={"field": "department", "known": [d.id for d in org.departments]},
        )
    if body.answer_group is not None:
        if org.answer_group(body.answer_group) is None:
            raise UnknownInDirectory(
                f"{org.id} has no answer group {body.answer_group!r}",
                details={"field": "answer_group", "known": [g.id for g in org.answer_groups]},
            )
        group: str | None = body.answer_group
    else:
        found = (body.department and org.answer_group_for_department(body.department)) or (
            org.answer_group_for_category(category)
        )
        group = found.id if found else None
    return Classification(category, department, group, org.confidential(category, department))


def ensure_handler_keeps_it(case: Document, new_department: str | None, principal: Principal) -> None:
    """A handler corrects within their departments; moving a case elsewhere is first line's handoff."""
    if principal.role != "handler":
        return
    if new_department not in principal.departments:
        raise Forbidden(
            "a department handler corrects cases within their own departments; to move a case to "
            "another department, return it to first line, who hands it off",
            details={"department": new_department, "yours": list(principal.departments)},
        )


RESTARTED_FLAGS = {"first_response_due": sla.FIRST_RESPONSE_FLAG, "due_at": sla.HANDOFF_FLAG}


def recategorise(
    case: Document,
    *,
    to: Classification,
    reason: str,
    due: dict[str, Any],
    by: Principal,
    at: datetime,
) -> Change:
    """The correction as a change; nothing when the case is classified so already (a retry)."""
    lifecycle.check("recategorise", case["status"])
    old = {name: case.get(name) for name in CLASSIFICATION}
    old["confidential"] = bool(old["confidential"])
    new = to.as_data()
    if new == old:
        return Change()
    if case["status"] == "handed_off" and to.department != case.get("department"):
        raise WithAnotherDepartment(
            f"the case is with {case.get('department')}, which was told so; to move it to "
            f"{to.department}, return it to first line and hand it off",
            details={"department": case.get("department"), "requested": to.department},
        )
    updates: Document = {**new, "rosa_level": to.category.rosa_level}
    moved: dict[str, str | None] = {}
    for name, value in due.items():
        if value != case.get(name):
            updates[name] = value
            moved[name] = value.isoformat()
            if value > at:  # the new deadline has not passed: its clock runs again
                updates[RESTARTED_FLAGS[name]] = False
    change = Change(updates=updates)
    change.entries.append(
        Entry(by.subject, "recategorised", {"old": old, "new": new, "reason": reason, **moved})
    )
    if old["confidential"] and not to.confidential:
        change.entries.append(Entry(by.subject, "confidentiality_lifted", {"reason": reason}))
    change.events.append(
        case_event(
            CaseRecategorised,
            case,
            at,
            category=to.category.id,
            department=to.department,
            answer_group=to.answer_group,
            handled_by=case["handled_by"],
            rosa_level=to.category.rosa_level,
            confidential=to.confidential,
            old_category=old["category"],
            old_department=old["department"],
            old_answer_group=old["answer_group"],
            old_confidential=old["confidential"],
            reason=reason,
            recategorised_by=by.subject,
            first_response_due=updates.get("first_response_due", case.get("first_response_due")),
        )
    )
    return change


@router.post(
    "/v1/cases/{ref}/recategorise",
    response_model=CaseDetail | RecategorisedOutOfView,
    summary="Correct the case's category, answer group or department",
    responses={
        200: {
            "description": "the corrected case; `{ref, visible: false, message}` when it became "
            "confidential and the caller (an agent) may no longer see it"
        },
        403: {"description": "administrators; handlers moving a case out of their departments"},
        404: {"description": "no case the caller may see"},
        409: {
            "description": "a closed case is not corrected; a handed-off case keeps its department "
            "(`handed_off_elsewhere`)"
        },
        422: {"description": "a category, department or answer group the organisation does not have"},
    },
)
async def recategorise_case(
    ref: str,
    body: RecategoriseRequest,
    principal: Staff,
    cases: CasesDep,
    settings: SettingsDep,
    directory: DirectoryDep,
) -> CaseDetail | RecategorisedOutOfView:
    case = permissions.ensure_visible(await cases.repo.get(ref), ref, principal)
    permissions.ensure_may("recategorise", case, principal)
    org = directory.organization(case["organization"])
    if org is None:
        raise UnknownInDirectory(f"the directory has no organisation {case['organization']!r}")
    to = classify(directory, org, body)
    ensure_handler_keeps_it(case, to.department, principal)

    def plan(current: Document) -> Change:
        # The deadlines the case has by its new category, from the functions that set them.
        corrected = {**current, "category": to.category.id, "answer_group": to.answer_group}
        due = promises.deadlines_of(corrected, directory, settings)
        return recategorise(current, to=to, reason=body.reason, due=due, by=principal, at=cases.clock())

    was_confidential = bool(case.get("confidential"))
    updated = await cases.apply(ref, plan)
    if was_confidential and not updated.get("confidential"):
        log.warning("case %s is no longer confidential: recategorised by %s", ref, principal.subject)
    if not permissions.may_see(updated, principal):
        return RecategorisedOutOfView(
            ref=ref, message="the case is now confidential and handled by those who may see it"
        )
    return CaseDetail.model_validate(updated)
