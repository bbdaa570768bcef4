"""``GET /v1/public/notices?organization=``: the notices showing now, for the citizen pages and the
web site (the directory's default organisation when none is named). No log-in; only what the
public may read (no article, no names, no history); at most ``LIMIT`` notices; answered from a
copy at most ``CACHE_SECONDS`` old on this replica (the web site may poll often) and marked
cacheable as long. Publishing or withdrawing on this replica forgets the copy at once; other
replicas see it within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from lotsen.errors import NotFound
from services.casestore.deps import DirectoryDep
from services.casestore.knowledge.repository import NoticeStore
from services.casestore.repository import Document

router = APIRouter(tags=["citizens"])

LIMIT = 10
CACHE_SECONDS = 15.0


class PublicNotice(BaseModel):
    id: str
    organization: str
    severity: Literal["info", "warning", "crisis"]
    title: dict[str, str]
    text: dict[str, str]
    starts_at: datetime
    ends_at: datetime


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def public(doc: Document) -> PublicNotice:
    return PublicNotice(
        id=doc["_id"],
        **{k: doc[k] for k in ("organization", "severity", "title", "text")},
        starts_at=utc(doc["starts_at"]),
        ends_at=utc(doc["ends_at"]),
    )


Cached = dict[str, tuple[float, list[PublicNotice]]]


def _cache(request: Request) -> Cached:
    """This app's copies by organisation (kept on the app, so each app has its own)."""
    state = request.app.state
    if not hasattr(state, "public_notices"):
        state.public_notices = {}
    return state.public_notices  # type: ignore[no-any-return]


def forget(request: Request, organization: str) -> None:
    _cache(request).pop(organization, None)


@router.get(
    "/v1/public/notices",
    response_model=list[PublicNotice],
    summary="Notices showing now for an organisation (no log-in)",
)
async def public_notices(
    request: Request,
    response: Response,
    directory: DirectoryDep,
    organization: Annotated[
        str | None, Query(min_length=1, max_length=64, description="the directory's default if left out")
    ] = None,
) -> list[PublicNotice]:
    organization = organization or directory.default_organization.id
    if directory.organization(organization) is None:
        raise NotFound(f"no organisation {organization!r}", details={"field": "organization"})
    response.headers["Cache-Control"] = f"public, max-age={int(CACHE_SECONDS)}"
    cached = _cache(request)
    kept = cached.get(organization)
    if kept is not None and time.monotonic() - kept[0] < CACHE_SECONDS:
        return [n for n in kept[1] if n.ends_at > datetime.now(UTC)]
    store = NoticeStore(request.app.state.runtime.db)
    found = await store.listed(organizations_in=(organization,), current_at=datetime.now(UTC), limit=LIMIT)
    notices = [public(d) for d in found]
    cached[organization] = (time.monotonic(), notices)
    return notices
