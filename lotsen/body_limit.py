"""Request bodies held to the service's size limit before they are read into memory.

A declared ``Content-Length`` over the limit is refused before a byte of the body is read; a body
without one (chunked) is counted as it streams in and refused as soon as it passes the limit. The
refusal is ``413`` in the standard error JSON (``code`` ``too_large``), with the limit in the
message and as ``details.limit_bytes``. Routes that read bodies themselves with a smaller limit of
their own (intake's) keep refusing by theirs.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lotsen.errors import error_body


def size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} kB"


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit (an HTTPException, so FastAPI
    hands it on instead of answering 'error parsing the body')."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413, f"the request body is larger than the limit of {size_text(limit)} ({limit} bytes)"
        )
        self.limit = limit


def refusal(exc: BodyTooLarge) -> JSONResponse:
    return JSONResponse(
        error_body("too_large", str(exc.detail), {"limit_bytes": exc.limit}),
        413,
        headers={"Connection": "close"},
    )


class BodyLimit:
    """ASGI middleware: no request body larger than ``limit`` bytes reaches the app."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await refusal(BodyTooLarge(self.limit))(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await refusal(exc)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def limit_request_bodies(app: FastAPI, limit: int) -> None:
    """Hold every request body of ``app`` to ``limit`` bytes."""

    async def too_large(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, BodyTooLarge)
        return refusal(exc)

    app.add_exception_handler(BodyTooLarge, too_large)
    app.add_middleware(BodyLimit, limit=limit)
