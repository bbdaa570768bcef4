"""Building an outgoing e-mail that any relay takes, whatever a citizen's name or subject holds.

The world's data reaches the headers: the name a citizen gave, the subject they wrote, the
``Message-ID`` of their mail. Each is made fit before it is written, so building a message either
gives bytes to send or :class:`Unsendable` with the reason — never another exception:

- single-line fields lose control characters (CR, LF, NUL, …), line and paragraph separators
  (U+2028, U+2029) and lone surrogates; runs of spaces become one, so no header can be injected;
- display names and subjects that are not short plain ASCII are written as RFC 2047 encoded-words
  and folded at 78 columns: a 1,000-character name is many short lines, not one refused one;
- addresses are checked with email-validator; an internationalised domain is written in its IDNA
  (ASCII) form; an address that cannot be used (no domain, a trailing dot, a special-use domain,
  a non-ASCII local part, which would need SMTPUTF8) is :class:`Unsendable`;
- message ids that are not a plain ``<left@right>`` are left out of ``In-Reply-To`` and
  ``References``; an unusable ``Message-ID`` of our own is replaced by a fresh one.

A mail in a right-to-left language (Arabic) is ``multipart/alternative``: the plain text, and the
same text as HTML marked ``dir="rtl"`` (:mod:`services.notify.mail_html`). A mail whose fields carry
its own ``html`` and ``attachments`` (a department's report) is ``multipart/mixed``: the text and
that HTML as alternatives, then each attachment, base64-encoded.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from dataclasses import dataclass
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.policy import compat32
from email.utils import format_datetime, make_msgid

from email_validator import EmailNotValidError, validate_email

from services.notify.deliveries import Document
from services.notify.mail_html import html_alternative
from services.notify.notifier import Clock

# compat32 is the policy under which ``Header`` objects are written exactly as encoded and folded.
WIRE = compat32.clone(linesep="\r\n", max_line_length=78)
PLAIN_WORD = re.compile(r"[\x21-\x7e]{1,60}")
MESSAGE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>")
SPECIALS = frozenset('()<>@,;:\\".[]')
NOT_IN_A_LINE = frozenset({"Cc", "Cs", "Zl", "Zp"})
UTF8 = Charset("utf-8")
UTF8.body_encoding = QP
RIGHT_TO_LEFT = frozenset({"ar"})


class Unsendable(ValueError):
    """The message cannot be built or addressed; ``str()`` is the reason the delivery records."""


@dataclass(frozen=True)
class Outgoing:
    sender: str
    recipient: str
    data: bytes


def single_line(text: object) -> str:
    """``text`` as one line: control characters and line separators are spaces, runs of spaces one."""
    cleaned = "".join(" " if unicodedata.category(c) in NOT_IN_A_LINE else c for c in str(text or ""))
    return re.sub(r"[ \t]{2,}", " ", cleaned).strip(" \t")


def mailbox(addr_spec: object) -> str:
    """The address as the relay gets it (IDNA domain), or :class:`Unsendable` saying why not."""
    text = str(addr_spec or "")
    shown = single_line(text)[:254]
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        raise Unsendable(f"the address {shown!r} cannot be used: {exc}") from None
    if checked.ascii_email is None:
        raise Unsendable(f"the address {shown!r} cannot be used: its local part needs SMTPUTF8")
    return checked.ascii_email


def _plain(text: str) -> bool:
    return all(PLAIN_WORD.fullmatch(word) for word in text.split(" ")) if text else True


def _words(text: str, header_name: str) -> Header:
    """Plain ASCII as it is (folded at spaces); anything else as RFC 2047 encoded-words."""
    header = Header(header_name=header_name)
    header.append(text, "us-ascii" if _plain(text) else UTF8)
    return header


def _name_and_address(name: object, address: str, header_name: str) -> Header | str:
    display = single_line(name)
    if not display:
        return address
    if _plain(display) and set(display) & SPECIALS:
        quoted = display.replace("\\", "\\\\").replace('"', '\\"')
        display = f'"{quoted}"'
    header = _words(display, header_name)
    header.append(f"<{address}>", "us-ascii")
    return header


def _set(message: Message, name: str, value: Header | str) -> None:
    message[name] = value  # type: ignore[assignment]  # compat32 writes a Header as encoded and folded


def _message_ids(values: object) -> list[str]:
    items = values if isinstance(values, list | tuple) else [values]
    return [v for v in (single_line(i) for i in items) if MESSAGE_ID.fullmatch(v)]


def _part(text: str, subtype: str) -> Message:
    part = Message()
    part.set_payload(text, UTF8)
    part.set_type(f"text/{subtype}")
    del part["MIME-Version"]  # the message says it once, in its own headers
    return part


def _attachment(item: Document) -> Message:
    """A file to attach: text in UTF-8, base64-encoded (long CSV lines survive any relay)."""
    part = Message()
    part.set_payload(base64.encodebytes(str(item.get("content") or "").encode("utf-8")).decode("ascii"))
    part.set_type(
        re.sub(r"[^\w/.+-]", "", single_line(item.get("content_type"))) or "application/octet-stream"
    )
    part.set_param("charset", "utf-8")
    part["Content-Transfer-Encoding"] = "base64"
    filename = re.sub(r"[^\w.-]", "_", single_line(item.get("filename")), flags=re.ASCII) or "bilaga"
    part.add_header("Content-Disposition", "attachment", filename=filename)
    del part["MIME-Version"]
    return part


def _with_html_and_attachments(message: Message, body: str, html: str, attachments: list[Document]) -> None:
    """``multipart/mixed``: the text (with its HTML alternative, if any), then the attachments."""
    text: Message = _part(body, "plain")
    if html:
        text = Message()
        text.set_type("multipart/alternative")
        del text["MIME-Version"]
        text.attach(_part(body, "plain"))
        text.attach(_part(html, "html"))
    if not attachments:
        message.set_type("multipart/alternative")
        for part in text.get_payload():
            message.attach(part)
        return
    message.set_type("multipart/mixed")
    message.attach(text)
    for item in attachments:
        message.attach(_attachment(item))


def compose(mail: Document, *, clock: Clock) -> Outgoing:
    """The bytes of the stored ``mail`` fields, ready for the relay; or :class:`Unsendable`."""
    sender, recipient = mailbox(mail.get("from")), mailbox(mail.get("to"))
    message = Message()
    _set(message, "From", _name_and_address(mail.get("from_name"), sender, "From"))
    _set(message, "To", _name_and_address(mail.get("to_name"), recipient, "To"))
    _set(message, "Subject", _words(single_line(mail.get("subject")), "Subject"))
    message["Date"] = format_datetime(clock())
    own_id = _message_ids(mail.get("message_id"))
    message["Message-ID"] = own_id[0] if own_id else make_msgid(domain=sender.rsplit("@", 1)[1])
    if in_reply_to := _message_ids(mail.get("in_reply_to")):
        message["In-Reply-To"] = in_reply_to[0]
    if references := _message_ids(mail.get("references") or []):
        message["References"] = " ".join(references)
    for header, value in (("Auto-Submitted", "auto_submitted"), ("Content-Language", "language")):
        if token := re.sub(r"[^\w-]", "", single_line(mail.get(value)), flags=re.ASCII):
            message[header] = token
    message["MIME-Version"] = "1.0"
    body = str(mail.get("body") or "").encode("utf-8", "replace").decode("utf-8")
    language = str(mail.get("language") or "")
    attachments = mail.get("attachments") or []
    if mail.get("html") or attachments:
        _with_html_and_attachments(message, body, str(mail.get("html") or ""), attachments)
    elif language in RIGHT_TO_LEFT:
        message.set_type("multipart/alternative")
        message.attach(_part(body, "plain"))
        html = html_alternative(body, language=language, title=single_line(mail.get("subject")))
        message.attach(_part(html, "html"))
    else:
        message.set_payload(body, UTF8)
    try:
        data = message.as_bytes(policy=WIRE)
    except (ValueError, LookupError, TypeError) as exc:  # UnicodeError is a ValueError
        raise Unsendable(f"the message cannot be built: {exc}") from None
    return Outgoing(sender=sender, recipient=recipient, data=data)
