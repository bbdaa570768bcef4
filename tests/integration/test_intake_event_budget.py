"""A citizen's oversized e-mail over the real SMTP listener and broker: accepted once, under budget,
and routed (routing adds its decision and still fits the broker's record limit)."""

from __future__ import annotations

import uuid

import aiosmtplib
import pytest

from lotsen.contracts import topics
from lotsen.contracts.envelope import encode_event
from lotsen.devserver.stack import Stack
from services.intake.settings import IntakeSettings
from tests.intake_support import read_events

pytestmark = pytest.mark.integration
BUDGET = IntakeSettings.model_fields["event_max_bytes"].default


async def test_a_one_megabyte_subject_and_body_over_smtp_is_accepted_and_routed(stack: Stack) -> None:
    subject = "\r\n ".join(["Bygglov för altan"] * 60_000)  # about 1 MB, folded
    body = "\r\n".join(f"Rad {n}: vi vill bygga en altan på 25 kvm." for n in range(40_000))
    raw = (
        f"From: Anna <anna@example.se>\r\nTo: kommun@karlskoga.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@example.se>\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
    ).encode()
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=stack.ports["smtp"], timeout=120) as client:
        _, reply = await client.sendmail("mta@karlskoga.example", ["kommun@karlskoga.example"], raw)
    assert reply.startswith("2.0.0 OK")
    contact_id = reply.rsplit(" ", 1)[-1]

    [received] = await read_events(
        stack.bootstrap_servers,
        topics.CONTACTS_RECEIVED,
        lambda e: e.data.contact_id == contact_id,
        at_least=1,
    )
    assert len(encode_event(received)) <= BUDGET and received.data.text_truncated
    [routed] = await read_events(
        stack.bootstrap_servers, topics.CONTACTS_ROUTED, lambda e: e.data.contact_id == contact_id, at_least=1
    )
    assert routed.data.decision.category and routed.data.subject == received.data.subject
