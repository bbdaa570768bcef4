"""Every MongoDB call of the targets: collection ``targets`` in stats' database, one document per
organisation (``_id`` the organisation id) holding what its administrator set, when and by whom.

Targets are settings, not facts of the event stream: ``python -m services.stats.rebuild --drop``
leaves this collection alone, and a rebuild into another database copies it
(:func:`copy_targets`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]
COLLECTION = "targets"


class TargetsRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._targets = db[COLLECTION]

    async def all(self) -> list[Document]:
        return [doc async for doc in self._targets.find({})]

    async def get(self, organization: str) -> Document | None:
        return await self._targets.find_one({"_id": organization})

    async def put(self, organization: str, targets: Document, *, at: datetime, by: str) -> Document:
        """Replace the organisation's targets (a PUT sets them all; what is left out falls back)."""
        doc = {"_id": organization, "targets": targets, "updated_at": at, "updated_by": by}
        await self._targets.replace_one({"_id": organization}, doc, upsert=True)
        return doc


async def copy_targets(source: AsyncDatabase[Document], target: AsyncDatabase[Document]) -> int:
    """Copy the targets of ``source`` into ``target`` (a rebuild into another database)."""
    docs = [doc async for doc in source[COLLECTION].find({})]
    for doc in docs:
        await target[COLLECTION].replace_one({"_id": doc["_id"]}, doc, upsert=True)
    return len(docs)
