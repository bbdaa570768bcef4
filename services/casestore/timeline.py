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


def _canonical(entry: dict[str, Any]) -> bytes:
    content = {k: entry[k] for k in ("seq", "at", "actor", "type", "data")}
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


def verify(entries: list[dict[str, Any]]) -> Verification:
    """Recompute the chain; ``first_broken`` is the seq of the first entry that does not hold."""
    previous_hash = GENESIS
    for position, entry in enumerate(entries, start=1):
        if (
            entry.get("seq") != position
            or entry.get("prev_hash") != previous_hash
            or entry.get("hash") != entry_hash(previous_hash, entry)
        ):
            return Verification(ok=False, entries=len(entries), first_broken=position)
        previous_hash = entry["hash"]
    return Verification(ok=True, entries=len(entries), first_broken=None)
