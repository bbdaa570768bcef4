"""Synpunkter: a synpunkt's kind and the department it concerns (docs/cases.md, "Classifying a synpunkt").

A synpunkt (feedback) is a case whose category is ``synpunkt``, or that came through the synpunkt web
form and was not corrected to another category. It has a **kind** — praise, complaint, suggestion or
question (beröm, klagomål, förslag, fråga) — and concerns a **department**, which is credited with it
in the figures whoever handled it: a complaint about the library that first line answered still
belongs to kultur's synpunkter.

- The citizen chooses the kind on the synpunkt form (``feedback_kind``); an e-service platform may also
  name the department (``feedback_department``). Both travel in the contact's ``form_fields`` and are
  kept on the case (``feedback``) when the directory knows them, and on ``case.created``.
- The agent sets or corrects both with ``POST /v1/cases/{ref}/feedback``: the kind is required, the
  department defaults to the one set before (else the case's own department). The change is written
  to the timeline (old → new) and published as ``case.feedback_classified``; the same values again
  change nothing.

Who: agents and supervisors who can see the case; a handler who can see it, for their own
departments only (crediting another department with a synpunkt is first line's call); never an
administrator.
"""

from __future__ import annotations

from typing import Any, get_args

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from lotsen.auth import Principal, Staff
from lotsen.contracts.cases import CaseFeedbackClassified, FeedbackKind
from lotsen.contracts.contacts import ContactRouted
from lotsen.directory import Organization
from lotsen.errors import Conflict, DomainError, Forbidden
from services.casestore import lifecycle, permissions
from services.casestore.changes import Change, Entry, case_event
from services.casestore.deps import CasesDep, DirectoryDep
from services.casestore.models import CaseDetail
from services.casestore.repository import Document

router = APIRouter(tags=["case actions"])

SYNPUNKT = "synpunkt"  # the category and the web form
KINDS: tuple[str, ...] = get_args(FeedbackKind)


class UnknownDepartment(DomainError):
    status = 422
    code = "unknown_in_directory"


class NotASynpunkt(Conflict):
    code = "not_a_synpunkt"


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"kind": "complaint", "department": "kultur"}]}
    )

    kind: FeedbackKind = Field(description="praise, complaint, suggestion or question")
    department: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="the department it concerns; the one set before (else the case's) when left out",
    )


class FeedbackRead(BaseModel):
    kind: FeedbackKind | None = None
    department: str | None = Field(None, description="the department it concerns; null: the case's own")


def is_synpunkt(case: Document) -> bool:
    """The synpunkt category, or the synpunkt form unless a correction moved it to another category."""
    if case.get("category") == SYNPUNKT:
        return True
    corrected = any(entry.get("type") == "recategorised" for entry in case.get("timeline", []))
    return case.get("form_id") == SYNPUNKT and not corrected


def from_contact(event: ContactRouted, org: Organization) -> dict[str, Any] | None:
    """The kind and department the contact's form gave, when the directory knows them."""
    fields = (event.data.model_extra or {}).get("form_fields") or {}
    kind = fields.get("feedback_kind")
    department = fields.get("feedback_department")
    found = {
        "kind": kind if kind in KINDS else None,
        "department": department if department and org.department(department) else None,
    }
    return found if any(found.values()) else None


def classify(case: Document, *, kind: str, department: str | None, by: Principal, at: Any) -> Change:
    """The classification as a change; nothing when the synpunkt is classified so already (a retry)."""
    if case["status"] == "closed":
        raise lifecycle.IllegalTransition(
            "a closed case is the record as it was: its synpunkt is not classified again",
            details={"status": "closed"},
        )
    if not is_synpunkt(case):
        raise NotASynpunkt(
            f"the case is {case.get('category')}, not a synpunkt; correct its category to synpunkt first",
            details={"category": case.get("category")},
        )
    old = case.get("feedback") or {}
    new = {"kind": kind, "department": department if department is not None else old.get("department")}
    if old.get("kind") == new["kind"] and old.get("department") == new["department"]:
        return Change()
    change = Change(updates={"feedback": new})
    change.entries.append(Entry(by.subject, "feedback_classified", {"old": old or None, "new": new}))
    change.events.append(
        case_event(
            CaseFeedbackClassified,
            case,
            at,
            kind=new["kind"],
            department=new["department"],
            old_kind=old.get("kind"),
            old_department=old.get("department"),
            classified_by=by.subject,
        )
    )
    return change


def ensure_may_credit(department: str | None, case: Document, principal: Principal) -> None:
    """A handler credits their own departments only; administrators work no case."""
    permissions.ensure_may("feedback", case, principal)
    if principal.role == "handler":
        credited = department or (case.get("feedback") or {}).get("department") or case.get("department")
        if credited not in principal.departments:
            raise Forbidden(
                "a department handler credits synpunkter to their own departments only; first line "
                "credits another department",
                details={"department": credited, "yours": list(principal.departments)},
            )


@router.post(
    "/v1/cases/{ref}/feedback",
    response_model=CaseDetail,
    summary="Set a synpunkt's kind and the department it concerns",
    responses={
        403: {"description": "administrators; handlers crediting a department not theirs"},
        404: {"description": "no case the caller may see"},
        409: {"description": "a closed case, or a case that is not a synpunkt (`not_a_synpunkt`)"},
        422: {"description": "a kind that is not one of the four, or a department the organisation lacks"},
    },
)
async def classify_feedback(
    ref: str, body: FeedbackRequest, principal: Staff, cases: CasesDep, directory: DirectoryDep
) -> CaseDetail:
    case = permissions.ensure_visible(await cases.repo.get(ref), ref, principal)
    org = directory.organization(case["organization"])
    if body.department is not None and (org is None or org.department(body.department) is None):
        raise UnknownDepartment(
            f"{case['organization']} has no department {body.department!r}",
            details={"field": "department", "known": [d.id for d in org.departments] if org else []},
        )
    ensure_may_credit(body.department, case, principal)
    updated = await cases.apply(
        ref,
        lambda current: classify(
            current, kind=body.kind, department=body.department, by=principal, at=cases.clock()
        ),
    )
    return CaseDetail.model_validate(updated)
