"""The files inside ``winmail.dat``: Outlook's TNEF wrapping, which only Outlook opens.

Exchange sends it to outside recipients when it is set up so; the citizen's attached application or
certificate is then inside it, where an agent's browser cannot reach it. The files are taken out with
tnefparse; when that finds none or cannot read the data, ``winmail.dat`` stays as it came.
"""

from __future__ import annotations

import logging

from tnefparse import TNEF

log = logging.getLogger(__name__)


def is_tnef(content_type: str, filename: str | None) -> bool:
    return content_type in ("application/ms-tnef", "application/vnd.ms-tnef") or (
        (filename or "").lower() == "winmail.dat"
    )


MAX_OBJECTS = 2_000  # Outlook writes a few per file and a few dozen per message
COPY_BUDGET = 1_000_000_000  # bytes tnefparse may copy: it copies the rest of the stream per object


def files_in(data: bytes) -> list[tuple[str, bytes]]:
    """(name, bytes) of each file in the TNEF ``data``; empty when there are none or it is unreadable."""
    most = min(MAX_OBJECTS, COPY_BUDGET // max(len(data), 1))
    if _objects(data, most) > most:
        log.info("winmail.dat kept as it is: more than %d objects", most)
        return []  # read anyway, its time would grow as the square of its size
    try:
        wrapped = TNEF(data, do_checksum=False)
        found = [(_name_of(a), bytes(a.data)) for a in wrapped.attachments if a.data]
    except Exception as exc:  # a third-party reader of untrusted bytes: any failure leaves the file as is
        log.info("winmail.dat kept as it is: %s", type(exc).__name__)
        return []
    return [(name, content) for name, content in found if isinstance(content, bytes)]


def _objects(data: bytes, most: int) -> int:
    """How many objects tnefparse would read (it takes each one's length as this does), up to one more
    than ``most``."""
    count, offset = 0, 6
    while offset + 12 < len(data) and count <= most:
        length = int.from_bytes(data[offset + 5 : offset + 9], "little") + 11
        offset += min(len(data) - offset, length)
        count += 1
    return count


def _name_of(attachment: object) -> str:
    for read in ("long_filename", "name"):
        try:
            value = getattr(attachment, read)
            name = value() if callable(value) else value
        except Exception:
            continue
        if isinstance(name, bytes):
            name = name.decode("cp1252", "replace")
        if isinstance(name, str) and name.strip("\x00 "):
            return name.strip("\x00 ")
    return ""
