"""The knowledge bank (*kunskapsbank*): standard answers and checklists so every agent gives the same,
current answer. Articles belong to an organisation and an owner department, carry tags and a
review date, and count how often agents inserted them into a reply.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from lotsen.auth import Principal, Staff, require_roles
from lotsen.errors import DomainError, NotFound
from services.casestore import permissions
from services.casestore.deps import CasesDep, DirectoryDep
from services.casestore.repository import Document

router = APIRouter(tags=["knowledge bank"])

Editor = Annotated[Principal, Depends(require_roles("supervisor", "admin"))]


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


def _read(doc: Document) -> ArticleRead:
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
    )


def _document(
    body: ArticleWrite, article_id: str, by: Principal, usage_count: int, directory: DirectoryDep
) -> Document:
    org = directory.organization(body.organization)
    if org is None:
        raise InvalidArticle(f"unknown organization {body.organization!r}")
    if body.owner_department and org.department(body.owner_department) is None:
        raise InvalidArticle(f"{org.id} has no department {body.owner_department!r}")
    tags = sorted({t.strip().lower() for t in body.tags if t.strip()})
    search = " ".join([body.title, body.body, *tags, *body.checklist]).lower()
    return {
        "_id": article_id,
        **body.model_dump(mode="json", exclude={"tags"}),
        "tags": tags,
        "search": search,
        "usage_count": usage_count,
        "updated_at": datetime.now(UTC),
        "updated_by": by.subject,
    }


@router.get("/v1/kb/articles", response_model=list[ArticleRead], summary="Search the knowledge bank")
async def search_articles(
    principal: Staff,
    cases: CasesDep,
    q: Annotated[str | None, Query(max_length=200, description="words that must all occur")] = None,
    organization: str | None = None,
    tag: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[ArticleRead]:
    words = [w for w in (q or "").lower().split() if w]
    served = permissions.scope_of(principal).organizations
    if organization is not None:
        served = (organization,) if served is None or organization in served else ()
    docs = await cases.repo.search_articles(words=words, organizations_in=served, tag=tag, limit=limit)
    return [_read(d) for d in docs]


def _visible_article(doc: Document | None, article_id: str, principal: Principal) -> Document:
    """An article of an organisation the caller works for; any other answers 404 like a missing one."""
    if doc is None or not permissions.scope_of(principal).serves(doc.get("organization")):
        raise NotFound(f"no article {article_id}")
    return doc


@router.post("/v1/kb/articles", response_model=ArticleRead, status_code=201)
async def create_article(
    body: ArticleWrite, principal: Editor, cases: CasesDep, directory: DirectoryDep
) -> ArticleRead:
    permissions.ensure_serves(body.organization, principal)
    doc = _document(body, str(uuid.uuid4()), principal, 0, directory)
    await cases.repo.insert_article(doc)
    return _read(doc)


@router.get("/v1/kb/articles/{article_id}", response_model=ArticleRead)
async def get_article(article_id: str, principal: Staff, cases: CasesDep) -> ArticleRead:
    return _read(_visible_article(await cases.repo.get_article(article_id), article_id, principal))


@router.put("/v1/kb/articles/{article_id}", response_model=ArticleRead)
async def update_article(
    article_id: str, body: ArticleWrite, principal: Editor, cases: CasesDep, directory: DirectoryDep
) -> ArticleRead:
    current = _visible_article(await cases.repo.get_article(article_id), article_id, principal)
    permissions.ensure_serves(body.organization, principal)
    doc = _document(body, article_id, principal, current.get("usage_count", 0), directory)
    await cases.repo.replace_article(doc)
    return _read(doc)


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
