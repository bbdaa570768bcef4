"""Every MongoDB call of stats. Holds facts about cases, never who they are about.

A case fact is keyed by its case reference, so writing it again (a redelivered event) changes
nothing: the figures are idempotent by construction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]

VOLUME_DIMENSIONS = (
    "channel",
    "department",
    "category",
    "organization",
    "rosa_level",
    "answer_group",
    "handled_by",
)


class StatsRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._case_facts = db["case_facts"]

    async def ensure_indexes(self) -> None:
        await self._case_facts.create_index([("organization", ASCENDING), ("received_at", ASCENDING)])

    async def record_case_created(self, fact: Document) -> None:
        await self._case_facts.update_one({"_id": fact["_id"]}, {"$setOnInsert": fact}, upsert=True)

    async def count_cases(
        self, *, start: datetime | None, end: datetime | None, organization: str | None, group_by: str | None
    ) -> tuple[int, list[tuple[Any, int]]]:
        match: Document = {}
        if organization:
            match["organization"] = organization
        if start or end:
            match["received_at"] = {**({"$gte": start} if start else {}), **({"$lt": end} if end else {})}
        pipeline: list[Document] = [{"$match": match}]
        if group_by:
            pipeline.append({"$group": {"_id": f"${group_by}", "count": {"$sum": 1}}})
        else:
            pipeline.append({"$group": {"_id": None, "count": {"$sum": 1}}})
        cursor = await self._case_facts.aggregate(pipeline)
        rows = [(row["_id"], int(row["count"])) async for row in cursor]
        total = sum(count for _, count in rows)
        return total, rows if group_by else []
