"""The MongoDB filter of the case list (``GET /v1/cases``) for a ``CaseQuery`` and a page's cursor.

Equalities are kept at the top level of the filter and every other condition goes into one
``$and``: to MongoDB the same query as nesting them (its planner flattens ``$and``), and the
in-memory stand-in answers a top-level equality on an indexed field from its field maps instead of
testing every case. The indexes the queues use are in ``CaseRepository.ensure_indexes``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from services.casestore import cursors, search

if TYPE_CHECKING:
    from services.casestore.repository import CaseQuery

Document = dict[str, Any]
EQUALITIES = (
    "status",
    "organization",
    "department",
    "answer_group",
    "assignee",
    "channel",
    "category",
    "language",
)


def of(q: CaseQuery, cursor: str | None = None) -> Document:
    top: Document = {}
    for name in EQUALITIES:
        value = getattr(q, name)
        if value is not None:
            top[name] = value
    for field, lower, upper in (
        ("created_at", q.created_from, q.created_to),
        ("updated_at", q.updated_from, q.updated_to),
    ):
        if lower or upper:
            top[field] = {**({"$gte": lower} if lower else {}), **({"$lt": upper} if upper else {})}
    conditions: list[Document] = []
    if q.text:
        conditions.extend(search.conditions(q.text))
    if q.overdue_at is not None:
        conditions.append(_overdue(q.overdue_at))
    if q.organizations_in is not None:
        conditions.append({"organization": _one_of(q.organizations_in)})
    if q.departments_in is not None:
        conditions.append({"department": _one_of(q.departments_in)})
    if not q.include_confidential:
        conditions.append({"confidential": False})
    if cursor:
        conditions.append(cursors.after(cursor))
    return _flattened(top, conditions)


def _overdue(now: Any) -> Document:
    return {
        "$or": [
            {"status": "handed_off", "due_at": {"$lte": now}},
            {
                "status": {"$in": ["new", "open"]},
                "first_response_at": None,
                "first_response_due": {"$lte": now},
            },
        ]
    }


def _one_of(values: tuple[str, ...]) -> Any:
    """An ``$in`` of one value is that value: the same match, and an equality the stand-in can look up."""
    return values[0] if len(values) == 1 else {"$in": list(values)}


def _flattened(top: Document, conditions: list[Document]) -> Document:
    """``top`` and every one of ``conditions``: a condition on one field not yet in ``top`` moves into
    it, the rest stay together in ``$and``."""
    rest: list[Document] = []
    for condition in conditions:
        field = next(iter(condition)) if len(condition) == 1 else "$"
        if not field.startswith("$") and field not in top:
            top.update(condition)
        else:
            rest.append(condition)
    if rest:
        top["$and"] = rest
    return top
