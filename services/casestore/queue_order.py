"""The order of the work queues: the most urgent errand first, then the one due soonest.

Each case carries its place in that order as two stored fields, kept in step by every change
(:meth:`Cases._writes <services.casestore.changes.Cases>`), so MongoDB sorts a queue from an index:

- ``priority_rank``: 0 urgent, 1 high, 2 normal, 3 low;
- ``queue_due``: when the case must be answered next: the department's deadline while handed off,
  the first-response deadline while new or open and unanswered, else :data:`NO_DUE` (last).

Ties go by reference, oldest first. Cases stored before these fields existed get them at start-up
(:func:`backfill`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.casestore.repository import CaseRepository

PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
# Nothing due sorts after everything due; MongoDB would sort a null first.
NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)
FIELDS = ("priority_rank", "queue_due")
SORT = [("priority_rank", 1), ("queue_due", 1), ("ref", 1)]


def due_of(case: Mapping[str, Any]) -> datetime | None:
    """The deadline the case is worked against now (the web app's "Due" column)."""
    if case.get("status") == "handed_off":
        due = case.get("due_at")
    elif case.get("status") in ("new", "open") and case.get("first_response_at") is None:
        due = case.get("first_response_due")
    else:
        due = None
    return due if isinstance(due, datetime) else None


def fields_of(case: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "priority_rank": PRIORITY_RANK.get(str(case.get("priority") or "normal"), PRIORITY_RANK["normal"]),
        "queue_due": due_of(case) or NO_DUE,
    }


def with_order(case: Mapping[str, Any], updates: dict[str, Any]) -> None:
    """Add to ``updates`` the order fields that the change moves (or the case lacks)."""
    for name, value in fields_of({**case, **updates}).items():
        if name not in updates and (name not in case or not _same(case[name], value)):
            updates[name] = value


def _same(stored: Any, value: Any) -> bool:
    if isinstance(stored, datetime) and isinstance(value, datetime):
        return stored.replace(microsecond=stored.microsecond // 1000 * 1000) == value.replace(
            microsecond=value.microsecond // 1000 * 1000
        )
    return bool(stored == value)


async def backfill(repo: CaseRepository) -> int:
    """Give cases stored before the queue order existed their place in it; how many."""
    done = 0
    while batch := await repo.without_queue_order():
        for case in batch:
            done += await repo.set_queue_order(case["_id"], fields_of(case))
    return done
