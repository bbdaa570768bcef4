"""Knowledge articles' history: every save is a version (who, when, what), and each reader's last
read version gives first line "changed since you last read" as a line diff.

Versions live in ``kb_article_versions`` (``_id`` ``<article>:<version>``), reads in ``kb_reads``
(``_id`` ``<user>|<article>``). Only the version numbers are compared; the diff is computed with
:mod:`difflib` from the version read and the current article.
"""

from __future__ import annotations

import difflib
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from lotsen.auth import Principal, Staff
from lotsen.errors import NotFound
from services.casestore import permissions
from services.casestore.repository import Document

router = APIRouter(tags=["knowledge bank"])

VERSIONED = ("title", "body", "checklist", "tags", "owner_department", "review_date")
MAX_VERSIONS_LISTED = 100


class ArticleHistory:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._versions = db["kb_article_versions"]
        self._reads = db["kb_reads"]
        self._articles = db["kb_articles"]

    async def ensure_indexes(self) -> None:
        await self._versions.create_index([("article_id", ASCENDING), ("version", DESCENDING)])
        await self._reads.create_index([("subject", ASCENDING), ("article_id", ASCENDING)])

    async def record(self, article: Document) -> None:
        """The saved article as its version ``article["version"]``; saving the same version again
        (a retried request) changes nothing."""
        version = {k: article.get(k) for k in VERSIONED}
        await self._versions.update_one(
            {"_id": f"{article['_id']}:{article['version']}"},
            {
                "$setOnInsert": {
                    **version,
                    "article_id": article["_id"],
                    "version": article["version"],
                    "saved_at": article["updated_at"],
                    "saved_by": article["updated_by"],
                }
            },
            upsert=True,
        )

    async def versions(self, article_id: str) -> list[Document]:
        found = self._versions.find({"article_id": article_id}).sort("version", DESCENDING)
        return [doc async for doc in found.limit(MAX_VERSIONS_LISTED)]

    async def version(self, article_id: str, number: int) -> Document | None:
        return await self._versions.find_one({"_id": f"{article_id}:{number}"})

    async def mark_read(self, subject: str, article_id: str, version: int, at: datetime) -> None:
        await self._reads.update_one(
            {"_id": f"{subject}|{article_id}"},
            {"$set": {"subject": subject, "article_id": article_id, "version": version, "read_at": at}},
            upsert=True,
        )

    async def last_read(self, subject: str, article_ids: list[str]) -> dict[str, int]:
        """Article id → the version ``subject`` last read, for those they read at all."""
        if not article_ids:
            return {}
        ids = [f"{subject}|{a}" for a in article_ids]
        return {
            doc["article_id"]: int(doc["version"]) async for doc in self._reads.find({"_id": {"$in": ids}})
        }

    async def article(self, article_id: str) -> Document | None:
        return await self._articles.find_one({"_id": article_id})

    async def search(
        self,
        *,
        words: list[str],
        organizations_in: tuple[str, ...] | None,
        tag: str | None,
        owner_departments: tuple[str, ...] | None,
        review_by: str | None,
        limit: int,
    ) -> list[Document]:
        """The knowledge bank's search: every word, the organisations, a tag, the owning departments,
        a review date on or before ``review_by`` (ISO dates compare as strings); most used first."""
        query: Document = {"$and": [{"search": {"$regex": re.escape(w)}} for w in words]} if words else {}
        if organizations_in is not None:
            query["organization"] = {"$in": list(organizations_in)}
        if tag:
            query["tags"] = tag
        if owner_departments is not None:
            query["owner_department"] = {"$in": list(owner_departments)}
        if review_by is not None:
            query["review_date"] = {"$lte": review_by}
        order = [("usage_count", DESCENDING), ("title", ASCENDING)]
        return [doc async for doc in self._articles.find(query).sort(order).limit(limit)]


def history_of(request: Request) -> ArticleHistory:
    return ArticleHistory(request.app.state.runtime.db)


