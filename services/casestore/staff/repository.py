"""Every MongoDB call of the staff directory and of recorded call transfers.

``staff``: one document per person, with the words they are found by and a Swedish sort key
(collation.py). ``call_transfers``: one document per call connected to a person or department,
carrying its ``call.transferred`` event in an outbox until Kafka has it (transfers.py).
``call_wrap_ups``: one document per call an agent marked done with its after-call work, carrying its
``call.wrapped_up`` event the same way (wrap_ups.py).

Ordering, by surname then given name: the search sorts by the stored ``sort_key``, whose plain
(binary) string order is the Swedish alphabetical order (collation.py). No server collation is asked
for, so the order is the same on MongoDB, on servers without collations (Amazon DocumentDB, Azure
Cosmos DB, mongoeco) and on the in-memory stand-in. Matching is a prefix match on the stored, folded
``search_words``, the same everywhere.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

Document = dict[str, Any]
INTERNAL = ("search_words", "sort_name", "sort_key", "identity")


def _public() -> Document:
    """A projection leaving out what only the search uses (a new dict: drivers may change it)."""
    return dict.fromkeys(INTERNAL, 0)


class DuplicateStaff(Exception):
    """Another entry of the organisation has this e-mail address (or, without one, name and department)."""


class StaffRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._staff = db["staff"]
        self._transfers = db["call_transfers"]
        self._wrap_ups = db["call_wrap_ups"]

    async def ensure_indexes(self) -> None:
        await self._staff.create_index([("organization", ASCENDING), ("identity", ASCENDING)], unique=True)
        await self._staff.create_index([("organization", ASCENDING), ("search_words", ASCENDING)])
        await self._staff.create_index([("organization", ASCENDING), ("department", ASCENDING)])
        await self._staff.create_index("account", sparse=True)
        await self._transfers.create_index("outbox.event_id", sparse=True)
        await self._transfers.create_index([("organization", ASCENDING), ("at", ASCENDING)])
        await self._wrap_ups.create_index("outbox.event_id", sparse=True)

    # --- staff ------------------------------------------------------------------------------------

    async def insert(self, entry: Document) -> None:
        try:
            await self._staff.insert_one(entry)
        except DuplicateKeyError as exc:
            raise DuplicateStaff(entry["identity"]) from exc

    async def replace(self, entry: Document) -> bool:
        try:
            result = await self._staff.replace_one({"_id": entry["_id"]}, entry)
        except DuplicateKeyError as exc:
            raise DuplicateStaff(entry["identity"]) from exc
        return result.matched_count == 1

    async def get(self, staff_id: str) -> Document | None:
        return await self._staff.find_one({"_id": staff_id})

    async def by_identity(self, organization: str, identity: str) -> Document | None:
        return await self._staff.find_one({"organization": organization, "identity": identity})

    async def delete(self, staff_id: str) -> bool:
        return (await self._staff.delete_one({"_id": staff_id})).deleted_count == 1

    async def set_absence(self, staff_id: str, absence: Document | None, at: datetime) -> Document | None:
        found = await self._staff.find_one_and_update(
            {"_id": staff_id}, {"$set": {"absence": absence, "updated_at": at}}, projection=_public()
        )
        return None if found is None else {**found, "absence": absence, "updated_at": at}

    async def insert_many(self, entries: builtins.list[Document]) -> None:
        await self._staff.insert_many(entries)

    async def count(self, organization: str) -> int:
        return await self._staff.count_documents({"organization": organization})

    async def search(
        self,
        *,
        patterns: Sequence[str],
        organizations_in: tuple[str, ...] | None,
        department: str | None,
        limit: int,
    ) -> builtins.list[Document]:
        """Entries matching every pattern, in Swedish alphabetical order of their names;
        ``organizations_in`` None means every organisation."""
        query: Document = {"$and": [{"search_words": {"$regex": p}} for p in patterns]} if patterns else {}
        if organizations_in is not None:
            query["organization"] = {"$in": list(organizations_in)}
        if department is not None:
            query["department"] = department
        found = self._staff.find(query, _public()).sort([("sort_key", ASCENDING), ("_id", ASCENDING)])
        return [doc async for doc in found.limit(limit)]

    # --- call transfers ---------------------------------------------------------------------------

    async def insert_transfer(self, transfer: Document) -> Document:
        """Insert; a transfer recorded before (the same id: a second click) is returned instead."""
        try:
            await self._transfers.insert_one(transfer)
        except DuplicateKeyError:
            existing = await self._transfers.find_one({"_id": transfer["_id"]})
            if existing is None:
                raise
            return existing
        return transfer

    async def forget_published(self, transfer_id: str, event_ids: Sequence[str]) -> None:
        await self._transfers.update_one(
            {"_id": transfer_id}, {"$pull": {"outbox": {"event_id": {"$in": list(event_ids)}}}}
        )

    async def with_unpublished_events(self, limit: int = 100) -> builtins.list[Document]:
        found = self._transfers.find({"outbox.0": {"$exists": True}}, {"outbox": 1}).limit(limit)
        return [doc async for doc in found]

    # --- after-call work marked done --------------------------------------------------------------

    async def insert_wrap_up(self, wrap_up: Document) -> tuple[Document, bool]:
        """Insert; a wrap-up recorded before (the same call: a second click) is returned instead.
        True when inserted now."""
        try:
            await self._wrap_ups.insert_one(wrap_up)
        except DuplicateKeyError:
            existing = await self._wrap_ups.find_one({"_id": wrap_up["_id"]})
            if existing is None:
                raise
            return existing, False
        return wrap_up, True

    async def forget_published_wrap_up(self, wrap_up_id: str, event_ids: Sequence[str]) -> None:
        await self._wrap_ups.update_one(
            {"_id": wrap_up_id}, {"$pull": {"outbox": {"event_id": {"$in": list(event_ids)}}}}
        )

    async def wrap_ups_with_unpublished_events(self, limit: int = 100) -> builtins.list[Document]:
        found = self._wrap_ups.find({"outbox.0": {"$exists": True}}, {"outbox": 1}).limit(limit)
        return [doc async for doc in found]
