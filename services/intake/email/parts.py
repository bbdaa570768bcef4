"""The parts of a MIME message: the text body, the HTML body, the files and further inline text.

Every part is read defensively: a part that cannot be decoded yields what can be read, never an error.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage, Message

from services.intake.bodies import guess_type, megabytes, plain_media_type, safe_filename
from services.intake.contacts import FileContent
from services.intake.email import charsets
from services.intake.email.headers import clean, decoded, raw_value, unfold
from services.intake.email.refusals import Limits, MessageTooLarge
from services.intake.email.tnef import files_in, is_tnef


def bodies(msg: EmailMessage) -> tuple[Message | None, Message | None]:
    """The text/plain body and the text/html body (either may be missing)."""
    try:
        plain = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
    except Exception:
        plain = html = None
    if plain is None and html is None and not msg.is_multipart():
        # No Content-Type worth the name (or text/enriched), or a multipart whose boundary never
        # occurs (so it has no parts): read the single body as text.
        if content_type_of(msg).startswith(("text/", "multipart/")) and not is_attachment(msg):
            plain = msg
    return plain, html


def mend_boundary(msg: Message) -> None:
    """A multipart whose declared boundary never occurs, but whose body is plainly parts under another
    boundary (a program that wrote one and used another): read with the boundary the body uses."""
    if msg.is_multipart() or not content_type_of(msg).startswith("multipart/"):
        return
    body = payload_of(msg)
    used = _BOUNDARY_LINE.search(body[:100_000])
    if used is None:
        return
    head = b'Content-Type: multipart/mixed; boundary="' + used.group(1) + b'"\r\n\r\n'
    inner = email.message_from_bytes(head + body, policy=msg.policy)
    if inner.is_multipart():
        msg.set_payload(inner.get_payload())


_BOUNDARY_LINE = re.compile(rb"(?m)^--([0-9A-Za-z'()+_,./:=?-]{1,70})[ \t]*\r?\n(?=[A-Za-z-]{2,40}:)")


def is_attachment(part: Message) -> bool:
    try:
        return part.get_content_disposition() == "attachment"
    except Exception:
        return False


def text_of(part: Message) -> str:
    """The part's text, whatever its label says (see :mod:`charsets`)."""
    payload = payload_of(part)
    label = charset_of(part)
    if label is None and content_type_of(part) == "text/html":
        meta = _META_CHARSET.search(payload[:4096])
        label = meta.group(1).decode("ascii") if meta else None
    return _lines(clean(charsets.decode(payload, label)))


_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset=[\"']?([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)


def charset_of(part: Message) -> str | None:
    """The ``charset`` parameter of the part's Content-Type, read from the raw header (see
    :func:`content_type_of`); RFC 2231's ``charset*=`` as well."""
    raw = raw_value(part, "Content-Type")
    found = _CHARSET_PARAMETER.search(unfold(raw)) if raw is not None else None
    return found.group(1).rsplit("'", 2)[0] or None if found else None


_CHARSET_PARAMETER = re.compile(r";\s*charset\*?\s*=\s*\"?([^\";\s]*)", re.IGNORECASE)


def declared_charsets(msg: Message) -> list[str]:
    """The charsets the message's parts are labelled with: how its 8-bit header bytes are most likely
    meant, when they are not UTF-8."""
    found = [charset_of(p) for p in [msg, *leaf_parts(msg)[:50]]]
    return list(dict.fromkeys(c for c in found if c))


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def payload_of(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def attachments(msg: EmailMessage, bodies: set[int], limits: Limits) -> tuple[list[FileContent], list[str]]:
    """The files of the message, and further inline text parts (Apple Mail splits text around images)."""
    files: list[FileContent] = []
    texts: list[str] = []
    for part in leaf_parts(msg):
        if id(part) in bodies:
            continue
        content_type = content_type_of(part)
        filename = filename_of(part)
        if content_type.startswith("text/") and not filename and not is_attachment(part):
            if content_type == "text/plain":
                texts.append(text_of(part))
            if content_type in ("text/plain", "text/html"):
                continue  # more of the body, or another alternative of it: not a file
        data = embedded_message(part) if content_type.startswith("message/") else payload_of(part)
        name = safe_filename(filename, len(files) + 1, content_type)
        if content_type.startswith("message/") and not filename:
            kind = "bifogat-meddelande" if content_type == "message/rfc822" else "rapport"
            name = f"{kind}-{len(files) + 1}.{'eml' if content_type == 'message/rfc822' else 'txt'}"
        if len(data) > limits.attachment_bytes:
            raise MessageTooLarge(
                f"the attachment {name!r} is {megabytes(len(data))}; "
                f"the limit is {megabytes(limits.attachment_bytes)} per file",
                details={"file": name, "limit_bytes": limits.attachment_bytes},
            )
        inside = files_in(data) if is_tnef(content_type, filename) else []
        if inside:  # winmail.dat: the files the citizen attached, as they were
            for inner_name, inner in inside:
                inner_name = safe_filename(inner_name, len(files) + 1)
                files.append(FileContent(inner_name, guess_type(inner_name), inner))
        else:
            files.append(FileContent(name, content_type, data))
    if len(files) > limits.attachments:
        raise MessageTooLarge(
            f"the message has {len(files)} attachments; the limit is {limits.attachments}",
            details={"limit_files": limits.attachments},
        )
    return files, [t for t in texts if t.strip()]


def leaf_parts(msg: Message) -> list[Message]:
    """Every non-multipart part; an attached message or report counts as one part (not walked into)."""
    parts: list[Message] = []
    stack: list[Message] = [msg]
    while stack and len(parts) < 1000:
        part = stack.pop(0)
        if content_type_of(part).startswith("message/"):
            parts.append(part)
        elif part.is_multipart():
            payload = part.get_payload()
            stack[0:0] = [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []
        else:
            parts.append(part)
    return parts


def content_type_of(part: Message) -> str:
    """``maintype/subtype`` in lower case, by the standard library's rules (a type that is no type is
    ``text/plain``), read from the raw header: the modern policy would parse the whole field each time."""
    raw = raw_value(part, "Content-Type")
    if raw is None:
        return part.get_default_type()
    return plain_media_type(unfold(raw)) or "text/plain"


def embedded_message(part: Message) -> bytes:
    payload = part.get_payload()
    try:
        if isinstance(payload, list):
            inner = [p for p in payload if isinstance(p, Message)]
            return b"\n".join(p.as_bytes(policy=email.policy.SMTPUTF8) for p in inner)
    except Exception:
        pass
    return payload_of(part)


def filename_of(part: Message) -> str | None:
    """The file's name as the sender's program gave it, without the folders of the sender's disk."""
    try:
        name = part.get_filename()
    except Exception:
        return None
    base = re.split(r"[\\/]", clean(decoded(str(name)))) if name else []
    return base[-1].strip() or None if base else None
