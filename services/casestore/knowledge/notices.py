"""Crisis notices (*krisinformation*, *driftstörning*): "vid krisläge – information läggs ut snabbt".

A supervisor or administrator of an organisation publishes a notice in Swedish (and English and
Arabic when they have them) for a limited time, linked to the knowledge article agents answer
from. It shows on top of every workspace page, on the citizen pages (``GET
/v1/public/notices``) and goes out as ``notice.published`` on ``notices.events`` for the web site
and the phone system's IVR message (notify's webhooks). It ends when withdrawn
(``notice.withdrawn``) or by itself at ``ends_at`` (``notice.expired``, published once by the notice
scheduler, :mod:`.notices_scheduler`). Ended notices and who did what stay as history.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field, field_validator, model_validator

from lotsen.auth import Principal, Staff
from lotsen.contracts import topics
from lotsen.contracts.envelope import derived_event_id
from lotsen.contracts.notices import (
    NoticePublished,
    NoticePublishedData,
    NoticeWithdrawn,
    NoticeWithdrawnData,
)
from lotsen.errors import Conflict, DomainError, NotFound
from services.casestore import permissions
from services.casestore.changes import outbox_item
from services.casestore.deps import CasesDep, DirectoryDep
from services.casestore.knowledge import notices_public
from services.casestore.knowledge.access import ensure_may_publish_notice
from services.casestore.knowledge.notices_public import utc
from services.casestore.knowledge.repository import NoticeStore
from services.casestore.repository import Document

router = APIRouter(tags=["notices"])

LONGEST = timedelta(days=31)
Severity = Literal["info", "warning", "crisis"]


class InvalidNotice(DomainError):
    status = 422
    code = "invalid_notice"


class Texts(BaseModel):
    """One text in the languages the page may show; Swedish is what every page falls back to."""

    sv: str = Field(min_length=1, max_length=2000)
    en: str | None = Field(None, max_length=2000)
    ar: str | None = Field(None, max_length=2000)

    @field_validator("sv")
    @classmethod
    def _swedish_written(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the Swedish text is what every page falls back to: write it")
        return value

    def given(self) -> dict[str, str]:
        return {lang: text.strip() for lang, text in self.model_dump().items() if text and text.strip()}


class Headings(Texts):
    sv: str = Field(min_length=1, max_length=160)
    en: str | None = Field(None, max_length=160)
    ar: str | None = Field(None, max_length=160)


class NoticeWrite(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "organization": "karlskoga",
                    "severity": "crisis",
                    "title": {"sv": "Vattenläcka i Bofors", "en": "Water leak in Bofors"},
                    "text": {"sv": "Kokavisering gäller i Bofors tills vidare.", "en": "Boil your water."},
                    "ends_at": "2026-03-03T18:00:00Z",
                    "article_id": None,
                }
            ]
        }
    }
    organization: str = Field(min_length=1, max_length=64)
    severity: Severity = "crisis"
    title: Headings
    text: Texts
    starts_at: datetime | None = Field(None, description="when it starts showing; now if left out")
    ends_at: datetime = Field(description="when it stops showing by itself (at most 31 days on)")
    article_id: str | None = Field(
        None, max_length=64, description="the knowledge article agents answer from"
    )

    @model_validator(mode="after")
    def _aware(self) -> NoticeWrite:
        for moment in (self.starts_at, self.ends_at):
            if moment is None:
                continue
            if moment.tzinfo is None:
                raise ValueError("times must carry a UTC offset, e.g. 2026-03-03T18:00:00Z")
            try:
                moment.astimezone(UTC)
            except OverflowError as overflow:
                raise ValueError("a time out of range") from overflow
        return self


class HistoryEntry(BaseModel):
    at: datetime
    by: str
    what: str


class NoticeRead(BaseModel):
    id: str
    organization: str
    severity: Severity
    title: dict[str, str]
    text: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    article_id: str | None
    article_title: str | None
    state: Literal["published", "withdrawn", "expired"]
    showing: bool = Field(description="shown right now: published, started and not ended")
    published_at: datetime
    published_by: str
    ended_at: datetime | None
    ended_by: str | None
    history: list[HistoryEntry]


def store_of(request: Request) -> NoticeStore:
    return NoticeStore(request.app.state.runtime.db)


StoreDep = Annotated[NoticeStore, Depends(store_of)]


def showing(doc: Document, now: datetime) -> bool:
    return bool(doc["state"] == "published" and utc(doc["starts_at"]) <= now < utc(doc["ends_at"]))


def read(doc: Document, now: datetime) -> NoticeRead:
    return NoticeRead(
        id=doc["_id"],
        **{k: doc[k] for k in ("organization", "severity", "title", "text", "state", "published_by")},
        starts_at=utc(doc["starts_at"]),
        ends_at=utc(doc["ends_at"]),
        article_id=doc.get("article_id"),
        article_title=doc.get("article_title"),
        showing=showing(doc, now),
        published_at=utc(doc["published_at"]),
        ended_at=utc(doc["ended_at"]) if doc.get("ended_at") else None,
        ended_by=doc.get("ended_by"),
        history=[HistoryEntry.model_validate(e) for e in doc.get("history", [])],
    )


def _visible(doc: Document | None, notice_id: str, principal: Principal) -> Document:
    if doc is None or not permissions.scope_of(principal).serves(doc["organization"]):
        raise NotFound(f"no notice {notice_id}")
    return doc


async def _linked_article(body: NoticeWrite, cases: CasesDep) -> Document | None:
    if body.article_id is None:
        return None
    article = await cases.repo.get_article(body.article_id)
    if article is None or article.get("organization") != body.organization:
        raise InvalidNotice(
            f"{body.organization} has no knowledge article {body.article_id!r}",
            details={"field": "article_id"},
        )
    return article


def stored_time(moment: datetime) -> datetime:
    """``moment`` in UTC as MongoDB keeps it (milliseconds), so an answer equals a later read."""
    return utc(moment).replace(microsecond=moment.microsecond // 1000 * 1000)


def _times(body: NoticeWrite, now: datetime) -> tuple[datetime, datetime]:
    starts = stored_time(body.starts_at) if body.starts_at else now
    ends = stored_time(body.ends_at)
    if ends <= max(starts, now):
        raise InvalidNotice("ends_at must be after starts_at and in the future", details={"field": "ends_at"})
    if ends - starts > LONGEST:
        raise InvalidNotice(
            "a notice shows for at most 31 days; publish a new one after", details={"field": "ends_at"}
        )
    if starts - now > LONGEST:
        raise InvalidNotice("a notice starts within 31 days", details={"field": "starts_at"})
    return starts, ends


@router.post("/v1/kb/notices", response_model=NoticeRead, status_code=201, summary="Publish a notice")
async def publish_notice(
    body: NoticeWrite,
    request: Request,
    principal: Staff,
    cases: CasesDep,
    store: StoreDep,
    directory: DirectoryDep,
) -> NoticeRead:
    ensure_may_publish_notice(body.organization, principal)
    if directory.organization(body.organization) is None:
        raise InvalidNotice(f"unknown organization {body.organization!r}", details={"field": "organization"})
    now = stored_time(datetime.now(UTC))
    starts, ends = _times(body, now)
    article = await _linked_article(body, cases)
    notice_id = str(uuid.uuid4())
    title, text = body.title.given(), body.text.given()
    event = NoticePublished(
        producer="casestore",
        organization=body.organization,
        occurred_at=now,
        data=NoticePublishedData(
            notice_id=notice_id,
            severity=body.severity,
            title=title,
            text=text,
            starts_at=starts,
            ends_at=ends,
            article_id=body.article_id,
            published_by=principal.subject,
        ),
    )
    doc: Document = {
        "_id": notice_id,
        "organization": body.organization,
        "severity": body.severity,
        "title": title,
        "text": text,
        "starts_at": starts,
        "ends_at": ends,
        "article_id": body.article_id,
        "article_title": article["title"] if article else None,
        "state": "published",
        "published_at": now,
        "published_by": principal.subject,
        "ended_at": None,
        "ended_by": None,
        "history": [{"at": now, "by": principal.subject, "what": "published"}],
        "outbox": [outbox_item(topics.NOTICES_EVENTS, event, notice_id)],
        "updated_at": now,
    }
    await store.insert(doc)
    await store.flush(doc, cases.publisher)
    notices_public.forget(request, body.organization)
    return read(doc, now)


@router.get("/v1/kb/notices", response_model=list[NoticeRead], summary="Notices, newest first")
async def list_notices(
    principal: Staff,
    store: StoreDep,
    organization: Annotated[str | None, Query(max_length=64)] = None,
    current: Annotated[bool, Query(description="only those showing now (the banner)")] = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[NoticeRead]:
    served = permissions.scope_of(principal).organizations
    if organization is not None:
        served = (organization,) if served is None or organization in served else ()
    now = datetime.now(UTC)
    found = await store.listed(organizations_in=served, current_at=now if current else None, limit=limit)
    return [read(d, now) for d in found]


NoticeId = Annotated[str, Path(max_length=64)]


@router.get("/v1/kb/notices/{notice_id}", response_model=NoticeRead)
async def get_notice(notice_id: NoticeId, principal: Staff, store: StoreDep) -> NoticeRead:
    return read(_visible(await store.get(notice_id), notice_id, principal), datetime.now(UTC))


@router.post(
    "/v1/kb/notices/{notice_id}/withdraw", response_model=NoticeRead, summary="Withdraw a notice now"
)
async def withdraw_notice(
    notice_id: NoticeId, request: Request, principal: Staff, cases: CasesDep, store: StoreDep
) -> NoticeRead:
    doc = _visible(await store.get(notice_id), notice_id, principal)
    ensure_may_publish_notice(doc["organization"], principal)
    now = stored_time(datetime.now(UTC))
    event = NoticeWithdrawn(
        event_id=derived_event_id(notice_id, "withdrawn"),
        producer="casestore",
        organization=doc["organization"],
        occurred_at=now,
        data=NoticeWithdrawnData(notice_id=notice_id, withdrawn_at=now, withdrawn_by=principal.subject),
    )
    ended = await store.end(
        notice_id,
        state="withdrawn",
        changes={"ended_at": now, "ended_by": principal.subject},
        entry={"at": now, "by": principal.subject, "what": "withdrawn"},
        event=event,
    )
    if ended is None:
        raise Conflict(
            f"notice {notice_id} has already ended ({doc['state']})", details={"state": doc["state"]}
        )
    await store.flush(ended, cases.publisher)
    notices_public.forget(request, doc["organization"])
    return read(ended, now)
