"""Bytes to text when the label is wrong, unknown or missing, as in much of the world's mail.

Mail programs label GBK bytes ``GB2312``, Shift_JIS bytes ``ISO-2022-JP``, Windows-1252 bytes
``ISO-8859-1`` or even ``UTF-8``, and UHC bytes ``EUC-KR``. A label is read as what its senders mean by it
(``ISO-8859-1`` as Windows-1252 and ``GB2312`` as GB18030, as the WHATWG Encoding Standard does), then
the supersets sent under that label are tried, then UTF-8. Bytes none of these read are Windows-1252
unless they look like no Western text (three non-ASCII characters in a row), in which case
charset-normalizer guesses, when there is enough text to guess from. Nothing here raises.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

import charset_normalizer

# What mail programs mean by a label: read with these instead (each reads the label's bytes alike).
_MEANT = {
    "iso8859-1": ("cp1252",),
    "iso8859-9": ("cp1254",),
    "tis-620": ("cp874",),
    "iso8859-11": ("cp874",),
    "gb2312": ("gb18030",),
    "gbk": ("gb18030",),
}
# Then the larger charsets sent under the label, and what is mislabelled as it most often.
_SUPERSETS = {
    "big5": ("cp950", "big5hkscs"),
    "iso2022_jp": ("iso2022_jp_2", "iso2022_jp_ext", "cp932", "euc_jp"),
    "shift_jis": ("cp932", "shift_jis_2004"),
    "euc_jp": ("euc_jis_2004", "cp932"),
    "euc_kr": ("cp949",),
}
_NOT_TEXT = re.compile(r"escape|idna|punycode|undefined|rot")
# What a guess may choose from: the charsets of the world's mail that are not Western. Fewer choices
# also make a guess ten times cheaper (a message may have hundreds of text parts).
_GUESSABLE = (
    "cp1251 koi8_r koi8_u iso8859_5 gb18030 big5 cp950 shift_jis cp932 euc_jp euc_kr cp949 iso8859_7 cp1253"
    " cp1256 iso8859_6 cp1255 iso8859_8 cp1250 iso8859_2 cp1254 cp1257 cp874"
).split()
_FOREIGN_RUN = re.compile(r"[^\x00-\x7f]{3}")
GUESS_FROM_BYTES = 64  # shorter text is no ground for a guess (a subject in Latin-1 reads as Cyrillic)


def _guess(data: bytes) -> str | None:
    """charset-normalizer's guess of the charset, unless its reading is mostly half-width katakana:
    what 8-bit Cyrillic and Greek turn into as Shift_JIS, and what mail hardly has (ISO-2022-JP does
    not allow them)."""
    excluded: list[str] = []
    for _ in range(3):
        guess = charset_normalizer.from_bytes(
            data, cp_isolation=[c for c in _GUESSABLE if c not in excluded]
        ).best()
        if guess is None or codec_of(guess.encoding) is None:
            return None
        text = str(guess)
        if len(_HALF_WIDTH_KATAKANA.findall(text)) * 5 < len(text):
            return str(guess.encoding)
        excluded.append(guess.encoding)
    return None


_HALF_WIDTH_KATAKANA = re.compile("[\uff61-\uff9f]")


def codec_of(label: str | None) -> str | None:
    """Python's codec for a charset label (``GB2312``, ``utf-8*sv``, ``"latin1"``), or None."""
    name = (label or "").split("*")[0].strip().strip("\"'").lower()
    if not name:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, UnicodeError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or _NOT_TEXT.search(info.name):
        return None
    return info.name


def candidates(label: str | None, hints: Iterable[str] = ()) -> list[str]:
    """The codecs to try, in order, for bytes labelled ``label`` (then the message's other labels)."""
    found: list[str] = []
    for given in (label, *hints):
        codec = codec_of(given)
        if codec is not None:
            found += [*_MEANT.get(codec, (codec,)), *_SUPERSETS.get(codec, ())]
    return list(dict.fromkeys([*found, "utf-8"]))


def decode(data: bytes, label: str | None, hints: Iterable[str] = ()) -> str:
    """``data`` as text: see the module docstring for the order things are tried in."""
    for codec in candidates(label, hints):
        try:
            return data.decode(codec)
        except (LookupError, UnicodeError, ValueError):
            continue
    western = data.decode("cp1252", errors="replace")
    if len(data) >= GUESS_FROM_BYTES and _FOREIGN_RUN.search(western):
        guessed = _guess(data[:200_000])
        if guessed is not None:
            try:
                return data.decode(guessed)
            except (LookupError, UnicodeError, ValueError):
                pass
    try:
        return data.decode("cp1252")
    except UnicodeError:
        return data.decode("latin-1")  # the five bytes Windows-1252 leaves undefined
