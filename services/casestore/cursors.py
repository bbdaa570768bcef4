"""The case list's cursors: where the next page starts, opaque to clients.

A cursor holds the sort fields of the last case of a page in the list's order: newest first
(creation time, reference) or the queue order (:mod:`queue_order`: priority, due time, reference).
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any, Literal

from lotsen.errors import DomainError

Order = Literal["newest", "priority"]


class InvalidCursor(DomainError):
    status = 400
    code = "invalid_cursor"


def encode(case: dict[str, Any], order: Order = "newest") -> str:
    if order == "priority":
        fields: dict[str, Any] = {
            "o": "priority",
            "p": case["priority_rank"],
            "d": case["queue_due"].isoformat(),
            "r": case["ref"],
        }
    else:
        fields = {"c": case["created_at"].isoformat(), "r": case["ref"]}
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("=")


def _fields(cursor: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError as exc:
        raise InvalidCursor("the cursor is not one this API gave out") from exc
    if not isinstance(data, dict):
        raise InvalidCursor("the cursor is not one this API gave out")
    return data


def order_of(cursor: str) -> Order:
    return "priority" if _fields(cursor).get("o") == "priority" else "newest"


def decode(cursor: str) -> tuple[datetime, str]:
    try:
        data = _fields(cursor)
        return datetime.fromisoformat(data["c"]), str(data["r"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidCursor("the cursor is not one this API gave out") from exc


def after(cursor: str) -> dict[str, Any]:
    """The condition for the cases after ``cursor`` in its list's order: a keyset on the sort's own
    fields, which a server answers from the index it walks."""
    if order_of(cursor) == "priority":
        return _after_in_queue(cursor)
    created_at, ref = decode(cursor)
    return {"$or": [{"created_at": {"$lt": created_at}}, {"created_at": created_at, "ref": {"$lt": ref}}]}


def _after_in_queue(cursor: str) -> dict[str, Any]:
    try:
        data = _fields(cursor)
        rank, due, ref = int(data["p"]), datetime.fromisoformat(data["d"]), str(data["r"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidCursor("the cursor is not one this API gave out") from exc
    return {
        "$or": [
            {"priority_rank": {"$gt": rank}},
            {"priority_rank": rank, "queue_due": {"$gt": due}},
            {"priority_rank": rank, "queue_due": due, "ref": {"$gt": ref}},
        ]
    }
