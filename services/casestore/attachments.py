"""``GET /v1/cases/{ref}/attachments/{sha256}``: a case's attachment, authorised like the case.

Intake stores attachments (by SHA-256) in its own database; casestore checks that the caller may
see the case and that the attachment belongs to one of its messages, logs the read of a
confidential case, then fetches the file from intake's attachment API with the services' shared
key (``LOTSEN_SERVICE_KEY``; intake serves no person directly) and streams it back, closing the
connection to intake however the download ends.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from lotsen.auth import Staff
from lotsen.downloads import attachment_disposition
from lotsen.errors import NotFound, Unavailable
from services.casestore import actions, permissions
from services.casestore.deps import CasesDep

router = APIRouter(tags=["cases"])

Sha256 = Annotated[str, Path(pattern="^[0-9a-f]{64}$", description="the attachment's SHA-256, hex")]


def intake_client(request: Request) -> httpx.AsyncClient:
    client = getattr(request.app.state, "intake_client", None)
    if client is None:
        client = httpx.AsyncClient(base_url=request.app.state.settings.intake_url, timeout=30)
        request.app.state.intake_client = client
    return client


class UpstreamDownload(StreamingResponse):
    """Streams intake's response and closes it when the download ends: completed, cut off by the
    browser, or failed (a background task would not run when the client goes away)."""

    def __init__(self, upstream: httpx.Response, **kwargs: Any) -> None:
        super().__init__(upstream.aiter_bytes(), **kwargs)
        self.upstream = upstream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await asyncio.shield(self.upstream.aclose())  # completes even when the request is cancelled


@router.get(
    "/v1/cases/{ref}/attachments/{sha256}",
    response_class=StreamingResponse,
    summary="Download an attachment of the case",
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def get_attachment(
    ref: str,
    sha256: Sha256,
    request: Request,
    principal: Staff,
    cases: CasesDep,
    client: Annotated[httpx.AsyncClient, Depends(intake_client)],
) -> StreamingResponse:
    case = permissions.ensure_visible(await cases.repo.get(ref), ref, principal)
    attachment = next(
        (a for m in case.get("messages", []) for a in m.get("attachments", []) if a.get("sha256") == sha256),
        None,
    )
    if attachment is None:
        raise NotFound(f"case {ref} has no attachment {sha256}")
    service_key = request.app.state.settings.service_key
    if not service_key:
        raise Unavailable("attachments cannot be fetched: LOTSEN_SERVICE_KEY is not set for casestore")
    if case.get("confidential"):
        await cases.apply(ref, actions.plan(actions.read_logged, by=principal))
    headers = {
        "Content-Disposition": attachment_disposition(str(attachment.get("name") or sha256)),
        "X-Content-Type-Options": "nosniff",
    }
    upstream_request = client.build_request(
        "GET", f"/v1/attachments/{sha256}", headers={"X-Service-Key": service_key}
    )
    try:
        upstream = await client.send(upstream_request, stream=True)
    except httpx.HTTPError as exc:
        raise Unavailable("the attachment store (intake) does not answer; try again shortly") from exc
    if upstream.status_code != 200:
        await upstream.aclose()
        if upstream.status_code == 404:
            raise NotFound(f"attachment {sha256} is no longer stored")
        if upstream.status_code in (401, 403):
            raise Unavailable("intake refused the service key: give both the same LOTSEN_SERVICE_KEY")
        raise Unavailable(f"the attachment store answered {upstream.status_code}")
    return UpstreamDownload(
        upstream,
        media_type=attachment.get("content_type") or "application/octet-stream",
        headers=headers,
    )
