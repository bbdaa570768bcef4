"""Every MongoDB call of notify: department subscriptions."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]


class SubscriptionRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._subscriptions = db["subscriptions"]

    async def ensure_indexes(self) -> None:
        await self._subscriptions.create_index([("department", ASCENDING)])

    async def insert(self, subscription: Document) -> None:
        await self._subscriptions.insert_one(subscription)

    async def list(self, *, department: str | None = None) -> list[Document]:
        query = {"department": department} if department else {}
        return [doc async for doc in self._subscriptions.find(query).sort("created_at", ASCENDING)]

    async def delete(self, subscription_id: str) -> bool:
        result = await self._subscriptions.delete_one({"_id": subscription_id})
        return result.deleted_count == 1
