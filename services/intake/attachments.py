"""``GET /v1/attachments/{sha256}``: a contact's file, for staff.

Files are stored once by their SHA-256 (the ``sha256`` of an attachment in ``contact.received``).
They are always served as downloads (``Content-Disposition: attachment``, ``nosniff``), so a file a
citizen sent never runs in the agent's browser.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import StreamingResponse

from lotsen.auth import Staff
from lotsen.errors import NotFound
from services.intake.repository import AttachmentStore

router = APIRouter(tags=["attachments"])


@router.get(
    "/v1/attachments/{sha256}",
    summary="Download an attachment by its SHA-256",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download_attachment(
    request: Request,
    staff: Staff,
    sha256: Annotated[str, Path(pattern=r"^[0-9a-fA-F]{64}$", description="hex SHA-256 of the file")],
) -> StreamingResponse:
    files = AttachmentStore(request.app.state.runtime.db)
    sha256 = sha256.lower()
    stored = await files.describe(sha256)
    if stored is None:
        raise NotFound(f"no attachment with SHA-256 {sha256}")
    filename = stored["filename"]
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return StreamingResponse(
        files.content(sha256, stored["generation"]),
        media_type=stored["content_type"],
        headers={
            "Content-Length": str(stored["length"]),
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
        },
    )
