"""An RFC 5322 message in, what intake needs out: sender, subject, text, files, thread hints, flags.

Parsed with the standard library's ``email`` package (modern policy): encoded words, any charset
(unknown ones fall back to UTF-8, then Windows-1252), quoted-printable and base64. ``text/plain`` is
preferred; HTML-only mail is sanitised and converted to text. Anything malformed is either read as
well as it can be or refused with :class:`NotAMessage`; it never raises anything else.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage, Message
from typing import Any

from lotsen.contracts.contacts import Sender, ThreadHints
from services.intake.bodies import megabytes
from services.intake.contacts import FileContent
from services.intake.email.headers import addresses, header, raw_value, unfold
from services.intake.email.parts import (
    attachments,
    bodies,
    content_type_of,
    declared_charsets,
    mend_boundary,
    text_of,
)
from services.intake.email.refusals import Limits, MessageTooLarge, NotAMessage
from services.intake.email.text import html_to_text, mark_sections, sanitize_html
from services.intake.language import guess_language

CASE_REF = re.compile(r"\[([A-Z]{2,6}-\d{4}-\d{6})\]")
CASE_REF_IN_MESSAGE_ID = re.compile(r"^<?([A-Z]{2,6}-\d{4}-\d{6})[.@]")
MAX_HTML_CHARS = 100_000  # longer HTML is left out of the event; its text is there


@dataclass
class ParsedEmail:
    message_id: str | None
    dedupe_key: str
    sender: Sender
    subject: str | None
    text: str
    sections: list[dict[str, Any]]
    html: str | None
    files: list[FileContent]
    thread: ThreadHints
    auto_reply: str | None
    language: str | None
    recipients: list[str] = field(default_factory=list)
    sent_at: datetime | None = None


def parse_email(
    raw: bytes, limits: Limits, *, envelope_from: str | None = None, header_recipients: bool = True
) -> ParsedEmail:
    """``header_recipients``: read Delivered-To, X-Original-To, To and Cc (not needed when the SMTP
    envelope says whom the message is for)."""
    if len(raw) > limits.message_bytes:
        raise MessageTooLarge(
            f"the message is {megabytes(len(raw))}; the limit is {megabytes(limits.message_bytes)}",
            details={"limit_bytes": limits.message_bytes},
        )
    msg = _parse(raw)
    mend_boundary(msg)
    hints = declared_charsets(msg)
    body, html_part = bodies(msg)
    html = text_of(html_part) if html_part is not None else None
    text = text_of(body) if body is not None else (html_to_text(html) if html else "")
    files, more_text = attachments(msg, {id(p) for p in (body, html_part) if p is not None}, limits)
    if more_text and body is not None:
        text = "\n\n".join([text, *more_text])
    subject = header(msg, "Subject", hints)
    message_id = _message_id(header(msg, "Message-ID"))
    references = _message_ids(header(msg, "References"))
    in_reply_to = next(iter(_message_ids(header(msg, "In-Reply-To"))), None)
    # A long text is cut, and stored whole, where every channel's contact is bounded (bounds.py).
    normalised = raw.replace(b"\r\n", b"\n")
    sender = _sender(msg, hints, envelope_from)
    safe_html = sanitize_html(html) if html else None
    return ParsedEmail(
        message_id=message_id,
        dedupe_key=_dedupe_key(message_id, msg, normalised),
        sender=sender,
        subject=subject,
        text=text,
        sections=mark_sections(text),
        html=safe_html if safe_html and len(safe_html) <= MAX_HTML_CHARS else None,
        files=files,
        thread=ThreadHints(
            case_ref=_case_ref(subject, [*([in_reply_to] if in_reply_to else []), *references]),
            message_id=message_id,
            in_reply_to=in_reply_to,
            references=references,
        ),
        auto_reply=auto_reply_reason(msg, envelope_from, sender=sender.email),
        language=guess_language(subject, text[:4000]),
        recipients=_recipients(msg) if header_recipients else [],
        sent_at=_date(msg),
    )


def _parse(raw: bytes) -> EmailMessage:
    if not raw.strip():
        raise NotAMessage("the message is empty")
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # the parser is meant never to raise; a bug there is still a refusal
        raise NotAMessage(f"the message cannot be read: {exc}") from exc
    assert isinstance(msg, EmailMessage)
    names = {k.lower() for k, _ in msg.raw_items()}
    if not names:
        raise NotAMessage("this is not an RFC 5322 message: it has no From header (no header fields at all)")
    if "from" not in names:
        # A line that is no header field ends the header early (the rest is read as the body):
        # read it as part of the field before it instead. Without a From, the envelope's sender is used.
        repaired = _header_lines_repaired(raw)
        if repaired is not None:
            again = email.message_from_bytes(repaired, policy=email.policy.default)
            if isinstance(again, EmailMessage) and again.get_all("From"):
                return again
    return msg


_HEADER_LINE = re.compile(rb"^([!-9;-~]+:|[ \t]|From )")
_LINES = re.compile(rb"\r\n|\r|\n")


def _header_lines_repaired(raw: bytes) -> bytes | None:
    lines = _LINES.split(raw[:1_000_000], maxsplit=2000)
    end = next((i for i, line in enumerate(lines) if not line), None)
    if end is None or all(_HEADER_LINE.match(line) for line in lines[:end]):
        return None
    head = [line if _HEADER_LINE.match(line) else b" " + line for line in lines[:end]]
    return b"\r\n".join(head) + b"\r\n\r\n" + _LINES.split(raw, maxsplit=end + 1)[-1]


_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _sender(msg: Message, hints: list[str], envelope_from: str | None) -> Sender:
    name, address = next(iter(addresses(msg, "From", hints)), ("", ""))
    if not _ADDRESS.match(address):  # no From, or one without an address: the envelope's sender
        written = header(msg, "From", hints) or ""
        if not name and "@" not in written and not written.endswith(";"):
            name = written  # "From: Åsa Öberg" names the sender and gives no address
        address = (envelope_from or "").strip("<> ")
    reply_to = next((a for _, a in addresses(msg, "Reply-To") if _ADDRESS.match(a)), None)
    return Sender(
        name=name.strip() or None,
        email=address.lower() if _ADDRESS.match(address) else None,
        **({"reply_to": reply_to.lower()} if reply_to and reply_to.lower() != address.lower() else {}),
    )


def _recipients(msg: Message) -> list[str]:
    found: list[str] = []
    for name in ("Delivered-To", "X-Original-To", "To", "Cc"):
        found += [a.lower() for _, a in addresses(msg, name) if a]
    return list(dict.fromkeys(found))


def _date(msg: Message) -> datetime | None:
    raw = raw_value(msg, "Date")
    try:
        value = email.utils.parsedate_to_datetime(unfold(raw)) if raw else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return value if value is not None and value.tzinfo is not None else None


def _dedupe_key(message_id: str | None, msg: Message, normalised: bytes) -> str:
    """The Message-ID and a digest of what the sender wrote (From, Date, Subject, the body): an MTA's
    retry, or the message by a second route, is the same contact, but two messages a program gave one
    Message-ID (some do, e.g. ``<1@localhost>``) are two. Without a Message-ID, a digest of the bytes."""
    if message_id is None:
        return f"sha256:{hashlib.sha256(normalised).hexdigest()}"
    written = hashlib.sha256()
    for name in ("From", "Date", "Subject"):
        written.update((raw_value(msg, name) or "").encode("utf-8", "surrogateescape") + b"\n")
    lines = normalised.replace(b"\r", b"\n")  # bare CR too: an SMTP client sends CRLF for it
    split = lines.find(b"\n\n")
    written.update(re.sub(rb"\s+", b"", lines[split:]) if split >= 0 else b"")  # line ends as any route
    return f"{message_id} {written.hexdigest()[:20]}"


def _message_id(value: str | None) -> str | None:
    ids = _message_ids(value)
    if ids:
        return ids[0]
    value = (value or "").strip()
    return f"<{value.strip('<>')}>" if value and len(value) <= 500 and " " not in value else None


def _message_ids(value: str | None) -> list[str]:
    return list(dict.fromkeys(m for m in re.findall(r"<[^<>\s]{1,500}>", value or "")))[:100]


def _case_ref(subject: str | None, message_ids: list[str]) -> str | None:
    found = CASE_REF.search(subject or "")
    if found:
        return found.group(1)
    for mid in message_ids:
        in_id = CASE_REF_IN_MESSAGE_ID.match(mid)
        if in_id:
            return in_id.group(1)
    return None


# Absence notes sent without Auto-Submitted (Exchange, older programs). Never "Frånvaro…" alone: a
# parent reporting a child's absence from school writes just that.
_AUTOMATIC_SUBJECT = re.compile(
    r"^\s*(automatiskt? svar|automatic reply|autosvar|auto-?reply|out of office( reply| autoreply)?"
    r"|abwesenheitsnotiz|réponse automatique)\s*(:|$)",
    re.IGNORECASE,
)


def auto_reply_reason(
    msg: Message, envelope_from: str | None = None, *, sender: str | None = None
) -> str | None:
    """Why this is an auto-reply or a bounce (it must never open a case or get an answer), or None."""
    auto_submitted = (header(msg, "Auto-Submitted") or "").lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if header(msg, name):
            return f"{name} present"
    precedence = (header(msg, "Precedence") or "").lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    subject = header(msg, "Subject") or ""
    if _AUTOMATIC_SUBJECT.match(subject):
        return f"the subject of an automatic reply: {subject[:80]}"
    if content_type_of(msg) == "multipart/report":
        return "multipart/report (a delivery or read report)"
    sender = (sender or next(iter(addresses(msg, "From")), ("", ""))[1]).lower()
    if sender.split("@")[0] in ("mailer-daemon", "postmaster"):
        return f"sent by {sender}"
    if envelope_from is not None and envelope_from.strip("<> ") == "":
        return "null envelope sender (a bounce)"
    return None
