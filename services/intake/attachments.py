"""``GET /v1/attachments/{sha256}``: a contact's file, for casestore alone.

Files are stored once by their SHA-256 (the ``sha256`` of an attachment in ``contact.received``).
People download them from casestore (``GET /v1/cases/{ref}/attachments/{sha256}``), which
authorises each download like the case it belongs to and logs reads of confidential ones; this
endpoint answers only a caller with the services' shared key (``X-Service-Key``,
``LOTSEN_SERVICE_KEY``), never a person's token: 401 without the key or with a wrong one, 403 when
no key is configured. Files are always served as downloads (``Content-Disposition: attachment``,
``nosniff``), so a file a citizen sent never runs in the agent's browser.

A file can be erased (``case.erased``) between the lookup and the read. The first chunk is
therefore read before the answer starts: a file gone by then is a 404, not a response that
promises bytes it cannot send. One erased while its later chunks stream ends the transfer
short, which tells the client the download failed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import StreamingResponse

from lotsen.auth import ServiceCaller
from lotsen.downloads import attachment_disposition
from lotsen.errors import NotFound
from services.intake.repository import AttachmentStore

router = APIRouter(tags=["attachments"])


@router.get(
    "/v1/attachments/{sha256}",
    summary="An attachment by its SHA-256, for casestore (X-Service-Key)",
    response_class=StreamingResponse,
    dependencies=[ServiceCaller],
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download_attachment(
    request: Request,
    sha256: Annotated[str, Path(pattern=r"^[0-9a-fA-F]{64}$", description="hex SHA-256 of the file")],
) -> StreamingResponse:
    files = AttachmentStore(request.app.state.runtime.db)
    sha256 = sha256.lower()
    stored = await files.describe(sha256)
    if stored is None:
        raise NotFound(f"no attachment with SHA-256 {sha256}")
    chunks = files.content(sha256, stored["generation"])
    first = await anext(chunks, None)
    if first is None and stored["length"]:
        raise NotFound(f"no attachment with SHA-256 {sha256}")
    return StreamingResponse(
        _starting_with(first, chunks),
        media_type=stored["content_type"],
        headers={
            "Content-Length": str(stored["length"]),
            "Content-Disposition": attachment_disposition(stored["filename"]),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
        },
    )


async def _starting_with(first: bytes | None, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if first is not None:
        yield first
    async for chunk in rest:
        yield chunk
