"""Every MongoDB call of routing: the ruleset versions (``lotsen_routing.ruleset_versions``).

One document per version, ``_id`` = the version number, so two processes activating the same number
at once cannot both succeed (the unique ``_id`` refuses the second). Versions are never updated or
deleted: the history is the audit trail (who activated what, when, and why).
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

Document = dict[str, Any]


class RulesetRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._versions = db["ruleset_versions"]

    async def latest_version(self) -> int | None:
        found = await self._versions.find_one({}, {"_id": 1}, sort=[("_id", DESCENDING)])
        return int(found["_id"]) if found else None

    async def versions_after(self, version: int) -> list[Document]:
        found = self._versions.find({"_id": {"$gt": version}}, {"_id": 0}).sort("_id", ASCENDING)
        return [doc async for doc in found]

    async def insert(self, version: Document) -> bool:
        """Store a new version; ``False`` when that version number exists already."""
        try:
            await self._versions.insert_one({"_id": version["version"], **version})
        except DuplicateKeyError:
            return False
        return True
