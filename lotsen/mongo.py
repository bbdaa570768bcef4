"""MongoDB access: PyMongo's async client for ``mongodb://``, the in-memory stand-in for ``mongomock://``.

Services keep every MongoDB call in one repository module each; this module only connects and
offers the idempotency store consumers share.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure, PyMongoError

from lotsen import standin

TTL_INDEX = "handled_at_ttl"
INDEX_OPTIONS_CONFLICT = 85
DUPLICATE_KEY = 11000


def connect(url: str) -> AsyncMongoClient[dict[str, Any]]:
    if url.startswith("mongomock://"):
        from pymongo_async_mock import AsyncMongoMockClient as MockClient

        standin.prepare()
        client: Any = MockClient(tz_aware=True)
        return client  # type: ignore[no-any-return]
    return AsyncMongoClient(url, tz_aware=True)


async def ping(db: AsyncDatabase[dict[str, Any]]) -> bool:
    try:
        await db.command("ping")
    except PyMongoError:
        return False
    return True


class MongoDeduplicator:
    """Event ids a consumer group has handled, one document each (unique ``_id``), with the time.

    A TTL index forgets an id ``ttl_seconds`` after it was handled. That must be longer than Kafka
    keeps records (``retention.ms``): a record can only be redelivered while the broker still has
    it, so an id is never forgotten while its record could come again (docs/deploy.md).
    """

    def __init__(self, db: AsyncDatabase[dict[str, Any]], group: str, *, ttl_seconds: int) -> None:
        self._collection = db[f"processed_events.{group}"]
        self._ttl_seconds = ttl_seconds

    async def ensure_indexes(self) -> None:
        try:
            await self._collection.create_index(
                "handled_at", name=TTL_INDEX, expireAfterSeconds=self._ttl_seconds
            )
        except OperationFailure as exc:
            if exc.code != INDEX_OPTIONS_CONFLICT:
                raise
            # The setting changed since the index was made: change the index in place.
            await self._collection.database.command(
                "collMod",
                self._collection.name,
                index={"name": TTL_INDEX, "expireAfterSeconds": self._ttl_seconds},
            )

    async def seen(self, event_id: str) -> bool:
        return await self._collection.find_one({"_id": event_id}, {"_id": 1}) is not None

    async def remember(self, event_id: str) -> None:
        try:
            await self._collection.insert_one({"_id": event_id, "handled_at": datetime.now(UTC)})
        except DuplicateKeyError:
            pass

    async def seen_among(self, event_ids: Collection[str]) -> set[str]:
        found = self._collection.find({"_id": {"$in": list(event_ids)}}, {"_id": 1})
        return {str(document["_id"]) async for document in found}

    async def remember_all(self, event_ids: Collection[str]) -> None:
        """One write for the ids of a batch; ids remembered already (a redelivery) are no error."""
        handled_at = datetime.now(UTC)
        documents = [{"_id": event_id, "handled_at": handled_at} for event_id in dict.fromkeys(event_ids)]
        if not documents:
            return
        try:
            await self._collection.insert_many(documents, ordered=False)
        except BulkWriteError as exc:
            details = exc.details or {}
            errors = details.get("writeErrors", [])
            if details.get("writeConcernErrors") or any(e.get("code") != DUPLICATE_KEY for e in errors):
                raise


async def close(client: Any) -> None:
    """Close a real or stand-in client (the stand-in's close is synchronous)."""
    import inspect

    result = client.close()
    if inspect.isawaitable(result):
        await result
