"""Working a case: messages, assign, wait for the citizen, hand off, return, resolve, close, reopen, link."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from lotsen.auth import Staff
from lotsen.errors import DomainError
from services.casestore import actions, lifecycle, merging, messages, permissions, promises, survey
from services.casestore.changes import Change
from services.casestore.deps import CasesDep, DirectoryDep, SettingsDep
from services.casestore.intake import mail_domain
from services.casestore.models import (
    AssignRequest,
    CaseDetail,
    HandoffRequest,
    LinkRequest,
    MergeRequest,
    MessageCreate,
    ReasonRequest,
    ReopenRequest,
    ResolveRequest,
)

router = APIRouter(tags=["case actions"])


class UnknownDepartment(DomainError):
    status = 422
    code = "unknown_department"


async def _act(action: str, ref: str, principal: Any, cases: CasesDep, plan: Any) -> CaseDetail:
    permissions.ensure_may(
        action, permissions.ensure_visible(await cases.repo.get(ref), ref, principal), principal
    )
    return CaseDetail.model_validate(await cases.apply(ref, plan))


@router.post(
    "/v1/cases/{ref}/messages", response_model=CaseDetail, summary="Reply to the citizen or add a note"
)
async def add_message(
    ref: str, body: MessageCreate, principal: Staff, cases: CasesDep, directory: DirectoryDep
) -> CaseDetail:
    if body.kind == "note":
        plan = actions.plan(messages.note, text=body.text, by=principal, at=cases.clock())
        return await _act("note", ref, principal, cases, plan)
    case = permissions.ensure_visible(await cases.repo.get(ref), ref, principal)
    org = directory.organization(case["organization"])
    domain = mail_domain(org) if org else "lotsen.invalid"
    plan = actions.plan(
        messages.reply, text=body.text, channel=body.channel, by=principal, at=cases.clock(), domain=domain
    )
    return await _act("reply", ref, principal, cases, plan)


@router.post("/v1/cases/{ref}/assign", response_model=CaseDetail)
async def assign(ref: str, body: AssignRequest, principal: Staff, cases: CasesDep) -> CaseDetail:
    plan = actions.plan(actions.assign, assignee=body.assignee, by=principal, at=cases.clock())
    return await _act("assign", ref, principal, cases, plan)


@router.post("/v1/cases/{ref}/pending", response_model=CaseDetail, summary="Wait for the citizen")
async def wait_for_citizen(ref: str, principal: Staff, cases: CasesDep) -> CaseDetail:
    return await _act(
        "pending", ref, principal, cases, actions.plan(actions.pending, by=principal, at=cases.clock())
    )


@router.post("/v1/cases/{ref}/handoff", response_model=CaseDetail, summary="Hand off to a department")
async def handoff(
    ref: str,
    body: HandoffRequest,
    principal: Staff,
    cases: CasesDep,
    settings: SettingsDep,
    directory: DirectoryDep,
) -> CaseDetail:
    case = permissions.ensure_visible(await cases.repo.get(ref), ref, principal)
    org = directory.organization(case["organization"])
    department = org.department(body.department) if org else None
    if org is None or department is None:
        known = [d.id for d in org.departments] if org else []
        raise UnknownDepartment(
            f"{case['organization']} has no department {body.department!r}", details={"known": known}
        )
    category = org.category(case["category"]) if case.get("category") else None
    # As routing and staff-opened cases decide it: a confidential errand type or department.
    confidential = org.confidential(category, department.id) if category else department.confidential
    now = cases.clock()
    due = promises.handoff_due(org, case.get("category"), now, settings)
    plan = actions.plan(
        actions.handoff,
        department=body.department,
        reason=body.reason,
        due_at=due,
        by=principal,
        at=now,
        confidential=confidential,
    )
    return await _act("handoff", ref, principal, cases, plan)


@router.post("/v1/cases/{ref}/return", response_model=CaseDetail, summary="Return to first line")
async def return_case(ref: str, body: ReasonRequest, principal: Staff, cases: CasesDep) -> CaseDetail:
    plan = actions.plan(actions.return_to_first_line, reason=body.reason, by=principal, at=cases.clock())
    return await _act("return", ref, principal, cases, plan)


@router.post("/v1/cases/{ref}/resolve", response_model=CaseDetail)
async def resolve(
    ref: str, body: ResolveRequest, principal: Staff, cases: CasesDep, directory: DirectoryDep
) -> CaseDetail:
    at = cases.clock()

    def plan(case: dict[str, Any]) -> Change:
        resolved = actions.resolve(
            case,
            resolution_code=body.resolution_code,
            failure_demand=body.failure_demand,
            by=principal,
            at=at,
        )
        org = directory.organization(case["organization"])
        domain = mail_domain(org) if org else "lotsen.invalid"
        return survey.combined(resolved, survey.invitation(case, after=resolved, at=at, domain=domain))

    return await _act("resolve", ref, principal, cases, plan)


@router.post("/v1/cases/{ref}/close", response_model=CaseDetail)
async def close(ref: str, principal: Staff, cases: CasesDep) -> CaseDetail:
    return await _act(
        "close", ref, principal, cases, actions.plan(actions.close, by=principal.subject, at=cases.clock())
    )


@router.post("/v1/cases/{ref}/reopen", response_model=CaseDetail)
async def reopen(
    ref: str, principal: Staff, cases: CasesDep, body: ReopenRequest | None = None
) -> CaseDetail:
    plan = actions.plan(
        actions.reopen, reason=body.reason if body else None, by=principal.subject, at=cases.clock()
    )
    return await _act("reopen", ref, principal, cases, plan)


@router.post("/v1/cases/{ref}/link", response_model=CaseDetail, summary="Link to another case")
async def link(ref: str, body: LinkRequest, principal: Staff, cases: CasesDep) -> CaseDetail:
    other = permissions.ensure_visible(await cases.repo.get(body.ref), body.ref, principal)
    result = await _act(
        "link", ref, principal, cases, actions.plan(actions.link, other_ref=body.ref, by=principal)
    )
    await cases.apply(other["_id"], actions.plan(actions.link, other_ref=ref, by=principal))
    return result


@router.post(
    "/v1/cases/{ref}/merge",
    response_model=CaseDetail,
    summary="Merge this duplicate into another case; answers with the case merged into",
)
async def merge(ref: str, body: MergeRequest, principal: Staff, cases: CasesDep) -> CaseDetail:
    duplicate = permissions.ensure_visible(await cases.repo.get(ref), ref, principal)
    survivor = permissions.ensure_visible(await cases.repo.get(body.into), body.into, principal)
    permissions.ensure_may("merge", duplicate, principal)
    permissions.ensure_may("merge", survivor, principal)
    merging.check_mergeable(duplicate, survivor)
    if duplicate.get("merged_into") != body.into:
        lifecycle.check("merge", duplicate["status"])
    now = cases.clock()
    merged = await cases.apply(body.into, actions.plan(merging.absorb, duplicate=duplicate, by=principal))
    await cases.apply(ref, actions.plan(merging.merge_into, survivor_ref=body.into, by=principal, at=now))
    return CaseDetail.model_validate(merged)
