"""Every MongoDB call of casestore. Kept in one module so it can be reviewed against the real server.

No multi-document transactions (the stand-in has none): a case is created with a unique
``origin_contact_id`` so a redelivered contact finds the case it already made, and references come
from an atomic ``$inc`` on a per-organisation, per-year counter.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from lotsen.errors import DomainError

Document = dict[str, Any]


class InvalidCursor(DomainError):
    status = 400
    code = "invalid_cursor"


@dataclass(frozen=True)
class CaseQuery:
    """Filters of ``GET /v1/cases`` after authorisation has narrowed them."""

    status: str | None = None
    organization: str | None = None
    department: str | None = None
    answer_group: str | None = None
    assignee: str | None = None
    channel: str | None = None
    category: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    departments_in: tuple[str, ...] | None = None
    include_confidential: bool = True
    confidential_departments: tuple[str, ...] | None = None


class CaseRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._cases = db["cases"]
        self._messages = db["messages"]
        self._counters = db["counters"]
        self._accounts = db["accounts"]

    async def ensure_indexes(self) -> None:
        await self._cases.create_index("ref", unique=True)
        await self._cases.create_index("origin_contact_id", unique=True)
        await self._cases.create_index([("created_at", DESCENDING), ("ref", DESCENDING)])
        await self._cases.create_index(
            [("organization", ASCENDING), ("status", ASCENDING), ("created_at", DESCENDING)]
        )
        await self._cases.create_index([("department", ASCENDING), ("created_at", DESCENDING)])
        await self._cases.create_index([("answer_group", ASCENDING), ("created_at", DESCENDING)])
        await self._messages.create_index([("case_ref", ASCENDING), ("at", ASCENDING)])

    # --- references -------------------------------------------------------------------------------

    async def next_sequence(self, org_code: str, year: int) -> int:
        counter = await self._counters.find_one_and_update(
            {"_id": f"{org_code}-{year}"},
            {"$inc": {"seq": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return int(counter["seq"])

    # --- cases ------------------------------------------------------------------------------------

    async def find_by_origin_contact(self, contact_id: str) -> Document | None:
        return await self._cases.find_one({"origin_contact_id": contact_id})

    async def insert_case(self, case: Document) -> Document:
        """Insert; if the contact already made a case (a redelivery), return that one instead."""
        try:
            await self._cases.insert_one(case)
        except DuplicateKeyError:
            existing = await self.find_by_origin_contact(case["origin_contact_id"])
            if existing is None:
                raise
            return existing
        return case

    async def get(self, ref: str) -> Document | None:
        return await self._cases.find_one({"ref": ref})

    async def list(
        self, query: CaseQuery, *, limit: int, cursor: str | None
    ) -> tuple[list[Document], str | None]:
        """Newest first; ``cursor`` continues after the last case of the previous page."""
        conditions: list[Document] = [_filter(query)]
        if cursor:
            created_at, ref = _decode_cursor(cursor)
            conditions.append(
                {
                    "$or": [
                        {"created_at": {"$lt": created_at}},
                        {"created_at": created_at, "ref": {"$lt": ref}},
                    ]
                }
            )
        found = (
            self._cases.find({"$and": conditions})
            .sort([("created_at", DESCENDING), ("ref", DESCENDING)])
            .limit(limit + 1)
        )
        docs = [doc async for doc in found]
        next_cursor = _encode_cursor(docs[limit - 1]) if len(docs) > limit else None
        return docs[:limit], next_cursor

    # --- messages ---------------------------------------------------------------------------------

    async def add_message(self, message: Document) -> bool:
        """Store a message once (``_id`` is its message id); False if it was already there."""
        try:
            await self._messages.insert_one(message)
        except DuplicateKeyError:
            return False
        return True

    # --- accounts ---------------------------------------------------------------------------------

    async def get_account(self, username: str) -> Document | None:
        return await self._accounts.find_one({"_id": username})

    async def upsert_account(self, account: Document) -> None:
        await self._accounts.replace_one({"_id": account["_id"]}, account, upsert=True)


def _filter(q: CaseQuery) -> Document:
    f: Document = {}
    for name in ("status", "organization", "department", "answer_group", "assignee", "channel", "category"):
        value = getattr(q, name)
        if value is not None:
            f[name] = value
    if q.created_from or q.created_to:
        f["created_at"] = {
            **({"$gte": q.created_from} if q.created_from else {}),
            **({"$lt": q.created_to} if q.created_to else {}),
        }
    restrictions: list[Document] = []
    if q.departments_in is not None:
        restrictions.append({"department": {"$in": list(q.departments_in)}})
    if not q.include_confidential:
        visible = [{"confidential": False}]
        if q.confidential_departments:
            visible.append({"department": {"$in": list(q.confidential_departments)}})
        restrictions.append({"$or": visible})
    if restrictions:
        f = {"$and": [f, *restrictions]} if f else {"$and": restrictions}
    return f


def _encode_cursor(doc: Document) -> str:
    raw = json.dumps({"c": doc["created_at"].isoformat(), "r": doc["ref"]})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        return datetime.fromisoformat(data["c"]), str(data["r"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidCursor("the cursor is not one this API gave out") from exc
