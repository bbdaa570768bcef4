"""Every MongoDB call of the public records: ``registrations`` and the diary counters in ``counters``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.casestore.repository import Document


class RegistryStore:
    """Every MongoDB call of the registry (``registrations``, the diary counters in ``counters``)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._registrations = db["registrations"]
        self._counters = db["counters"]
        self._cases = db["cases"]

    async def ensure_indexes(self) -> None:
        await self._registrations.create_index([("organization", ASCENDING), ("registered_at", ASCENDING)])
        await self._registrations.create_index([("case_ref", ASCENDING), ("registered_at", ASCENDING)])

    async def claim(self, draft: Document) -> Document | None:
        """Insert ``draft`` (no number yet); ``None`` if it is ours, else the registration already there."""
        try:
            await self._registrations.insert_one(draft)
        except DuplicateKeyError:
            existing = await self._registrations.find_one({"_id": draft["_id"]})
            if existing is None:
                raise
            return existing
        return None

    async def take_over(self, key: str, *, claimed_before: datetime, token: str, at: datetime) -> bool:
        """Take over an abandoned claim; only one request can."""
        result = await self._registrations.update_one(
            {"_id": key, "diary_number": None, "claimed_at": {"$lte": claimed_before}},
            {"$set": {"claim_token": token, "claimed_at": at}},
        )
        return result.modified_count == 1

    async def next_sequence(self, org_code: str, year: int) -> int:
        counter = await self._counters.find_one_and_update(
            {"_id": f"diary:{org_code}-{year}"},
            {"$inc": {"seq": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert counter is not None, "an upsert returning the document after always finds one"
        return int(counter["seq"])

    async def set_number(self, key: str, token: str, numbering: Document) -> Document | None:
        """Store the number on the claim still held with ``token``; the registration, or ``None``."""
        return await self._registrations.find_one_and_update(
            {"_id": key, "diary_number": None, "claim_token": token},
            {"$set": numbering},
            return_document=ReturnDocument.AFTER,
        )

    async def get(self, key: str) -> Document | None:
        return await self._registrations.find_one({"_id": key})

    async def of_case(self, ref: str) -> list[Document]:
        found = self._registrations.find({"case_ref": ref, "diary_number": {"$ne": None}})
        return sorted([doc async for doc in found], key=_diary_order)

    async def between(
        self, organizations: Sequence[str] | None, start: datetime, end: datetime, *, limit: int
    ) -> list[Document]:
        """Numbered registrations from ``start`` (inclusive) to ``end`` (exclusive), in diary order;
        at most ``limit`` + 1, so a caller can tell there were more."""
        query: Document = {"registered_at": {"$gte": start, "$lt": end}, "diary_number": {"$ne": None}}
        if organizations is not None:
            query["organization"] = {"$in": list(organizations)}
        found = self._registrations.find(query).limit(limit + 1)
        return sorted([doc async for doc in found], key=_diary_order)

    async def cases_now(self, refs: Sequence[str]) -> dict[str, Document]:
        """Who may read each case now (organisation, department, confidentiality), by reference."""
        found = self._cases.find(
            {"_id": {"$in": list(refs)}}, {"organization": 1, "department": 1, "confidential": 1}
        )
        return {str(doc["_id"]): doc async for doc in found}


def _diary_order(entry: Document) -> tuple[str, int, int]:
    return (str(entry["organization"]), int(entry.get("year") or 0), int(entry.get("sequence") or 0))
