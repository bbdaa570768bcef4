"""End to end through all five services: a citizen e-mails, notify's acknowledgement reaches the
citizen through SMTP, and the citizen's answer to it, fed back through intake, lands on the same case."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from lotsen.devserver.stack import Stack
from services.notify.rendering import local_time
from tests.helpers import demo_login, eventually
from tests.notify_support import Outbox

pytestmark = pytest.mark.integration


def citizen_mail(marker: str, *, subject: str, body: str, **headers: str) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = f"Sara Öberg <sara.{marker}@example.se>"
    message["To"] = "Karlskoga kommun <kommun@karlskoga.example>"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


async def test_the_citizens_answer_to_the_acknowledgement_threads_into_the_same_case(
    stack: Stack, stack_outbox: Outbox
) -> None:
    marker = uuid.uuid4().hex[:10]
    async with httpx.AsyncClient(timeout=10) as client:
        connector = {"X-Connector-Key": "dev-connector-key", "Content-Type": "message/rfc822"}
        first = citizen_mail(
            marker,
            subject=f"Bygglov för altan {marker}",
            body="Hej! Behöver jag bygglov för en altan på 25 kvm?",
            Message_ID=f"<{marker}.1@mail.example.se>",
        )
        posted = await client.post(
            f"{stack.url('intake')}/v1/contacts/email", content=first, headers=connector
        )
        assert posted.status_code == 202, posted.text

        [ack] = await eventually(lambda: _mails(stack_outbox, marker), timeout=60)
        ref = ack["Subject"].rsplit("[", 1)[1].rstrip("]")
        assert ack["In-Reply-To"] == f"<{marker}.1@mail.example.se>"
        assert ack["Auto-Submitted"] == "auto-replied"

        answer = citizen_mail(
            marker,
            subject=f"Sv: {ack['Subject']}",
            body="Tack! Altanen blir 1,2 meter hög. Ritningen kommer i nästa mejl.",
            Message_ID=f"<{marker}.2@mail.example.se>",
            In_Reply_To=ack["Message-ID"],
            References=f"{ack['References']} {ack['Message-ID']}",
        )
        answer = answer.replace(
            b"To: Karlskoga kommun <kommun@karlskoga.example>", f"To: {ack['From']}".encode()
        )
        posted = await client.post(
            f"{stack.url('intake')}/v1/contacts/email", content=answer, headers=connector
        )
        assert posted.status_code == 202, posted.text

        staff = await demo_login(client, stack)

        async def threaded() -> dict[str, Any] | None:
            case = (await client.get(f"{stack.url('casestore')}/v1/cases/{ref}", headers=staff)).json()
            inbound = [m for m in case.get("messages", []) if m["direction"] == "inbound"]
            return case if len(inbound) == 2 else None

        case = await eventually(threaded, timeout=60)
        # The acknowledgement promises the very due time casestore set for the errand type.
        promised = local_time(datetime.fromisoformat(case["first_response_due"].replace("Z", "+00:00")), "sv")
        plain = ack.get_body(preferencelist=("plain",))
        assert plain is not None and f"Du får svar senast {promised}." in plain.get_content()
        listed = await client.get(f"{stack.url('casestore')}/v1/cases", params={"q": marker}, headers=staff)
        assert [c["ref"] for c in listed.json()["items"]] == [ref], "the answer opened no case of its own"

        async def acknowledged() -> dict[str, Any] | None:
            detail = (await client.get(f"{stack.url('casestore')}/v1/cases/{ref}", headers=staff)).json()
            ack_message = next(m for m in detail["messages"] if m.get("kind") == "acknowledgement")
            return ack_message if (ack_message.get("delivery") or {}).get("status") == "delivered" else None

        await eventually(acknowledged, timeout=60)
    answer_on_case = [m for m in case["messages"] if m["direction"] == "inbound"][-1]
    assert "Altanen blir 1,2 meter hög" in answer_on_case["text"]


def _mails(outbox: Outbox, marker: str) -> Any:
    async def probe() -> list[EmailMessage] | None:
        return outbox.messages(marker) or None

    return probe()
