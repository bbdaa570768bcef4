"""``GET /v1/cases/{ref}/attachments/{sha256}``: a case's attachment, authorised like the case.

Intake stores attachments (by SHA-256) in its own database; casestore checks that the caller may
see the case and that the attachment belongs to one of its messages, then fetches the file from
intake's attachment API on the caller's behalf (their token goes along) and streams it back.
"""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from lotsen.auth import Staff
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
    if case.get("confidential"):
        await cases.apply(ref, actions.plan(actions.read_logged, by=principal))
    upstream_request = client.build_request(
        "GET",
        f"/v1/attachments/{sha256}",
        headers={"Authorization": request.headers.get("Authorization", "")},
    )
    try:
        upstream = await client.send(upstream_request, stream=True)
    except httpx.HTTPError as exc:
        raise Unavailable("the attachment store (intake) does not answer; try again shortly") from exc
    if upstream.status_code != 200:
        await upstream.aclose()
        if upstream.status_code == 404:
            raise NotFound(f"attachment {sha256} is no longer stored")
        raise Unavailable(f"the attachment store answered {upstream.status_code}")
    name = str(attachment.get("name") or sha256).replace('"', "")
    return StreamingResponse(
        upstream.aiter_bytes(),
        media_type=attachment.get("content_type") or "application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
        background=BackgroundTask(upstream.aclose),
    )
