"""Every MongoDB call of intake: the idempotency records that make a retried request safe."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError


class IdempotencyRecords:
    """One document per (channel, key): the contact id the first request was given."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._collection = db["idempotency"]

    async def claim(self, scope: str, key: str, contact_id: str, fingerprint: str) -> dict[str, Any] | None:
        """Reserve ``key`` for ``contact_id``; return the earlier record if the key was taken."""
        doc = {
            "_id": f"{scope}:{key}",
            "contact_id": contact_id,
            "fingerprint": fingerprint,
            "created_at": datetime.now(UTC),
        }
        try:
            await self._collection.insert_one(doc)
        except DuplicateKeyError:
            return await self._collection.find_one({"_id": doc["_id"]})
        return None

    async def release(self, scope: str, key: str) -> None:
        """Forget a claim whose contact could not be published, so a retry can succeed."""
        await self._collection.delete_one({"_id": f"{scope}:{key}"})
