"""``GET /v1/public/cases/{ref}``: a citizen follows their errand with its reference and access code.

No log-in. The answer holds the status, the dates and our replies to the citizen, nothing else:
no names, addresses, internal notes, department or category. A wrong code and a missing case get
the same answer, and lookups are rate-limited per address so codes cannot be guessed.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from lotsen.addresses import request_client
from lotsen.errors import Conflict, NotFound
from lotsen.ratelimit import RateLimiter, WindowLimit
from services.casestore import survey
from services.casestore.changes import Change
from services.casestore.deps import CasesDep
from services.casestore.repository import Document

router = APIRouter(tags=["citizens"])

STATUS_TEXT = {
    "new": "Mottaget",
    "open": "Under handläggning",
    "pending_citizen": "Väntar på svar från dig",
    "handed_off": "Överlämnat till förvaltningen",
    "resolved": "Besvarat",
    "closed": "Avslutat",
}


class PublicReply(BaseModel):
    at: datetime
    text: str


class PublicCase(BaseModel):
    ref: str
    status: str
    status_text: str
    received_at: datetime | None
    updated_at: datetime
    first_response_due: datetime | None
    resolved_at: datetime | None
    replies: list[PublicReply]


def _limiter(request: Request) -> RateLimiter:
    limiter = getattr(request.app.state, "public_limiter", None)
    if limiter is None:
        settings = request.app.state.settings
        limiter = RateLimiter(
            [WindowLimit(settings.public_lookups_per_hour, 3600, "an hour")], what="look-ups of errands"
        )
        request.app.state.public_limiter = limiter
    return limiter


async def _case_for_citizen(ref: str, code: str, request: Request, cases: CasesDep) -> Document:
    _limiter(request).hit(request_client(request, request.app.state.settings.trusted_proxies))
    case = await cases.repo.get(ref.strip().upper())
    expected = (case or {}).get("access_code") or "-" * 10
    typed = "".join(code.split()).upper()  # a receipt prints the code in groups: K7M2Q 9TXAB
    if case is None or not hmac.compare_digest(typed.encode(), expected.encode()):
        raise NotFound("no errand with that reference and access code")
    return case


@router.get(
    "/v1/public/cases/{ref}",
    response_model=PublicCase,
    summary="Följ ditt ärende: status, dates and replies for the citizen",
    responses={
        404: {"description": "no case with that reference and code"},
        429: {"description": "slow down"},
    },
)
async def public_case(
    ref: str,
    request: Request,
    cases: CasesDep,
    code: Annotated[str, Query(min_length=1, max_length=64, description="the access code from the receipt")],
) -> PublicCase:
    case = await _case_for_citizen(ref, code, request, cases)
    replies = [
        PublicReply(at=m["at"], text=m["text"])
        for m in case.get("messages", [])
        if m["direction"] == "outbound" and not m.get("automatic")
    ]
    return PublicCase(
        ref=case["_id"],
        status=case["status"],
        status_text=STATUS_TEXT.get(case["status"], case["status"]),
        received_at=case.get("received_at"),
        updated_at=case["updated_at"],
        first_response_due=case.get("first_response_due"),
        resolved_at=case.get("resolved_at"),
        replies=replies,
    )


Score = Field(ge=1, le=5, description="1 (poor) to 5 (very good)")


class SurveyAnswer(BaseModel):
    """The satisfaction questions (NKI): treatment, knowledge, accessibility."""

    model_config = {"json_schema_extra": {"examples": [{"bemotande": 5, "kunskap": 4, "tillganglighet": 4}]}}
    bemotande: int = Score
    kunskap: int = Score
    tillganglighet: int = Score


class SurveyAlreadyAnswered(Conflict):
    code = "survey_answered"


class SurveyNotOpen(Conflict):
    code = "survey_not_open"


def survey_answered(case: Document, answer: SurveyAnswer, *, at: datetime) -> Change:
    if case.get("survey_answered_at"):
        raise SurveyAlreadyAnswered("this errand's survey has already been answered; thank you")
    return survey.answered(case, answer.model_dump(), at=at)


@router.post(
    "/v1/public/cases/{ref}/survey",
    status_code=202,
    summary="The citizen's satisfaction answer, once per errand",
    responses={
        404: {"description": "no case with that reference and code"},
        409: {"description": "answered"},
    },
)
async def answer_survey(
    ref: str,
    body: SurveyAnswer,
    request: Request,
    cases: CasesDep,
    code: Annotated[str, Query(min_length=1, max_length=64)],
) -> dict[str, str]:
    case = await _case_for_citizen(ref, code, request, cases)
    if case["status"] not in ("resolved", "closed"):
        raise SurveyNotOpen("the survey opens when the errand has been answered")
    await cases.apply(case["_id"], lambda c: survey_answered(c, body, at=cases.clock()))
    return {"status": "thank you"}
