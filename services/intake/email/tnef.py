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


def files_in(data: bytes) -> list[tuple[str, bytes]]:
    """(name, bytes) of each file in the TNEF ``data``; empty when there are none or it is unreadable."""
    try:
        wrapped = TNEF(data, do_checksum=False)
        found = [(_name_of(a), bytes(a.data)) for a in wrapped.attachments if a.data]
    except Exception as exc:  # a third-party reader of untrusted bytes: any failure leaves the file as is
        log.info("winmail.dat kept as it is: %s", type(exc).__name__)
        return []
    return [(name, content) for name, content in found if isinstance(content, bytes)]


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
