"""The case API agents work in (DESIGN §4)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request

from lotsen.auth import Staff
from lotsen.errors import NotFound
from services.casestore import visibility
from services.casestore.models import CasePage, CaseRead
from services.casestore.repository import CaseQuery, CaseRepository

router = APIRouter(tags=["cases"])
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _repo(request: Request) -> CaseRepository:
    return CaseRepository(request.app.state.runtime.db)


def _local_midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time(0), STOCKHOLM) if day else None


@router.get("/v1/cases", response_model=CasePage, summary="Queues and search")
async def list_cases(
    request: Request,
    principal: Staff,
    status: str | None = None,
    organization: str | None = None,
    department: str | None = None,
    answer_group: str | None = None,
    assignee: str | None = None,
    channel: str | None = None,
    category: str | None = None,
    created_from: Annotated[
        date | None, Query(description="local date (Europe/Stockholm), inclusive")
    ] = None,
    created_to: Annotated[date | None, Query(description="local date (Europe/Stockholm), inclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> CasePage:
    query = CaseQuery(
        status=status,
        organization=organization,
        department=department,
        answer_group=answer_group,
        assignee=assignee,
        channel=channel,
        category=category,
        created_from=_local_midnight(created_from),
        created_to=_local_midnight(date.fromordinal(created_to.toordinal() + 1)) if created_to else None,
    )
    docs, next_cursor = await _repo(request).list(
        visibility.narrow(query, principal), limit=limit, cursor=cursor
    )
    return CasePage(items=[_read(d) for d in docs], next_cursor=next_cursor)


@router.get("/v1/cases/{ref}", response_model=CaseRead, summary="One case")
async def get_case(ref: str, request: Request, principal: Staff) -> CaseRead:
    case = await _repo(request).get(ref)
    if case is None or not visibility.may_see(case, principal):
        raise NotFound(f"no case {ref} that you may see")
    return _read(case)


def _read(doc: dict[str, Any]) -> CaseRead:
    return CaseRead.model_validate(doc)
