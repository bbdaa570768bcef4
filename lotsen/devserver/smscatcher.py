"""A local SMS provider for ``make run``: takes SMS the way 46elks does and keeps them in ``var/sms``.

notify's SMS adapter posts ``from``, ``to`` and ``message`` form-encoded to ``POST /a1/sms`` with
basic auth; the catcher answers as 46elks does (``{"id": …, "status": "created", …}``) and writes
each message to ``var/sms/<time>-<id>.json``. ``GET /a1/sms`` lists what it caught, newest last, for
a developer or a test to read. A message to ``+46700000500`` is answered 500 and one to
``+46700000400`` 400, to try notify's retries and failures.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from lotsen.devserver.threaded import ThreadedServer, serve_in_thread

FAILS_WITH = {"+46700000500": 500, "+46700000400": 400}
MAX_FORM_BYTES = 64 * 1024


def create_app(folder: Path) -> Starlette:
    folder.mkdir(parents=True, exist_ok=True)

    async def send(request: Request) -> JSONResponse:
        if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
            return JSONResponse({"error": "too large"}, status_code=413)
        form = await request.form()
        fields = {key: str(form.get(key) or "") for key in ("from", "to", "message")}
        missing = [key for key, value in fields.items() if not value]
        if missing:
            return JSONResponse({"error": f"missing {', '.join(missing)}"}, status_code=400)
        status = FAILS_WITH.get(fields["to"])
        if status:
            return JSONResponse(
                {"error": f"the catcher fails {fields['to']} with {status}"}, status_code=status
            )
        now = datetime.now(UTC)
        sms_id = f"s{uuid.uuid4().hex[:24]}"
        user = request.headers.get("authorization", "")
        caught: dict[str, object] = {"id": sms_id, "status": "created", "created": now.isoformat(), **fields}
        caught["basic_auth"] = user.startswith("Basic ")
        path = folder / f"{now:%Y%m%dT%H%M%S.%f}-{sms_id}.json"
        await asyncio.to_thread(path.write_text, json.dumps(caught, ensure_ascii=False))
        return JSONResponse(caught)

    def read_caught() -> list[object]:
        return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]

    async def caught(request: Request) -> JSONResponse:
        return JSONResponse(await asyncio.to_thread(read_caught))

    return Starlette(
        routes=[Route("/a1/sms", send, methods=["POST"]), Route("/a1/sms", caught, methods=["GET"])]
    )


class SmsCatcher(ThreadedServer):
    """A running catcher (uvicorn in a thread of its own); ``url`` is what ``NOTIFY_SMS_URL`` takes."""


def start_smscatcher(
    folder: Path, *, host: str = "127.0.0.1", port: int = 8006, timeout: float = 15.0
) -> SmsCatcher:
    app = create_app(folder)
    return serve_in_thread(
        SmsCatcher, app, name="SMS catcher", host=host, port=port, path="/a1/sms", timeout=timeout
    )
