"""How the corpus writes a message: raw header lines and bytes, exactly as a mail program put them on
the wire (encoded words, 8-bit bytes, any line ending), and what a person should read from it."""

from __future__ import annotations

import base64
import quopri
from dataclasses import dataclass, field
from typing import Literal

KARLSKOGA, DEGERFORS, KARLSKOGAHEM = (
    "kommun@karlskoga.example",
    "kommun@degerfors.example",
    "kundservice@karlskogahem.example",
)
DATE = "Tue, 01 Dec 2026 09:14:05 +0100"

Outcome = Literal["case", "auto_reply", "refused"]
Header = tuple[str, str | bytes]


@dataclass
class Sample:
    """One message of the corpus and what a person reading it sees.

    ``outcome``: ``case`` (a case and an acknowledgement), ``auto_reply`` (accepted, no case),
    ``refused`` (the SMTP reply code ``smtp`` says why; each such refusal is by design)."""

    name: str
    raw: bytes
    outcome: Outcome = "case"
    subject: str | None = None
    sender: str | None = None
    phrase: str | None = None
    files: list[str] = field(default_factory=list)
    to: str = KARLSKOGA
    envelope_from: str = "citizen@example.se"
    smtp: int | None = None
    why: str = ""

    def expected(self) -> dict[str, object]:
        found = {k: v for k, v in vars(self).items() if k not in ("raw", "name") and v not in (None, [], "")}
        return dict(sorted(found.items()))


def word(text: str, charset: str, encoding: str = "B", *, codec: str | None = None) -> str:
    """One RFC 2047 encoded word of ``text`` in ``codec`` (default: ``charset``), labelled ``charset``."""
    return encoded(text.encode(codec or charset), charset, encoding)


def encoded(data: bytes, charset: str, encoding: str = "B") -> str:
    if encoding.upper() == "B":
        return f"=?{charset}?{encoding}?{base64.b64encode(data).decode()}?="
    text = "".join(
        "_"
        if b == 0x20
        else chr(b)
        if (0x30 <= b <= 0x39 or 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A)
        else f"={b:02X}"
        for b in data
    )
    return f"=?{charset}?{encoding}?{text}?="


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data)


def qp(data: bytes) -> bytes:
    return quopri.encodestring(data)


def message(
    name: str,
    *,
    subject: str | bytes | None = "Fråga till kommunen",
    sender: str | bytes | None = "",
    to: str = KARLSKOGA,
    body: bytes = b"",
    content_type: str | None = "text/plain; charset=utf-8",
    encoding: str | None = "8bit",
    headers: list[Header] | None = None,
    message_id: str | None = "",
    date: str | None = DATE,
    eol: bytes = b"\r\n",
) -> bytes:
    """A message as bytes; ``None`` leaves a header out, ``""`` makes the sender or the Message-ID
    from ``name``."""
    lines: list[Header] = list(headers or [])
    for key, value in (
        ("From", f"Medborgare <{name}@example.se>" if sender == "" else sender),
        ("To", to),
        ("Subject", subject),
        ("Date", date),
        ("Message-ID", f"<{name}@mail.example.se>" if message_id == "" else message_id),
        ("MIME-Version", "1.0" if content_type else None),
        ("Content-Type", content_type),
        ("Content-Transfer-Encoding", encoding),
    ):
        if value is not None and not any(k.lower() == key.lower() for k, _ in lines):
            lines.append((key, value))
    head = b"".join(
        k.encode() + b": " + (v if isinstance(v, bytes) else v.encode("utf-8")) + b"\n" for k, v in lines
    )
    return _endings(head + b"\n" + body, eol)


def _endings(raw: bytes, eol: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", eol)


def multipart(boundary: str, *parts: bytes, preamble: bytes = b"", close: bool = True) -> bytes:
    """A multipart body; each part is its header lines, an empty line and its content."""
    delimiter = f"--{boundary}".encode()
    body = preamble + b"".join(delimiter + b"\n" + part.rstrip(b"\n") + b"\n" for part in parts)
    return body + (delimiter + b"--\n" if close else b"")


def part(content_type: str, content: bytes, *, encoding: str = "8bit", extra: str = "") -> bytes:
    head = f"Content-Type: {content_type}\nContent-Transfer-Encoding: {encoding}\n{extra}"
    return head.encode() + b"\n" + content
