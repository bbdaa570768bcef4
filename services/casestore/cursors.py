"""The case list's cursors: where the next page starts (the last case's creation time and reference),
opaque to clients."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from lotsen.errors import DomainError


class InvalidCursor(DomainError):
    status = 400
    code = "invalid_cursor"


def encode(case: dict[str, Any]) -> str:
    raw = json.dumps({"c": case["created_at"].isoformat(), "r": case["ref"]})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        return datetime.fromisoformat(data["c"]), str(data["r"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidCursor("the cursor is not one this API gave out") from exc


def after(cursor: str) -> dict[str, Any]:
    """The condition for the cases after ``cursor`` in the list's order (newest first, then by
    reference): a keyset on the sort's own fields, which a server answers from the index it walks."""
    created_at, ref = decode(cursor)
    return {"$or": [{"created_at": {"$lt": created_at}}, {"created_at": created_at, "ref": {"$lt": ref}}]}
