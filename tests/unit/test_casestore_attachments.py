"""Downloading a case's attachment through casestore: any file name, intake's connection closed."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from fastapi import FastAPI
from starlette.requests import ClientDisconnect

from services.casestore.attachments import UpstreamDownload
from tests.casestore_support import app, client, handle, login, routed

__all__ = ["app", "client", "handle"]

REF = "KGA-2026-000001"
PDF = b"%PDF-1.4 ansokan" * 1000
SHA = hashlib.sha256(PDF).hexdigest()
NAME = "Ansökan — kopia.pdf"


class Upstream(httpx.AsyncByteStream):
    """intake's response body, remembering whether casestore closed it."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.body), 4096):
            yield self.body[start : start + 4096]

    async def aclose(self) -> None:
        self.closed = True


@pytest.fixture
def upstreams(app: FastAPI) -> list[tuple[int, Upstream]]:
    """Every response intake gave: the first answers ``status``, then 200 with the file."""
    given: list[tuple[int, Upstream]] = []

    def intake(request: httpx.Request) -> httpx.Response:
        status = 200 if given or not hasattr(app.state, "first_status") else app.state.first_status
        stream = Upstream(PDF if status == 200 else b'{"error": {}}')
        given.append((status, stream))
        return httpx.Response(status, stream=stream, headers={"Content-Type": "application/pdf"})

    app.state.intake_client = httpx.AsyncClient(
        transport=httpx.MockTransport(intake), base_url="http://intake"
    )
    return given


async def case_with(handle: Any, *, confidential: bool = False, name: str = NAME) -> None:
    attachment = {"name": name, "content_type": "application/pdf", "size": len(PDF), "sha256": SHA}
    await handle(
        routed(
            "mail-1",
            channel="email",
            attachments=[attachment],
            **(
                {"category": "forsorjningsstod", "department": "social", "confidential": True}
                if confidential
                else {}
            ),
        )
    )


async def test_a_file_named_outside_latin_1_downloads_with_both_names(
    client: httpx.AsyncClient, handle: Any, upstreams: list[tuple[int, Upstream]]
) -> None:
    await case_with(handle)
    response = await client.get(f"/v1/cases/{REF}/attachments/{SHA}", headers=await login(client, "agent"))
    assert response.status_code == 200
    assert response.content == PDF
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Ansokan _ kopia.pdf"; ')
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == NAME
    assert response.headers["x-content-type-options"] == "nosniff"
    assert [(status, stream.closed) for status, stream in upstreams] == [(200, True)]


@pytest.mark.parametrize("status, answer", [(404, 404), (500, 503), (401, 503)])
async def test_intakes_connection_is_closed_when_it_refuses(
    client: httpx.AsyncClient,
    handle: Any,
    app: FastAPI,
    upstreams: list[tuple[int, Upstream]],
    status: int,
    answer: int,
) -> None:
    app.state.first_status = status
    await case_with(handle)
    response = await client.get(f"/v1/cases/{REF}/attachments/{SHA}", headers=await login(client, "agent"))
    assert response.status_code == answer
    assert [(given, stream.closed) for given, stream in upstreams] == [(status, True)]


async def test_a_download_from_a_confidential_case_is_a_logged_read(
    client: httpx.AsyncClient, handle: Any, app: FastAPI, upstreams: list[tuple[int, Upstream]]
) -> None:
    await case_with(handle, confidential=True)
    supervisor = await login(client, "supervisor")
    assert (await client.get(f"/v1/cases/{REF}/attachments/{SHA}", headers=supervisor)).status_code == 200
    case = await app.state.cases.repo.get(REF)
    assert [(e["actor"], e["type"]) for e in case["timeline"] if e["type"] == "read"] == [
        ("supervisor", "read")
    ]


async def test_intakes_connection_is_closed_when_the_browser_goes_away() -> None:
    stream = Upstream(PDF)
    download = UpstreamDownload(httpx.Response(200, stream=stream), media_type="application/pdf")

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            raise OSError("connection reset by peer")  # the browser closed the tab mid-download

    with pytest.raises(ClientDisconnect):
        await download({"type": "http", "asgi": {"spec_version": "2.4"}}, receive, send)
    assert stream.closed
