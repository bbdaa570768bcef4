"""The knowledge bank (*kunskapsbank*): standard answers and checklists so every agent gives the same,
current answer. Articles belong to an organisation and an owner department, carry tags and a
review date (the date the owning department reviews it by), and count how often agents inserted
them into a reply. Supervisors and administrators write every article of their organisations, a
department's handlers those their departments own (:mod:`.access`); every save is a version and
readers see what changed since they last read (:mod:`.history`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from lotsen.auth import Principal, Staff
from lotsen.errors import DomainError, NotFound
from services.casestore import permissions
from services.casestore.deps import CasesDep, DirectoryDep
from services.casestore.knowledge import history as kb_history
from services.casestore.knowledge import notices, notices_public
from services.casestore.knowledge.access import ensure_may_edit_article
from services.casestore.knowledge.history import HistoryDep, current_version
from services.casestore.knowledge.repository import ArticleHistory
from services.casestore.repository import Document

router = APIRouter(tags=["knowledge bank"])


class InvalidArticle(DomainError):
    status = 422
    code = "invalid_article"


class ArticleWrite(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "organization": "karlskoga",
                    "title": "Bygglov för altan",
                    "body": "En altan lägre än 1,2 meter behöver normalt inte bygglov …",
                    "tags": ["bygglov", "altan"],
                    "owner_department": "samhallsbyggnad",
                    "review_date": "2026-09-01",
                    "checklist": ["Fråga om höjden", "Fråga om avståndet till tomtgränsen"],
                }
            ]
        }
    }
    organization: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)
    tags: list[str] = Field(default_factory=list, max_length=20)
    owner_department: str | None = Field(None, max_length=64)
    review_date: date | None = None
    checklist: list[str] = Field(default_factory=list, max_length=50)


class ArticleRead(ArticleWrite):
    id: str
    usage_count: int
    updated_at: datetime
    updated_by: str
    review_due: bool
    version: int = 1
    last_read_version: int | None = Field(None, description="the version you last marked read")
    changed_since_read: bool = Field(False, description="changed since you last read it")


def _read(doc: Document, last_read: int | None = None) -> ArticleRead:
    review = doc.get("review_date")
    review_date = date.fromisoformat(review) if isinstance(review, str) else review
    return ArticleRead(
        id=doc["_id"],
        **{k: doc.get(k) for k in ("organization", "title", "body", "tags", "owner_department", "checklist")},
        review_date=review_date,
        usage_count=doc.get("usage_count", 0),
        updated_at=doc["updated_at"],
        updated_by=doc["updated_by"],
        review_due=bool(review_date and review_date <= datetime.now(UTC).date()),
        version=current_version(doc),
        last_read_version=last_read,
        changed_since_read=last_read is not None and last_read < current_version(doc),
    )


def _document(
    body: ArticleWrite, article_id: str, by: Principal, previous: Document | None, directory: DirectoryDep
) -> Document:
    org = directory.organization(body.organization)
    if org is None:
        raise InvalidArticle(f"unknown organization {body.organization!r}")
    if body.owner_department and org.department(body.owner_department) is None:
        raise InvalidArticle(f"{org.id} has no department {body.owner_department!r}")
    tags = sorted({t.strip().lower() for t in body.tags if t.strip()})
    search = " ".join([body.title, body.body, *tags, *body.checklist]).lower()
    review_date = body.review_date.isoformat() if body.review_date else None
    reminded_for = previous.get("review_reminded_for") if previous else None
    return {
        "_id": article_id,
        **body.model_dump(mode="json", exclude={"tags"}),
        "tags": tags,
        "search": search,
        "usage_count": previous.get("usage_count", 0) if previous else 0,
        "version": current_version(previous) + 1 if previous else 1,
        "review_reminded_for": reminded_for,
        "review_reminded": reminded_for is not None and reminded_for == review_date,
        "updated_at": datetime.now(UTC),
        "updated_by": by.subject,
    }


@router.get("/v1/kb/articles", response_model=list[ArticleRead], summary="Search the knowledge bank")
async def search_articles(
    principal: Staff,
    history: HistoryDep,
    q: Annotated[str | None, Query(max_length=200, description="words that must all occur")] = None,
    organization: Annotated[str | None, Query(max_length=64)] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    owner_department: Annotated[
        list[str] | None, Query(max_length=20, description="articles these departments own")
    ] = None,
    review_due: Annotated[bool, Query(description="only articles whose review date has come")] = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[ArticleRead]:
    words = [w for w in (q or "").lower().split() if w]
    served = permissions.scope_of(principal).organizations
    if organization is not None:
        served = (organization,) if served is None or organization in served else ()
    docs = await history.search(
        words=words,
        organizations_in=served,
        tag=tag,
        owner_departments=tuple(owner_department) if owner_department else None,
        review_by=datetime.now(UTC).date().isoformat() if review_due else None,
        limit=limit,
    )
    read = await history.last_read(principal.subject, [d["_id"] for d in docs])
    return [_read(d, read.get(d["_id"])) for d in docs]


def _visible_article(doc: Document | None, article_id: str, principal: Principal) -> Document:
    """An article of an organisation the caller works for; any other answers 404 like a missing one."""
    if doc is None or not permissions.scope_of(principal).serves(doc.get("organization")):
        raise NotFound(f"no article {article_id}")
    return doc


@router.post("/v1/kb/articles", response_model=ArticleRead, status_code=201)
async def create_article(
    body: ArticleWrite, principal: Staff, cases: CasesDep, history: HistoryDep, directory: DirectoryDep
) -> ArticleRead:
    permissions.ensure_serves(body.organization, principal)
    ensure_may_edit_article(body.organization, body.owner_department, principal)
    doc = _document(body, str(uuid.uuid4()), principal, None, directory)
    await cases.repo.insert_article(doc)
    return await _saved(doc, principal, history)


async def _saved(doc: Document, principal: Principal, history: ArticleHistory) -> ArticleRead:
    """Record the saved article as a version; its writer has read what they wrote."""
    await history.record(doc)
    await history.mark_read(principal.subject, doc["_id"], doc["version"], doc["updated_at"])
    return _read(doc, doc["version"])


@router.get("/v1/kb/articles/{article_id}", response_model=ArticleRead)
async def get_article(article_id: str, principal: Staff, cases: CasesDep, history: HistoryDep) -> ArticleRead:
    doc = _visible_article(await cases.repo.get_article(article_id), article_id, principal)
    return _read(doc, (await history.last_read(principal.subject, [article_id])).get(article_id))


@router.put("/v1/kb/articles/{article_id}", response_model=ArticleRead)
async def update_article(
    article_id: str,
    body: ArticleWrite,
    principal: Staff,
    cases: CasesDep,
    history: HistoryDep,
    directory: DirectoryDep,
) -> ArticleRead:
    current = _visible_article(await cases.repo.get_article(article_id), article_id, principal)
    # The article as it is and as it will be: a department neither takes nor gives one away.
    ensure_may_edit_article(current["organization"], current.get("owner_department"), principal)
    permissions.ensure_serves(body.organization, principal)
    ensure_may_edit_article(body.organization, body.owner_department, principal)
    doc = _document(body, article_id, principal, current, directory)
    await cases.repo.replace_article(doc)
    return await _saved(doc, principal, history)


@router.post(
    "/v1/kb/articles/{article_id}/use",
    response_model=ArticleRead,
    summary="Insert into a reply: counts the use and returns the text",
)
async def use_article(article_id: str, principal: Staff, cases: CasesDep) -> ArticleRead:
    _visible_article(await cases.repo.get_article(article_id), article_id, principal)
    doc = await cases.repo.use_article(article_id)
    if doc is None:
        raise NotFound(f"no article {article_id}")
    return _read(doc)


# The article history, and the notices that link to articles, are served with the knowledge bank.
router.include_router(kb_history.router)
router.include_router(notices.router)
router.include_router(notices_public.router)
