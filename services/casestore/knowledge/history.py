"""Knowledge articles' history: every save is a version (who, when, what), and each reader's last
read version gives first line "changed since you last read" as a line diff.

Versions and reads are stored by :class:`~services.casestore.knowledge.repository.ArticleHistory`.
Only the version numbers are compared; the diff is computed with :mod:`difflib` from the version
read and the current article.
"""

from __future__ import annotations

import difflib
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel

from lotsen.auth import Principal, Staff
from lotsen.errors import NotFound
from services.casestore import permissions
from services.casestore.knowledge.repository import ArticleHistory
from services.casestore.repository import Document

router = APIRouter(tags=["knowledge bank"])


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
