"""The append-only, hash-chained timeline of a case (*spårbarhet på varje enskilt ärende*).

Each entry stores the SHA-256 of the previous entry's hash and its own canonical content, so anyone
can recompute the chain and see whether an entry was altered or removed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
CONTENT = ("seq", "at", "actor", "type", "data")  # what an entry's hash covers


def _canonical(entry: dict[str, Any]) -> bytes:
    content = {k: entry[k] for k in CONTENT}
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def entry_hash(previous_hash: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256(previous_hash.encode() + _canonical(entry)).hexdigest()


def new_entry(
    previous: dict[str, Any] | None, *, at: datetime, actor: str, type: str, data: dict[str, Any]
) -> dict[str, Any]:
    """The next entry after ``previous`` (None for the first), chained to it."""
    entry: dict[str, Any] = {
        "seq": (previous["seq"] + 1) if previous else 1,
        "at": at.astimezone(UTC).isoformat(timespec="milliseconds"),
        "actor": actor,
        "type": type,
        "data": data,
    }
    entry["prev_hash"] = previous["hash"] if previous else GENESIS
    entry["hash"] = entry_hash(entry["prev_hash"], entry)
    return entry


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    first_broken: int | None


def verify(entries: list[Any]) -> Verification:
    """Recompute the chain; ``first_broken`` is the position of the first entry that does not hold.

    Total over whatever the store holds: an entry that is null (MongoDB's ``$unset`` of an array
    element leaves one), not a document, missing a field or carrying a wrong hash is reported, never
    raised.
    """
    previous_hash = GENESIS
    for position, entry in enumerate(entries, start=1):
        if not _holds(entry, position, previous_hash):
            return Verification(ok=False, entries=len(entries), first_broken=position)
        previous_hash = entry["hash"]
    return Verification(ok=True, entries=len(entries), first_broken=None)


def _holds(entry: Any, position: int, previous_hash: str) -> bool:
    if not isinstance(entry, dict) or any(field not in entry for field in (*CONTENT, "prev_hash", "hash")):
        return False
    if entry["seq"] != position or entry["prev_hash"] != previous_hash:
        return False
    try:
        return bool(entry["hash"] == entry_hash(previous_hash, entry))
    except (TypeError, ValueError):  # content JSON cannot encode (e.g. a circular or odd value)
        return False
