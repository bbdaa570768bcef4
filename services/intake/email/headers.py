"""Header fields as they come: encoded words, 8-bit bytes in any charset, malformed addresses.

The few headers intake reads are decoded from their raw values (unfolded, RFC 2047 encoded words,
undecodable 8-bit bytes read as UTF-8 or Windows-1252): cheaper than the modern policy's full parse of
each field, and the same for 8-bit bytes, which that policy would turn into replacement characters.
Nothing here raises on bad input.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email.quoprimime
import email.utils
import re
from email.message import Message


def clean(value: str) -> str:
    """Text fit for JSON: undecodable bytes read as UTF-8 (else Windows-1252), no control characters."""
    value = _SURROGATES.sub(_bytes_as_text, value)
    value = value.encode("utf-8", "replace").decode("utf-8")
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", value)


_SURROGATES = re.compile("[\udc80-\udcff]+")


def _bytes_as_text(run: re.Match[str]) -> str:
    raw = run.group(0).encode("utf-8", "surrogateescape")
    for attempt in ("utf-8", "cp1252"):
        try:
            return raw.decode(attempt)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def header(msg: Message, name: str) -> str | None:
    """An unstructured header's text (Subject, Auto-Submitted, …): unfolded, encoded words decoded."""
    raw = raw_value(msg, name)
    if raw is None:
        return None
    text = re.sub(r"\s+", " ", clean(decoded(unfold(raw)))).strip()
    return text or None


def unfold(raw: str) -> str:
    """RFC 5322 unfolding: a line break followed by white space is no line break."""
    return _FOLD.sub("", raw)


_FOLD = re.compile(r"\r?\n(?=[ \t])")


def raw_value(msg: Message, name: str) -> str | None:
    return next((str(v) for k, v in msg.raw_items() if k.lower() == name.lower()), None)


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([qQbB])\?([^?\s]*)\?=")


def decoded(raw: str) -> str:
    """Encoded words decoded by hand (RFC 2047); undecodable bytes are left for :func:`clean`."""
    parts: list[str] = []
    last = 0
    for word in _ENCODED_WORD.finditer(raw):
        between = raw[last : word.start()]
        if not (last and not between.strip()):  # space between two encoded words is not text
            parts.append(between)
        parts.append(_decode_word(*word.groups()) or word.group(0))
        last = word.end()
    parts.append(raw[last:])
    return "".join(parts)


def _decode_word(charset: str, encoding: str, text: str) -> str | None:
    try:
        if encoding.lower() == "q":
            data = email.quoprimime.header_decode(text).encode("latin-1")
        else:
            data = base64.b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, binascii.Error):
        return None
    try:
        declared = codecs.lookup(charset.split("*")[0]).name
    except (LookupError, UnicodeError, ValueError):  # also a charset name that is no name
        declared = None
    if declared is not None:
        try:
            return data.decode(declared)
        except UnicodeError:
            return None  # broken: better the encoded word as it came than garbage
    for attempt in ("utf-8", "cp1252"):
        try:
            return data.decode(attempt)
        except UnicodeError:
            continue
    return data.decode("latin-1")


def addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    """(display name, address) of an address header. Encoded words are decoded per display name,
    after the addresses are split, so a comma inside one cannot split an address."""
    raw = raw_value(msg, name)
    if raw is None:
        return []
    pairs = email.utils.getaddresses([unfold(raw)])
    return [(clean(decoded(n)).strip(), clean(a).strip()) for n, a in pairs if a]