HistoryDep = Annotated[ArticleHistory, Depends(history_of)]


class VersionSummary(BaseModel):
    version: int
    saved_at: datetime
    saved_by: str
    title: str


class VersionRead(VersionSummary):
    body: str
    checklist: list[str]
    tags: list[str]
    owner_department: str | None
    review_date: str | None


class DiffLine(BaseModel):
    op: Literal["same", "added", "removed"]
    text: str


class ChangesSinceRead(BaseModel):
    current_version: int
    last_read_version: int | None
    changed: bool
    changed_by: str | None = None
    changed_at: datetime | None = None
    diff: list[DiffLine]


class ReadMark(BaseModel):
    version: int
    read_at: datetime


def as_text(doc: Document) -> list[str]:
    """What a reader reads, line by line: title, text and checklist."""
    checklist = [f"☐ {item}" for item in doc.get("checklist") or []]
    return [doc.get("title") or "", "", *(doc.get("body") or "").splitlines(), "", *checklist]


def line_diff(before: Document, after: Document) -> list[DiffLine]:
    old, new = as_text(before), as_text(after)
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            lines += [DiffLine(op="same", text=t) for t in old[i1:i2]]
            continue
        lines += [DiffLine(op="removed", text=t) for t in old[i1:i2]]
        lines += [DiffLine(op="added", text=t) for t in new[j1:j2]]
    return lines


async def _visible(history: ArticleHistory, article_id: str, principal: Principal) -> Document:
    doc = await history.article(article_id)
    if doc is None or not permissions.scope_of(principal).serves(doc.get("organization")):
        raise NotFound(f"no article {article_id}")
    return doc


def current_version(doc: Document) -> int:
    return int(doc.get("version", 1))


ArticleId = Annotated[str, Path(max_length=64)]


@router.get("/v1/kb/articles/{article_id}/versions", response_model=list[VersionSummary])
async def list_versions(article_id: ArticleId, principal: Staff, history: HistoryDep) -> list[Any]:
    await _visible(history, article_id, principal)
    return [VersionSummary.model_validate(v) for v in await history.versions(article_id)]


@router.get("/v1/kb/articles/{article_id}/versions/{number}", response_model=VersionRead)
async def get_version(
    article_id: ArticleId, number: Annotated[int, Path(ge=1)], principal: Staff, history: HistoryDep
) -> VersionRead:
    await _visible(history, article_id, principal)
    found = await history.version(article_id, number)
    if found is None:
        raise NotFound(f"article {article_id} has no version {number}")
    return VersionRead.model_validate(found)


@router.get(
    "/v1/kb/articles/{article_id}/changes",
    response_model=ChangesSinceRead,
    summary="What changed since you last read the article (marks nothing read)",
)
async def changes_since_read(
    article_id: ArticleId, principal: Staff, history: HistoryDep
) -> ChangesSinceRead:
    doc = await _visible(history, article_id, principal)
    current = current_version(doc)
    read = (await history.last_read(principal.subject, [article_id])).get(article_id)
    if read is None or read >= current:
        return ChangesSinceRead(current_version=current, last_read_version=read, changed=False, diff=[])
    before = await history.version(article_id, read)
    return ChangesSinceRead(
        current_version=current,
        last_read_version=read,
        changed=True,
        changed_by=doc.get("updated_by"),
        changed_at=doc.get("updated_at"),
        diff=line_diff(before or {}, doc),
    )


@router.post("/v1/kb/articles/{article_id}/read", response_model=ReadMark, summary="I have read it")
async def mark_read(article_id: ArticleId, principal: Staff, history: HistoryDep) -> ReadMark:
    doc = await _visible(history, article_id, principal)
    mark = ReadMark(version=current_version(doc), read_at=datetime.now(UTC))
    await history.mark_read(principal.subject, article_id, mark.version, mark.read_at)
    return mark
