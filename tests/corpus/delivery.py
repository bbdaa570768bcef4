"""Delivering the corpus over SMTP as the municipality's MTA would, a few sessions at a time."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import replace

import aiosmtplib

from tests.corpus.expectations import Expected

SESSIONS = 4
_LINE_ENDS = re.compile(rb"(\r\n|\r|\n)")


def as_an_mta_sends(raw: bytes) -> bytes:
    """Lines over RFC 5321's 998 octets broken by inserting CRLF and a space, as Postfix's
    ``smtp_line_length_limit`` does when it relays (for a header field that is a fold)."""
    pieces = _LINE_ENDS.split(raw)
    if max(len(p) for p in pieces) <= 998:
        return raw
    return b"".join(b"\r\n ".join(_chunks(p, 990)) if len(p) > 998 else p for p in pieces)


def _chunks(line: bytes, size: int) -> list[bytes]:
    return [line[i : i + size] for i in range(0, len(line), size)]


async def deliver(port: int, samples: Sequence[Expected]) -> dict[str, tuple[int, str]]:
    """Each sample's SMTP reply (code, text), sent over ``SESSIONS`` connections at once."""
    queue: asyncio.Queue[Expected] = asyncio.Queue()
    for sample in samples:
        queue.put_nowait(sample)
    replies: dict[str, tuple[int, str]] = {}

    async def session() -> None:
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=120) as client:
            while not queue.empty():
                sample = queue.get_nowait()
                replies[sample.name] = await _send(client, sample)

    await asyncio.gather(*(session() for _ in range(SESSIONS)))
    return replies


async def _send(client: aiosmtplib.SMTP, sample: Expected) -> tuple[int, str]:
    try:
        _, reply = await client.sendmail(sample.envelope_from, [sample.to], as_an_mta_sends(sample.raw))
    except aiosmtplib.SMTPResponseException as refused:
        await client.rset()
        return refused.code, refused.message
    except aiosmtplib.SMTPRecipientsRefused as refused:
        await client.rset()
        return refused.recipients[0].code, refused.recipients[0].message
    return 250, reply


def in_this_run(samples: Sequence[Expected], run: str) -> list[Expected]:
    """The samples as new messages, so a run against a Kafka and MongoDB that keep an earlier run's
    contacts opens new cases: a ``Received`` field on top, as the MTA adds one, and the run in each
    Message-ID (two samples that share one still share it)."""
    received = f"Received: from mx.example.se by lotsen-intake; run {run}\r\n".encode()
    tagged = f"Message-ID: <{run}.".encode()
    return [replace(s, raw=received + _MESSAGE_ID.sub(lambda m: tagged, s.raw, count=1)) for s in samples]


_MESSAGE_ID = re.compile(rb"(?im)^Message-ID:[ \t]*<")


def contact_id_of(reply: str) -> str:
    """``250 2.0.0 OK: accepted as contact <id>`` → the id."""
    return reply.rsplit(" ", 1)[-1]
