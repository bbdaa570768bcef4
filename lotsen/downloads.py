"""Headers for files served as downloads, whatever their names are written in."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

FALLBACK_NAME = "bilaga"


def attachment_disposition(filename: str) -> str:
    """``Content-Disposition`` for a download (RFC 6266): the name in UTF-8 as ``filename*``, which
    current browsers use, and an ASCII ``filename`` for older clients (``Ansökan — kopia.pdf`` →
    ``Ansokan _ kopia.pdf``). A header carries Latin-1 at most, so the name itself never goes in
    as it is; quotes, backslashes and control characters cannot break out of the header either."""
    return f"attachment; filename=\"{ascii_fallback(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"


def ascii_fallback(filename: str) -> str:
    letters = []
    for char in unicodedata.normalize("NFKD", filename):
        if unicodedata.combining(char):
            continue  # the ring of å, the dots of ö: their base letter stays
        letters.append(char if " " <= char <= "~" and char not in '"\\' else "_")
    return "".join(letters).strip() or FALLBACK_NAME
