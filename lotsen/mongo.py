"""MongoDB access: PyMongo's async client for ``mongodb://``, the in-memory stand-in for ``mongomock://``.

Services keep every MongoDB call in one repository module each; this module only connects and
offers the idempotency store consumers share.
"""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from lotsen import standin


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
    """Event ids a consumer group has handled, one document each (unique ``_id``)."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], group: str) -> None:
        self._collection = db[f"processed_events.{group}"]

    async def seen(self, event_id: str) -> bool:
        return await self._collection.find_one({"_id": event_id}, {"_id": 1}) is not None

    async def remember(self, event_id: str) -> None:
        try:
            await self._collection.insert_one({"_id": event_id})
        except DuplicateKeyError:
            pass


async def close(client: Any) -> None:
    """Close a real or stand-in client (the stand-in's close is synchronous)."""
    import inspect

    result = client.close()
    if inspect.isawaitable(result):
        await result
