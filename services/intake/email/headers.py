"""Header fields as they come: encoded words, 8-bit bytes in any charset, malformed addresses.

The few headers intake reads are decoded from their raw values (unfolded, RFC 2047 encoded words,
undecodable 8-bit bytes read as UTF-8, else in the charsets the message declares): cheaper than the
modern policy's full parse of each field, and better for 8-bit bytes, which that policy would turn
into replacement characters.
Nothing here raises on bad input.
"""

from __future__ import annotations

import base64
import binascii
import email.quoprimime
import email.utils
import re
from collections.abc import Iterable
from email.message import Message

from services.intake.email import charsets


def clean(value: str) -> str:
    """Text fit for JSON: undecodable bytes read as UTF-8 (else Windows-1252), no control characters."""
    value = _SURROGATES.sub(_bytes_as_text, value)
    value = value.encode("utf-8", "replace").decode("utf-8")
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", value)


_SURROGATES = re.compile("[\udc80-\udcff]+")


def _bytes_as_text(run: re.Match[str]) -> str:
    return charsets.decode(run.group(0).encode("utf-8", "surrogateescape"), "utf-8")


def eight_bit(raw: str, hints: Iterable[str] = ()) -> str:
    """A raw header value with 8-bit bytes (kept by the parser as surrogates) as text: the whole value
    read as UTF-8, else in the charsets the message declares (``hints``): the bytes of a multibyte
    charset are not cut apart where one of them happens to be ASCII."""
    if not _SURROGATES.search(raw):
        return raw
    data = raw.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return charsets.decode(data, None, hints)


def header(msg: Message, name: str, hints: Iterable[str] = ()) -> str | None:
    """An unstructured header's text (Subject, Auto-Submitted, …): unfolded, encoded words decoded;
    ``hints``: the charsets the message declares, for 8-bit bytes in the header."""
    raw = raw_value(msg, name)
    if raw is None:
        return None
    text = re.sub(r"\s+", " ", clean(decoded(eight_bit(unfold(raw), hints), hints))).strip()
    return text or None


def unfold(raw: str) -> str:
    """RFC 5322 unfolding: a line break followed by white space is no line break."""
    return _FOLD.sub("", raw)


_FOLD = re.compile(r"\r?\n(?=[ \t])")


def raw_value(msg: Message, name: str) -> str | None:
    return next((str(v) for k, v in msg.raw_items() if k.lower() == name.lower()), None)


# Text of a Q word may hold spaces (against RFC 2047, but common); a word never spans a line.
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([qQbB])\?([^?\r\n]*)\?=")


def decoded(raw: str, hints: Iterable[str] = ()) -> str:
    """Encoded words decoded (RFC 2047). Adjacent words in one charset are decoded together, for
    programs that cut a word inside a multibyte character; a charset label that lies is read as
    :func:`charsets.decode` reads it. Space between two encoded words is not text."""
    parts: list[str] = []
    run: tuple[str, bytearray] | None = None  # charset and bytes of adjacent encoded words
    last = 0
    for word in _ENCODED_WORD.finditer(raw):
        between = raw[last : word.start()]
        adjacent = run is not None and not between.strip()
        charset, encoding, text = word.groups()
        data = _word_bytes(encoding, text)
        if run is not None and not (adjacent and data is not None and _same(run[0], charset)):
            parts.append(charsets.decode(bytes(run[1]), run[0], hints))
            run = None
        if not adjacent:
            parts.append(between)
        if data is None:
            parts.append(word.group(0))
        elif run is None:
            run = (charset, bytearray(data))
        else:
            run[1].extend(data)
        last = word.end()
    if run is not None:
        parts.append(charsets.decode(bytes(run[1]), run[0], hints))
    parts.append(raw[last:])
    return "".join(parts)


def _same(one: str, other: str) -> bool:
    return (charsets.codec_of(one) or one.lower()) == (charsets.codec_of(other) or other.lower())


def _word_bytes(encoding: str, text: str) -> bytes | None:
    """The bytes of an encoded word; of broken base64, what whole groups of four characters hold."""
    try:
        if encoding.lower() == "q":
            return email.quoprimime.header_decode(text).encode("latin-1")
        letters = _NOT_BASE64.sub("", text)
        if len(letters) % 4 == 1:
            letters = letters[:-1]  # a lone last character holds no whole byte
        return base64.b64decode(letters + "=" * (-len(letters) % 4))
    except (ValueError, binascii.Error):
        return None


_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")


def addresses(msg: Message, name: str, hints: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(display name, address) of an address header. Encoded words are decoded per display name,
    after the addresses are split, so a comma inside one cannot split an address."""
    raw = raw_value(msg, name)
    if raw is None:
        return []
    pairs = email.utils.getaddresses([eight_bit(unfold(raw), hints)])
    return [(clean(decoded(n, hints)).strip(), clean(a).strip()) for n, a in pairs if a]
