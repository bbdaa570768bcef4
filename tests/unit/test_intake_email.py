"""E-mail over SMTP and POST /v1/contacts/email: parsed once, accepted once, refused clearly."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest

from lotsen.kafka.memory import InMemoryBus
from lotsen.settings import DEMO_SERVICE_KEY
from tests.intake_support import KEY, Intake, eml, intake_on

RFC822 = {**KEY, "Content-Type": "message/rfc822"}


@pytest.fixture
async def intake(bus: InMemoryBus, dev_env: None) -> AsyncIterator[Intake]:
    async with intake_on(bus) as running:
        yield running


async def post_email(intake: Intake, raw: bytes, **params: Any) -> Any:
    return await intake.client.post("/v1/contacts/email", content=raw, headers=RFC822, params=params)


async def smtp_send(
    intake: Intake, raw: bytes, recipients: list[str], sender: str = "citizen@example.se"
) -> str:
    """Deliver as an MTA does; ``sender=""`` is the null sender of a bounce (MAIL FROM:<>)."""
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=intake.smtp_port) as smtp:
        _, reply = await smtp.sendmail(sender, recipients, raw)
    return reply


def section(data: Any, kind: str) -> str:
    return "".join(data.text[s["start"] : s["end"]] for s in data.sections if s["kind"] == kind)


# --- the shared samples: what each must give -----------------------------------------------------------

SAMPLE_CHECKS: dict[str, Callable[[Any], None]] = {
    "01-bygglov-plain-utf8.eml": lambda e: (
        _is(e.data.subject, "Fråga om bygglov för altan"),
        _is(e.data.sender.name, "Åsa Lindqvist"),
        _is(e.data.sender.email, "asa.lindqvist@example.se"),
        _has(e.data.text, "Behöver jag bygglov för att bygga en altan på 25 kvm som är 1,2 meter hög?"),
        _has(section(e.data, "signature"), "Med vänliga hälsningar"),
        _is(e.data.language, "sv"),
        _is(e.data.is_auto_reply, False),
    ),
    "02-skolskjuts-latin1-qp.eml": lambda e: (
        _is(e.data.sender.name, "Göran Åberg"),
        _is(e.data.subject, "Skolskjuts för årskurs 1"),
        _has(e.data.text, "Har han rätt till skolskjuts? Vi bor 4 km från Bregårdsskolan."),
    ),
    "03-felanmalan-html-only.eml": lambda e: (
        _has(e.data.text, "Gatubelysningen på Storgatan vid nr 40 har varit släckt i en vecka."),
        _lacks(e.data.text, "alert"),
        _lacks(e.data.html, "<script"),
        _lacks(e.data.html, "tracker.example"),
        _has(e.data.html, "<b>Storgatan</b>"),
    ),
    "04-forsorjningsstod-attachment.eml": lambda e: (
        _is(e.data.subject, "Ansökan försörjningsstöd"),
        _has(e.data.text, "jag vill ansöka om försörjningsstöd"),
        _is(
            [(a.name, a.content_type) for a in e.data.attachments],
            [("hyresavtal_bostad_ö.pdf", "application/pdf")],
        ),
    ),
    "05-reply-with-ref-tag.eml": lambda e: (
        _is(e.data.thread.case_ref, "KGA-2026-000123"),
        _is(e.data.thread.in_reply_to, "<KGA-2026-000123.1.outbound@lotsen.example>"),
        _is(
            e.data.thread.references,
            ["<20260302084112.4711@mail.example.se>", "<KGA-2026-000123.1.outbound@lotsen.example>"],
        ),
        _has(section(e.data, "quoted"), "> Hej Åsa, en altan högre än 1,2 meter kräver"),
        _lacks(section(e.data, "message"), "> Hej Åsa"),
    ),
    "06-out-of-office.eml": lambda e: (
        _is(e.data.is_auto_reply, True),
        _has(e.data.auto_reply_reason, "Auto-Submitted"),
    ),
    "07-bounce-dsn.eml": lambda e: (
        _is(e.data.is_auto_reply, True),
        _has(e.data.text, "could not be delivered"),
    ),
    "08-malformed-headers.eml": lambda e: (
        _has(e.data.subject, "Hund på rymmen och ännu mer"),
        _is(e.data.sender.email, "weird@example.com"),
        _has(e.data.text, "En lös hund springer runt på Torget."),
        _is(e.data.thread.message_id, None),
    ),
    "09-arabic-forskola.eml": lambda e: (
        _is(e.data.language, "ar"),
        _is(e.data.subject, "سؤال عن روضة الأطفال"),
        _has(e.data.text, "(förskola)"),
    ),
    "10-forwarded-synpunkt-snorojning.eml": lambda e: (
        _has(e.data.subject, "Snöröjningen på Villagatan är under all kritik"),
        _has(section(e.data, "message"), "Skickar vidare min granne Ingas klagomål."),
        _has(section(e.data, "forwarded"), "Plogbilen har inte varit här på fyra dagar"),
    ),
}


def _is(actual: object, expected: object) -> None:
    assert actual == expected


def _has(text: str | None, part: str) -> None:
    assert text is not None and part in text, (part, text)


def _lacks(text: str | None, part: str) -> None:
    assert part not in (text or ""), (part, text)


def shared_samples(shared_dir: Path) -> list[Path]:
    samples = sorted((shared_dir / "samples" / "email").glob("*.eml"))
    assert {p.name for p in samples} == set(SAMPLE_CHECKS), "a shared sample has no expectation here"
    return samples


async def test_every_shared_sample_over_http_gives_its_documented_contact(
    intake: Intake, shared_dir: Path
) -> None:
    for path in shared_samples(shared_dir):
        response = await post_email(intake, path.read_bytes())
        assert response.status_code == 202, (path.name, response.text)
        [event] = [e for e in intake.contacts() if e.data.contact_id == response.json()["contact_id"]]
        assert event.organization == "karlskoga"
        assert event.data.channel == "email"
        assert event.data.recipient == "kommun@karlskoga.example"
        SAMPLE_CHECKS[path.name](event)
    assert len(intake.contacts()) == len(SAMPLE_CHECKS)


async def test_every_shared_sample_over_smtp_is_the_same_contact_as_over_http(
    intake: Intake, shared_dir: Path
) -> None:
    for path in shared_samples(shared_dir):
        reply = await smtp_send(intake, path.read_bytes(), ["kommun@karlskoga.example"])
        [event] = [e for e in intake.contacts() if e.data.contact_id in reply]
        SAMPLE_CHECKS[path.name](event)
        assert event.data.via == "smtp"
        again = await post_email(intake, path.read_bytes())
        assert again.json()["contact_id"] == event.data.contact_id
    assert len(intake.contacts()) == len(SAMPLE_CHECKS)


async def test_the_attachment_of_a_sample_is_stored_and_served_to_casestore(
    intake: Intake, shared_dir: Path, token_for: Callable[..., str]
) -> None:
    raw = (shared_dir / "samples" / "email" / "04-forsorjningsstod-attachment.eml").read_bytes()
    assert (await post_email(intake, raw)).status_code == 202
    [attachment] = intake.contacts()[0].data.attachments
    url = f"/v1/attachments/{attachment.sha256}"
    assert (await intake.client.get(url)).status_code == 401
    person = {"Authorization": f"Bearer {token_for('supervisor')}"}
    assert (await intake.client.get(url, headers=person)).status_code == 401  # people ask casestore
    served = await intake.client.get(url, headers={"X-Service-Key": DEMO_SERVICE_KEY})
    assert served.status_code == 200
    assert served.content.startswith(b"%PDF-1.4")
    assert hashlib.sha256(served.content).hexdigest() == attachment.sha256
    assert served.headers["content-type"] == "application/pdf"
    assert "hyresavtal_bostad_%C3%B6.pdf" in served.headers["content-disposition"]
    assert served.headers["x-content-type-options"] == "nosniff"


# --- our own messages, as citizens and their mail programs write them ----------------------------------


async def test_an_outlook_reply_without_a_tag_threads_by_our_message_id_and_marks_history(
    intake: Intake,
) -> None:
    await post_email(intake, eml("01-outlook-svar-utan-tagg.eml"))
    [event] = intake.contacts()
    assert event.data.thread.case_ref == "KGA-2026-000042"
    assert "byggbodsvagn på trottoaren utanför Drottninggatan 5" in section(event.data, "message")
    assert section(event.data, "signature").startswith("Med vänlig hälsning\nMaria Berglund")
    assert section(event.data, "quoted").startswith("Från: Karlskoga kommun")


async def test_a_gmail_reply_prefers_plain_text_and_marks_the_quote_with_its_attribution(
    intake: Intake,
) -> None:
    await post_email(intake, eml("02-gmail-svar-med-citat.eml"))
    [event] = intake.contacts()
    assert event.data.thread.case_ref == "KGA-2026-000077"
    assert section(event.data, "quoted").startswith("Den tors 12 mars 2026 kl 10:02 skrev")
    assert "byggnadsnämnden?" in section(event.data, "message")
    assert "<blockquote>" in event.data.html


async def test_windows_1252_in_base64_and_an_iphone_signature(intake: Intake) -> None:
    await post_email(intake, eml("03-iphone-cp1252-base64.eml"))
    [event] = intake.contacts()
    assert event.data.sender.name == "Lena Sjöström"
    assert event.data.subject == "Halka på gångvägen vid Hagalund"
    assert "spegelhalt på gångvägen mellan Hagalund och centrum – min mamma" in event.data.text
    assert section(event.data, "signature") == "Skickat från min iPhone\n"


async def test_text_split_around_an_inline_image_is_kept_whole_and_the_image_attached(intake: Intake) -> None:
    await post_email(intake, eml("04-apple-mail-bild-mitt-i-texten.eml"))
    [event] = intake.contacts()
    assert "klätterställningen i Ekbackens lekpark" in event.data.text
    assert "bråttom att spärra av" in event.data.text
    assert [(a.name, a.content_type) for a in event.data.attachments] == [("IMG_4711.jpg", "image/jpeg")]


@pytest.mark.parametrize(
    "headers, reason",
    [
        ("Precedence: bulk", "Precedence: bulk"),
        ("Precedence: junk", "Precedence: junk"),
        ("Precedence: list", "Precedence: list"),
        ("Auto-Submitted: auto-generated", "Auto-Submitted: auto-generated"),
        ("X-Autoreply: yes", "X-Autoreply"),
        ("X-Autorespond: Semesterhälsning", "X-Autorespond"),
    ],
)
async def test_auto_replies_are_published_flagged(intake: Intake, headers: str, reason: str) -> None:
    raw = (
        "From: Automatiskt svar <noreply@foretag.example>\nTo: kommun@karlskoga.example\n"
        f"Subject: Automatiskt svar\nMessage-ID: <auto-{abs(hash(headers))}@foretag.example>\n{headers}\n\n"
        "Jag är tjänstledig till och med 1 april.\n"
    ).encode()
    assert (await post_email(intake, raw)).json()["is_auto_reply"] is True
    [event] = intake.contacts()
    assert event.data.is_auto_reply is True
    assert reason in event.data.auto_reply_reason


async def test_a_newsletter_and_a_null_sender_bounce_are_auto_replies_but_ordinary_mail_is_not(
    intake: Intake,
) -> None:
    await post_email(intake, eml("05-nyhetsbrev-precedence-bulk.eml"))
    bounce = (
        b"From: postmaster@mx.example\nTo: kommun@karlskoga.example\nSubject: Delivery failure\n\nfailed\n"
    )
    await smtp_send(intake, bounce, ["kommun@karlskoga.example"], sender="")  # MAIL FROM:<>
    await post_email(intake, eml("06-utan-message-id.eml"))
    assert [e.data.is_auto_reply for e in intake.contacts()] == [True, True, False]


async def test_a_message_without_message_id_is_recognised_again_by_its_bytes(intake: Intake) -> None:
    raw = eml("06-utan-message-id.eml")
    first = await post_email(intake, raw)
    over_smtp = await smtp_send(intake, raw.replace(b"\n", b"\r\n"), ["kommun@karlskoga.example"])
    assert first.json()["contact_id"] in over_smtp
    [event] = intake.contacts()
    assert event.data.thread.message_id is None
    assert "mina mediciner" in event.data.text


async def test_a_forwarded_message_attached_whole_is_kept_as_an_eml_file(intake: Intake) -> None:
    await post_email(intake, eml("07-vidarebefordrat-som-bilaga.eml"))
    [event] = intake.contacts()
    [attached] = event.data.attachments
    assert attached.content_type == "message/rfc822"
    assert attached.name.endswith(".eml")
    assert "skolmaten på Stråningsskolan" in event.data.text


async def test_html_is_sanitised_and_turned_into_readable_text(intake: Intake) -> None:
    await post_email(intake, eml("08-html-med-skript-och-sparpixel.eml"))
    [event] = intake.contacts()
    for gone in ("<script", "onload", "onclick", "javascript:", "tracker.example", "<img", "color:red"):
        assert gone not in event.data.html
    assert "Se bilden <https://bilder.example/p-skiva.jpg> och klicka här." in event.data.text
    assert "- Datum: 18 mars\n- Tid: 10.15" in event.data.text
    assert "evil.example" not in event.data.text


async def test_a_message_to_two_organisations_becomes_one_contact_for_each(intake: Intake) -> None:
    raw = eml("09-till-tva-organisationer.eml")
    response = await post_email(intake, raw)
    assert response.json()["organizations"] == ["karlskoga", "degerfors"]
    reply = await smtp_send(intake, raw, ["kommun@karlskoga.example", "kommun@degerfors.example"])
    assert all(cid in reply for cid in response.json()["contact_ids"])
    assert sorted(e.organization for e in intake.contacts()) == ["degerfors", "karlskoga"]


async def test_the_organisation_comes_from_delivered_to_or_the_recipient_parameter(intake: Intake) -> None:
    raw = eml("10-engelska-via-delivered-to.eml")
    assert (await post_email(intake, raw)).json()["organizations"] == ["karlskogahem"]
    [event] = intake.contacts()
    assert event.data.language == "en"
    assert event.data.recipient == "kundservice@karlskogahem.example"
    other = raw.replace(b"Message-ID: <tb-1@", b"Message-ID: <tb-2@")
    routed = await post_email(intake, other, recipient="kommun@degerfors.example")
    assert routed.json()["organizations"] == ["degerfors"]


async def test_the_same_message_twice_is_one_contact_over_either_path(intake: Intake) -> None:
    raw = eml("03-iphone-cp1252-base64.eml")
    answers = [(await post_email(intake, raw)).json()["contact_id"] for _ in range(2)]
    replies = [await smtp_send(intake, raw, ["kommun@karlskoga.example"]) for _ in range(2)]
    assert answers[0] == answers[1]
    assert all(answers[0] in reply for reply in replies)
    assert len(intake.contacts()) == 1


# --- refusals --------------------------------------------------------------------------------------------


async def test_smtp_refuses_an_unknown_recipient_at_rcpt(intake: Intake) -> None:
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
        await smtp_send(intake, eml("09-till-tva-organisationer.eml"), ["info@stockholm.example"])
    assert refused.value.recipients[0].code == 550
    reply = await smtp_send(
        intake, eml("09-till-tva-organisationer.eml"), ["info@stockholm.example", "kommun@degerfors.example"]
    )
    assert "OK: accepted as contact" in reply
    assert [e.organization for e in intake.contacts()] == ["degerfors"]


async def test_smtp_refuses_what_is_not_a_message(intake: Intake) -> None:
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await smtp_send(intake, b"Hej hej, detta saknar rubriker helt.\n", ["kommun@karlskoga.example"])
    assert refused.value.code == 554
    assert "no From header" in refused.value.message
    assert intake.contacts() == []


async def test_smtp_refuses_too_large_messages_and_attachments(bus: InMemoryBus, dev_env: None) -> None:
    async with intake_on(bus, email_max_message_bytes=64 * 1024, attachment_max_bytes=8 * 1024) as intake:
        big_file = message_with_attachment(b"%PDF-1.4 " + b"x" * 20_000)
        with pytest.raises(aiosmtplib.SMTPDataError) as refused:
            await smtp_send(intake, big_file, ["kommun@karlskoga.example"])
        assert refused.value.code == 552
        assert "per file" in refused.value.message
        huge = message_with_attachment(b"x" * 100_000)
        with pytest.raises(aiosmtplib.SMTPResponseException) as too_much:
            await smtp_send(intake, huge, ["kommun@karlskoga.example"])
        assert too_much.value.code == 552
        http = await post_email(intake, huge)
        assert http.status_code == 413
        assert "limit is 64 kB" in http.json()["error"]["message"]
        assert intake.contacts() == []


async def test_smtp_only_takes_mail_from_allowed_clients_when_they_are_listed(
    bus: InMemoryBus, dev_env: None
) -> None:
    async with intake_on(bus, smtp_allowed_clients=["10.0.0.0/8"]) as intake:
        with pytest.raises(aiosmtplib.SMTPSenderRefused) as refused:
            await smtp_send(intake, eml("06-utan-message-id.eml"), ["kommun@karlskoga.example"])
        assert refused.value.code == 554


@pytest.mark.parametrize(
    "headers, body, status, words",
    [
        ({"Content-Type": "message/rfc822"}, b"From: a@b.se\n\nhej", 401, "log in"),
        ({**KEY, "Content-Type": "text/plain"}, b"From: a@b.se\n\nhej", 415, "message/rfc822"),
        (RFC822, b"", 422, "empty"),
        (RFC822, b"bara text, ingen rubrik\n\nmer text", 422, "no From header"),
        (RFC822, b"From: a@b.se\nTo: info@stockholm.example\n\nhej", 422, "info@stockholm.example"),
    ],
)
async def test_http_refusals_say_what_is_wrong(
    intake: Intake, headers: dict[str, str], body: bytes, status: int, words: str
) -> None:
    response = await intake.client.post("/v1/contacts/email", content=body, headers=headers)
    assert response.status_code == status
    assert words in response.json()["error"]["message"]
    assert intake.contacts() == []


async def test_when_kafka_is_down_smtp_says_451_http_503_and_nothing_half_written_remains(
    intake: Intake, shared_dir: Path
) -> None:
    raw = (shared_dir / "samples" / "email" / "04-forsorjningsstod-attachment.eml").read_bytes()
    intake.bus.fail_publishing = True
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await smtp_send(intake, raw, ["kommun@karlskoga.example"])
    assert refused.value.code == 451
    http = await post_email(intake, raw)
    assert http.status_code == 503
    assert http.headers["Retry-After"]
    assert await intake.db["attachments.files"].count_documents({}) == 0
    assert await intake.db["attachments.chunks"].count_documents({}) == 0
    assert intake.contacts() == []

    intake.bus.fail_publishing = False
    reply = await smtp_send(intake, raw, ["kommun@karlskoga.example"])
    assert (await post_email(intake, raw)).json()["contact_id"] in reply
    assert len(intake.contacts()) == 1
    assert await intake.db["attachments.files"].count_documents({}) == 1


async def test_a_file_two_contacts_share_is_stored_once_and_survives_a_failed_third(intake: Intake) -> None:
    pdf = b"%PDF-1.4 blankett for ansokan om bygglov"
    for n in (1, 2):
        await post_email(intake, message_with_attachment(pdf, message_id=f"<blankett-{n}@example.se>"))
    intake.bus.fail_publishing = True
    failed = await post_email(intake, message_with_attachment(pdf, message_id="<blankett-3@example.se>"))
    assert failed.status_code == 503
    [stored] = await intake.db["attachments.files"].find({}).to_list()
    assert stored["_id"] == hashlib.sha256(pdf).hexdigest()
    assert sorted(stored["metadata"]["contacts"]) == sorted(e.data.contact_id for e in intake.contacts())


async def test_attachment_download_refuses_what_is_not_there(intake: Intake) -> None:
    auth = {"X-Service-Key": DEMO_SERVICE_KEY}
    assert (await intake.client.get("/v1/attachments/" + "0" * 64, headers=auth)).status_code == 404
    assert (await intake.client.get("/v1/attachments/not-a-hash", headers=auth)).status_code == 422


def message_with_attachment(data: bytes, *, message_id: str = "<stor-bilaga@example.se>") -> bytes:
    message = EmailMessage()
    message["From"] = "Sven Ek <sven@example.se>"
    message["To"] = "kommun@karlskoga.example"
    message["Subject"] = "Ansökan med bilaga"
    message["Message-ID"] = message_id
    message.set_content("Hej, här kommer min ansökan.")
    message.add_attachment(data, maintype="application", subtype="pdf", filename="ansokan.pdf")
    return message.as_bytes()
