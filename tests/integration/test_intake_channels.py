"""Every channel through its real protocol into the running intake process, counted on the real broker.

The samples of ../shared/samples give their documented result (contact, ignored or refused), and
everything posted twice is one event.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiosmtplib
import httpx
import pytest

from lotsen.contracts import topics
from lotsen.devserver.stack import Stack
from lotsen.settings import DEMO_SERVICE_KEY
from tests.intake_support import KEY, eml, read_events
from tests.unit.test_intake_email import SAMPLE_CHECKS

pytestmark = pytest.mark.integration


async def smtp(stack: Stack, raw: bytes, recipients: list[str]) -> tuple[int, str]:
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=stack.ports["smtp"]) as client:
        try:
            _, reply = await client.sendmail("mta@karlskoga.example", recipients, raw)
        except aiosmtplib.SMTPResponseException as refused:
            return refused.code, refused.message
        except aiosmtplib.SMTPRecipientsRefused as refused:
            return refused.recipients[0].code, refused.recipients[0].message
    return 250, reply


async def test_every_email_sample_over_smtp_and_http_is_one_contact(stack: Stack, shared_dir: Path) -> None:
    samples = sorted((shared_dir / "samples" / "email").glob("*.eml"))
    contact_ids: dict[str, str] = {}
    async with httpx.AsyncClient() as client:
        for path in samples:
            code, reply = await smtp(stack, path.read_bytes(), ["kommun@karlskoga.example"])
            assert code == 250, (path.name, reply)
            contact_ids[path.name] = reply.rsplit(" ", 1)[-1]
            again = await smtp(stack, path.read_bytes(), ["kommun@karlskoga.example"])
            over_http = await client.post(
                f"{stack.url('intake')}/v1/contacts/email",
                content=path.read_bytes(),
                headers={**KEY, "Content-Type": "message/rfc822"},
            )
            assert again[1].endswith(contact_ids[path.name])
            assert over_http.json()["contact_id"] == contact_ids[path.name]

    events = await read_events(
        stack.bootstrap_servers,
        topics.CONTACTS_RECEIVED,
        lambda e: e.data.contact_id in contact_ids.values(),
        at_least=len(samples),
    )
    assert len(events) == len(samples)
    by_id = {e.data.contact_id: e for e in events}
    for name, contact_id in contact_ids.items():
        SAMPLE_CHECKS[name](by_id[contact_id])


async def test_smtp_refuses_unknown_recipients_and_what_is_no_message(stack: Stack) -> None:
    code, reply = await smtp(stack, eml("06-utan-message-id.eml"), ["info@stockholm.example"])
    assert (code, "no such mailbox" in reply) == (550, True)
    code, reply = await smtp(stack, b"bara text utan rubriker\r\n", ["kommun@karlskoga.example"])
    assert (code, "no From header" in reply) == (554, True)


async def test_messenger_samples_through_the_webhook(stack: Stack, shared_dir: Path) -> None:
    folder = shared_dir / "samples" / "facebook"
    answers: dict[str, Any] = {}
    async with httpx.AsyncClient() as client:
        for path in sorted(folder.glob("*.json")):
            for _ in range(2):  # Meta redelivers
                response = await client.post(
                    f"{stack.url('intake')}/v1/channels/facebook/webhook",
                    content=path.read_bytes(),
                    headers={
                        "Content-Type": "application/json",
                        "X-Hub-Signature-256": path.with_suffix(".sig").read_text().strip(),
                    },
                )
                answers[path.stem] = (response.status_code, response.json())
    assert answers["06-not-a-page-object"][0] == 422
    assert answers["04-echo-of-page-reply"][1]["contacts"] == 0
    assert answers["05-delivery-and-read"][1]["contacts"] == 0
    mids = ["m_AbC123xyz", "m_DeF456", "m_1", "m_2"]
    events = await read_events(
        stack.bootstrap_servers,
        topics.CONTACTS_RECEIVED,
        lambda e: e.data.channel == "facebook" and e.data.thread.message_id in mids,
        at_least=len(mids),
    )
    assert sorted(e.data.thread.message_id for e in events) == sorted(mids)


async def test_the_phone_morning_and_its_callback(stack: Stack, shared_dir: Path) -> None:
    lines = (shared_dir / "samples" / "phone" / "2026-03-02-morning.jsonl").read_text(encoding="utf-8")
    morning = [json.loads(line) for line in lines.splitlines() if line.strip()]
    async with httpx.AsyncClient() as client:
        url = f"{stack.url('intake')}/v1/channels/phone/events"
        first = (await client.post(url, json=morning, headers=KEY)).json()
        again = (await client.post(url, json=morning[:4], headers=KEY)).json()
    assert (first["accepted"], again["duplicates"]) == (len(morning), 4)
    calls = await read_events(
        stack.bootstrap_servers,
        topics.CALLS_EVENTS,
        lambda e: e.data.call_id in {m["call_id"] for m in morning},
        at_least=len(morning),
    )
    assert sorted((e.data.call_id, e.type) for e in calls) == sorted(
        (m["call_id"], m["event"]) for m in morning
    )
    [callback] = await read_events(
        stack.bootstrap_servers,
        topics.CONTACTS_RECEIVED,
        lambda e: e.data.contact_id in first["contact_ids"],
        at_least=1,
    )
    assert (callback.data.channel, callback.data.sender.phone) == ("phone", "+46705550000")


async def test_web_forms_with_an_idempotency_key_and_a_manual_letter(
    stack: Stack, shared_dir: Path, token_for: Callable[..., str]
) -> None:
    forms = json.loads((shared_dir / "samples" / "webform" / "examples.json").read_text(encoding="utf-8"))
    run = uuid.uuid4().hex[:8]
    async with httpx.AsyncClient() as client:
        answers = []
        for n, form in enumerate(forms):
            headers = {**KEY, "Idempotency-Key": f"{run}-{n}"}
            url = f"{stack.url('intake')}/v1/contacts/webform"
            pair = [await client.post(url, json=form, headers=headers) for _ in range(2)]
            assert [r.status_code for r in pair] == [202, 202]
            assert pair[0].json() == pair[1].json()
            answers.append(pair[0].json()["contact_id"])
        agent = {"Authorization": f"Bearer {token_for('agent')}"}  # as casestore issues it (dev secret)
        letter = await client.post(
            f"{stack.url('intake')}/v1/contacts/manual",
            headers=agent,
            data={"channel": "letter", "message": f"Brev om bygglov ({run})", "name": "Olof Ek"},
            files=[("scan", ("brev.pdf", f"%PDF-1.4 {run}".encode(), "application/pdf"))],
        )
        assert letter.status_code == 202
        events = await read_events(
            stack.bootstrap_servers,
            topics.CONTACTS_RECEIVED,
            lambda e: e.data.contact_id in [*answers, letter.json()["contact_id"]],
            at_least=len(forms) + 1,
        )
        assert len(events) == len(forms) + 1
        [scan] = next(e for e in events if e.data.channel == "letter").data.attachments
        service = {"X-Service-Key": DEMO_SERVICE_KEY}  # as casestore fetches it for a case's download
        served = await client.get(f"{stack.url('intake')}/v1/attachments/{scan.sha256}", headers=service)
        assert served.content == f"%PDF-1.4 {run}".encode()


async def test_the_same_email_over_http_and_smtp_is_one_contact(stack: Stack) -> None:
    raw = eml("09-till-tva-organisationer.eml").replace(b"<two-orgs-1@", f"<{uuid.uuid4().hex}@".encode())
    async with httpx.AsyncClient() as client:
        posted = await client.post(
            f"{stack.url('intake')}/v1/contacts/email",
            content=raw,
            headers={**KEY, "Content-Type": "message/rfc822"},
        )
    code, reply = await smtp(stack, raw, ["kommun@karlskoga.example", "kommun@degerfors.example"])
    assert code == 250
    ids = posted.json()["contact_ids"]
    assert all(i in reply for i in ids)
    events = await read_events(
        stack.bootstrap_servers, topics.CONTACTS_RECEIVED, lambda e: e.data.contact_id in ids, at_least=2
    )
    assert sorted(e.organization for e in events) == ["degerfors", "karlskoga"]
