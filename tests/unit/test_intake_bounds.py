"""No contact event intake builds can outgrow the broker: fields are cut, long texts stored whole,
and what cannot be bounded is refused for good (413 / SMTP 552), never "try again later"."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiosmtplib
import pytest

from lotsen.contracts.envelope import encode_event
from lotsen.kafka.memory import InMemoryBus
from lotsen.settings import DEMO_SERVICE_KEY
from services.intake.bounds import REFERENCES_MAX, SUBJECT_MAX_CHARS
from services.intake.settings import IntakeSettings
from tests.intake_support import KEY, Intake, intake_on, signature

BUDGET = IntakeSettings.model_fields["event_max_bytes"].default
TEXT_BUDGET = IntakeSettings.model_fields["text_max_bytes"].default
RFC822 = {**KEY, "Content-Type": "message/rfc822"}
KOMMUN = "kommun@karlskoga.example"
CONTROLS = [chr(c) for c in (*range(0x20), 0x7F, 0x85, 0x2028, 0x202E)]


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[Intake]:
    async with intake_on(bus) as running:
        yield running


@pytest.fixture
def agent(token_for: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for('agent', subject='agent.anna')}"}


def folded(text: str) -> str:
    """A header value folded at its spaces, as a mail program folds it (lines under 1,000 octets)."""
    return "\r\n ".join(text.split(" "))


def message(
    *, subject: str = "Fråga", body: str = "Hej!", headers: str = "", sender: str = "a@example.se"
) -> bytes:
    return (
        f"From: Anna <{sender}>\r\nTo: {KOMMUN}\r\nSubject: {subject}\r\n{headers}"
        f"Message-ID: <{hashlib.sha256((subject + body + headers).encode()).hexdigest()}@example.se>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"{body}\r\n"
    ).encode()


async def smtp_send(intake: Intake, raw: bytes) -> str:
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=intake.smtp_port) as smtp:
        _, reply = await smtp.sendmail("a@example.se", [KOMMUN], raw)
    return reply


def assert_within_budget(intake: Intake, budget: int = BUDGET) -> None:
    for event in intake.contacts():
        assert len(encode_event(event)) <= budget


def assert_single_lines(event: Any) -> None:
    data = event.data
    for value in (data.subject, data.sender.name, data.sender.email, data.sender.phone):
        assert value is None or not any(c in value for c in CONTROLS), value


async def test_a_one_megabyte_subject_over_smtp_becomes_a_contact_under_the_budget(intake: Intake) -> None:
    subject = "Bygglov för altan " * 60_000  # about 1 MB, folded over many lines
    reply = await smtp_send(intake, message(subject=folded(subject)))
    assert reply.startswith("2.0.0 OK")
    [event] = intake.contacts()
    assert len(encode_event(event)) <= BUDGET
    assert event.data.subject.startswith("Bygglov för altan Bygglov")
    assert len(event.data.subject) <= SUBJECT_MAX_CHARS and event.data.subject.endswith("…")


async def test_a_long_text_is_stored_whole_and_the_event_carries_its_beginning(intake: Intake) -> None:
    body = "\r\n".join(f'> rad {n}: åäö "citerad"\r\nsvar {n}' for n in range(40_000))  # ~1.3 MB
    response = await intake.client.post("/v1/contacts/email", content=message(body=body), headers=RFC822)
    assert response.status_code == 202
    [event] = intake.contacts()
    data = event.data
    assert len(encode_event(event)) <= BUDGET
    assert data.text_truncated and data.text.startswith("> rad 0: åäö")
    assert "the whole text is attached as meddelande.txt" in data.text
    assert all(s["end"] <= len(data.text) for s in data.sections)
    whole = await intake.client.get(
        f"/v1/attachments/{data.full_text.sha256}", headers={"X-Service-Key": DEMO_SERVICE_KEY}
    )
    assert whole.status_code == 200
    assert whole.content.decode().startswith("> rad 0") and "svar 39999" in whole.content.decode()
    assert len(whole.content) == data.full_text.size > TEXT_BUDGET
    assert "meddelande.txt" in [a.name for a in data.attachments]


async def test_header_values_and_reference_lists_are_cut_to_their_limits(intake: Intake) -> None:
    references = " ".join(f"<{n}.{'x' * 400}@example.se>" for n in range(2_000))
    name = "Anna " * 50_000
    raw = message(headers=f"References: {folded(references)}\r\n").replace(
        b"From: Anna", f"From: {folded(name)}".encode()
    )
    assert (await smtp_send(intake, raw)).startswith("2.0.0 OK")
    [event] = intake.contacts()
    assert len(encode_event(event)) <= BUDGET
    kept = event.data.thread.references
    numbers = [int(r[1:].split(".")[0]) for r in kept]
    assert len(kept) == REFERENCES_MAX and numbers[0] == 0  # the first, and the latest ones in order
    assert numbers[1:] == list(range(numbers[1], numbers[1] + REFERENCES_MAX - 1)) and numbers[1] > 1
    assert len(event.data.sender.name) == 200 and event.data.sender.name.endswith("…")


async def test_what_cannot_be_bounded_is_refused_for_good_over_smtp_and_http(
    bus: InMemoryBus, dev_env: None
) -> None:
    references = " ".join(f"<{n}.{'r' * 450}@example.se>" for n in range(40))
    files = "".join(
        "--b\r\nContent-Type: application/pdf\r\n"
        f'Content-Disposition: attachment; filename="{n}{"f" * 190}.pdf"\r\n\r\nJVBERi0=\r\n'
        for n in range(20)
    )
    raw = (
        f"From: a@example.se\r\nTo: {KOMMUN}\r\nSubject: Bilagor\r\nMessage-ID: <many@example.se>\r\n"
        f"References: {folded(references)}\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        f"--b\r\nContent-Type: text/plain\r\n\r\nHej\r\n{files}--b--\r\n"
    ).encode()
    async with intake_on(bus, event_max_bytes=16 * 1024, text_max_bytes=8 * 1024) as small:
        with pytest.raises(aiosmtplib.SMTPDataError) as refused:
            await smtp_send(small, raw)
        assert refused.value.code == 552
        over_http = await small.client.post("/v1/contacts/email", content=raw, headers=RFC822)
        assert over_http.status_code == 413
        assert "16 kB" in over_http.json()["error"]["message"]
        assert small.contacts() == []


async def test_web_forms_lose_line_breaks_in_single_line_fields(intake: Intake) -> None:
    form = {
        "form_id": "kontakta-oss",
        "organization": "karlskoga",
        "name": "Anna\r\nAndersson\x00",
        "email": "anna@example.se",
        "subject": "Faktura\r\nBcc: alla@example.se\u2028\u202e",
        "message": "Rad ett\r\nRad två\x07",
    }
    assert (await intake.client.post("/v1/contacts/webform", json=form, headers=KEY)).status_code == 202
    multipart = {k: (None, v) for k, v in form.items()}
    assert (await intake.client.post("/v1/contacts/webform", files=multipart, headers=KEY)).status_code == 202
    for event in intake.contacts():
        assert_single_lines(event)
        assert event.data.sender.name == "Anna Andersson"
        assert event.data.subject == "Faktura Bcc: alla@example.se"
        assert event.data.text == "Rad ett\nRad två"


async def test_a_manual_registration_of_a_long_letter_keeps_the_whole_letter(
    intake: Intake, agent: dict[str, str]
) -> None:
    letter = "مرحبا، أريد تقديم طلب للحصول على إعانة السكن لشهر مارس. " * 800  # a letter in Arabic
    assert len(letter.encode()) > TEXT_BUDGET
    body = {"channel": "letter", "organization": "karlskoga", "name": "Karl\nBerg", "message": letter}
    response = await intake.client.post("/v1/contacts/manual", json=body, headers=agent)
    assert response.status_code == 202
    [event] = intake.contacts()
    assert_within_budget(intake)
    assert_single_lines(event)
    assert event.data.text_truncated and event.data.full_text.size == len(letter.strip().encode())
    assert len(event.data.text.encode()) <= TEXT_BUDGET


async def test_a_messenger_message_with_many_long_links_stays_under_the_budget(intake: Intake) -> None:
    attachment = {
        "type": "file",
        "payload": {"url": "https://cdn.example/" + "u" * 3_900, "title": "t" * 1_000},
    }
    body = {
        "object": "page",
        "entry": [
            {
                "id": "104857600000001",
                "messaging": [
                    {
                        "sender": {"id": "psid-1"},
                        "recipient": {"id": "104857600000001"},
                        "timestamp": 1_772_000_000_000,
                        "message": {"mid": "m_big", "text": "å" * 20_000, "attachments": [attachment] * 50},
                    }
                ],
            }
        ],
    }
    raw = json.dumps(body).encode()
    response = await intake.client.post(
        "/v1/channels/facebook/webhook",
        content=raw,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature(raw)},
    )
    assert response.status_code == 200
    [event] = intake.contacts()
    assert_within_budget(intake)
    assert event.data.full_text is not None and event.data.text.startswith("å")


async def test_a_call_events_agent_name_is_one_line(intake: Intake) -> None:
    event = {
        "event": "call.answered",
        "call_id": "c-1",
        "at": "2026-03-02T08:00:00+01:00",
        "to": "+4658681000",
        "answer_group": "bygg-miljo",
        "wait_seconds": 12,
        "agent": "Anna\r\nAndersson",
    }
    response = await intake.client.post("/v1/channels/phone/events", json=event, headers=KEY)
    assert response.status_code == 202, response.text
    [call] = intake.calls()
    assert call.data.agent == "Anna Andersson"
