"""Reading cases: queues and search, one case, its timeline and the timeline's verification."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from lotsen.auth import Principal, Staff
from lotsen.calendar import STOCKHOLM
from services.casestore import actions, permissions, search, search_results, timeline
from services.casestore.cursors import Order
from services.casestore.deps import CasesDep
from services.casestore.models import CaseDetail, CaseListItem, CasePage, TimelineEntry, Verification
from services.casestore.repository import CaseQuery, Document

router = APIRouter(tags=["cases"])
CaseLanguage = Literal["sv", "en", "ar", "other"]

LocalDate = Annotated[date | None, Query(description="local date (Europe/Stockholm), inclusive")]


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, time(0), STOCKHOLM) if day else None


def _end(day: date | None) -> datetime | None:
    return datetime.combine(day + timedelta(days=1), time(0), STOCKHOLM) if day else None


@router.get("/v1/cases", response_model=CasePage, summary="Queues and search")
async def list_cases(
    principal: Staff,
    cases: CasesDep,
    status: str | None = None,
    organization: str | None = None,
    department: str | None = None,
    answer_group: str | None = None,
    assignee: Annotated[str | None, Query(description="a user name, or `me`")] = None,
    channel: str | None = None,
    category: str | None = None,
    language: Annotated[
        CaseLanguage | None,
        Query(description="the language the citizen chose or wrote in: `sv`, `en`, `ar` or `other`"),
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, description="words of the case's text, ranked; each item gets `match`"),
    ] = None,
    overdue: Annotated[
        bool, Query(description="only cases past their first-response or handoff due time")
    ] = False,
    created_from: LocalDate = None,
    created_to: LocalDate = None,
    updated_from: LocalDate = None,
    updated_to: LocalDate = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
    order: Annotated[
        Order,
        Query(description="`newest` first, or `priority`: urgent first, then the soonest due, then oldest"),
    ] = "newest",
) -> CasePage:
    query = CaseQuery(
        status=status,
        organization=organization,
        department=department,
        answer_group=answer_group,
        assignee=principal.subject if assignee == "me" else assignee,
        channel=channel,
        category=category,
        language=language,
        text=q or None,
        created_from=_start(created_from),
        created_to=_end(created_to),
        updated_from=_start(updated_from),
        updated_to=_end(updated_to),
        overdue_at=datetime.now(UTC) if overdue else None,
    )
    narrowed = permissions.narrow(query, principal)
    if search.parse(q) is not None and order == "newest":  # ranked
        docs, next_cursor = await search_results.page(cases.repo, narrowed, limit=limit, cursor=cursor)
    else:
        docs, next_cursor = await cases.repo.list(narrowed, limit=limit, cursor=cursor, order=order)
        if search.parse(q) is not None:  # found, in the queue order
            docs = await search_results.with_matches(cases.repo, docs, q or "")
    return CasePage(items=[CaseListItem.model_validate(d) for d in docs], next_cursor=next_cursor)


async def _visible(ref: str, principal: Principal, cases: CasesDep) -> Document:
    """The case if the caller may see it; a read of a confidential case goes into its timeline."""
    case = permissions.ensure_visible(await cases.repo.get(ref), ref, principal)
    if case.get("confidential"):
        case = await cases.apply(ref, actions.plan(actions.read_logged, by=principal))
    return case


@router.get("/v1/cases/{ref}", response_model=CaseDetail, summary="One case with its messages")
async def get_case(ref: str, principal: Staff, cases: CasesDep) -> CaseDetail:
    return CaseDetail.model_validate(await _visible(ref, principal, cases))


@router.get("/v1/cases/{ref}/timeline", response_model=list[TimelineEntry], summary="Every change, in order")
async def get_timeline(ref: str, principal: Staff, cases: CasesDep) -> list[dict[str, Any]]:
    # An entry removed with MongoDB's $unset stays in the array as null: the readable entries are
    # shown, and .../timeline/verify says where the chain is broken.
    case = await _visible(ref, principal, cases)
    return [entry for entry in case.get("timeline", []) if isinstance(entry, dict)]


@router.get(
    "/v1/cases/{ref}/timeline/verify",
    response_model=Verification,
    summary="Recompute the hash chain",
    description="`ok` is false when an entry was altered or removed; `first_broken` is its position.",
)
async def verify_timeline(ref: str, principal: Staff, cases: CasesDep) -> Verification:
    case = permissions.ensure_visible(await cases.repo.get(ref), ref, principal)
    result = timeline.verify(list(case.get("timeline", [])))
    return Verification(ok=result.ok, entries=result.entries, first_broken=result.first_broken)
