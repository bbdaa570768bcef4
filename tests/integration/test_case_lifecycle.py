"""An errand from e-mail to automatic closing, through the real services and the real broker.

This module runs its own stack (with its own embedded broker) whose casestore has fast clocks:
handoffs of errand types without a deadline of their own are due at once
(``CASESTORE_HANDOFF_WORKING_DAYS=0``), resolved cases close at once
(``CASESTORE_AUTO_CLOSE_DAYS=0``) and the SLA scheduler looks every half second, so the reminder
and the automatic close happen within the test. The session stack keeps the real clocks.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from lotsen.devserver.stack import SERVICES, Stack
from lotsen.kafka.broker import free_port
from tests.conftest import MONGODB_URL
from tests.helpers import demo_login, eventually
from tests.notify_support import Outbox

pytestmark = pytest.mark.integration

KEY = {"X-Connector-Key": "dev-connector-key"}


@pytest.fixture(scope="module")
async def fast_stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    lines: list[str] = []
    outbox = Outbox(tmp_path_factory.mktemp("fast-outbox"))
    system = Stack(
        ports={**{name: free_port() for name in SERVICES}, "smtp": free_port()},
        mongodb_url=MONGODB_URL,
        log=lambda name, line: lines.append(f"{name} | {line}"),
        extra_env={
            "CASESTORE_HANDOFF_WORKING_DAYS": "0",
            "CASESTORE_AUTO_CLOSE_DAYS": "0",
            "CASESTORE_SLA_SCAN_SECONDS": "0.5",
            "NOTIFY_SMTP_PORT": str(outbox.port),
        },
    )
    try:
        await system.start(timeout=90)
    except Exception:
        print("\n".join(lines[-80:]))
        raise
    yield system
    await system.stop()
    outbox.stop()


def email(subject: str, *, message_id: str, in_reply_to: str | None = None, body: str = "Hej!") -> bytes:
    headers = [
        "From: Åsa Lindqvist <asa.lindqvist@example.se>",
        "To: kommun@karlskoga.example",
        f"Subject: {subject}",
        f"Message-ID: {message_id}",
        "Date: Mon, 02 Mar 2026 08:41:12 +0100",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if in_reply_to:
        headers += [f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode()


async def test_from_email_to_automatic_close(fast_stack: Stack) -> None:
    marker = uuid.uuid4().hex[:8]
    intake, casestore = fast_stack.url("intake"), fast_stack.url("casestore")
    async with httpx.AsyncClient(timeout=15) as http:
        agent = await demo_login(http, fast_stack, "agent")
        handler = await demo_login(http, fast_stack, "handler")

        async def post_mail(raw: bytes) -> None:
            response = await http.post(
                f"{intake}/v1/contacts/email", content=raw, headers={**KEY, "Content-Type": "message/rfc822"}
            )
            assert response.status_code == 202, response.text

        async def case_of(ref: str) -> dict[str, Any]:
            return (await http.get(f"{casestore}/v1/cases/{ref}", headers=agent)).json()  # type: ignore[no-any-return]

        # 1. The citizen writes; a case opens and is acknowledged automatically. An errand type without
        # a deadline of its own (bygglov has 5 working days whatever this stack's default says).
        await post_mail(
            email(
                f"Ritningar till huset {marker}",
                message_id=f"<{marker}.1@mail.example.se>",
                body="Kan jag få ritningarna till huset på Storgatan 3?",
            )
        )

        async def opened() -> dict[str, Any] | None:
            page = (await http.get(f"{casestore}/v1/cases", params={"q": marker}, headers=agent)).json()
            return page["items"][0] if page["items"] else None

        ref = (await eventually(opened))["ref"]

        # 2. An agent replies; the reply is on the case with our Message-ID.
        reply = await http.post(
            f"{casestore}/v1/cases/{ref}/messages",
            headers=agent,
            json={"kind": "reply", "text": "Hej Åsa! Vilket år byggdes huset?"},
        )
        assert reply.status_code == 200
        ours = [m for m in reply.json()["messages"] if m["direction"] == "outbound" and m["kind"] == "reply"]
        assert ours
        await http.post(f"{casestore}/v1/cases/{ref}/pending", headers=agent)

        # 3. The citizen answers our e-mail (In-Reply-To names the Message-ID notify sent with).
        our_message_id = ours[-1]["message_id"]
        assert our_message_id.startswith(f"<{ref}.") and our_message_id.endswith("@karlskoga.example>")
        await post_mail(
            email(
                "Sv: ritningar",
                message_id=f"<{marker}.2@mail.example.se>",
                in_reply_to=our_message_id,
                body="Det byggdes 1962.",
            )
        )

        async def threaded() -> bool:
            case = await case_of(ref)
            return (
                case["status"] == "open" and sum(m["direction"] == "inbound" for m in case["messages"]) == 2
            )

        assert await eventually(threaded)

        # 4. Handoff; overdue at once with these clocks: the reminder is due.
        handed = await http.post(
            f"{casestore}/v1/cases/{ref}/handoff",
            headers=agent,
            json={"department": "samhallsbyggnad", "reason": "Ritningarna finns i arkivet"},
        )
        assert handed.json()["status"] == "handed_off"

        async def reminded() -> bool:
            timeline = (await http.get(f"{casestore}/v1/cases/{ref}/timeline", headers=agent)).json()
            return any(e["type"] == "reminder_due" for e in timeline)

        assert await eventually(reminded)

        # 5. The department returns it, first line resolves it, and it closes by itself.
        returned = await http.post(
            f"{casestore}/v1/cases/{ref}/return", headers=handler, json={"reason": "Ritningarna skickade"}
        )
        assert returned.json()["status"] == "open"
        resolved = await http.post(
            f"{casestore}/v1/cases/{ref}/resolve",
            headers=agent,
            json={"resolution_code": "answered", "failure_demand": False},
        )
        assert resolved.status_code == 200

        async def closed() -> bool:
            return (await case_of(ref))["status"] == "closed"

        assert await eventually(closed)

        timeline = (await http.get(f"{casestore}/v1/cases/{ref}/timeline", headers=agent)).json()
        kinds = [e["type"] for e in timeline]
        for expected in (
            "created",
            "message",
            "handed_off",
            "reminder_due",
            "returned",
            "resolved",
            "closed",
        ):
            assert expected in kinds, expected
        verify = (await http.get(f"{casestore}/v1/cases/{ref}/timeline/verify", headers=agent)).json()
        assert verify == {"ok": True, "entries": len(timeline), "first_broken": None}
