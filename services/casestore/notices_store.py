"""Crisis notices as stored (collection ``notices``) and their events' outbox.

A notice's events go into its own ``outbox`` in the same write as the change they tell of (publish,
withdraw, expire), are published right after, and are taken out once Kafka acknowledged them; what
could not be published stays and the notice scheduler publishes it later with the same event ids,
as casestore does for cases (:mod:`changes`). Notices are only ever changed by conditional
``$set``/``$push`` updates, so an outbox is never overwritten.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from lotsen.contracts import topics
from lotsen.contracts.envelope import Event, decode_event
from lotsen.kafka.publisher import Publisher, PublishFailed, PublishRefused
from services.casestore.changes import outbox_item
from services.casestore.repository import Document

log = logging.getLogger(__name__)

HISTORY_LIMIT = 200


class NoticeStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._notices = db["notices"]

    async def ensure_indexes(self) -> None:
        await self._notices.create_index([("organization", ASCENDING), ("starts_at", DESCENDING)])
        await self._notices.create_index([("state", ASCENDING), ("ends_at", ASCENDING)])
        await self._notices.create_index("outbox.event_id", sparse=True)

    async def insert(self, notice: Document) -> None:
        await self._notices.insert_one(notice)

    async def get(self, notice_id: str) -> Document | None:
        return await self._notices.find_one({"_id": notice_id})

    async def listed(
        self, *, organizations_in: tuple[str, ...] | None, current_at: datetime | None, limit: int
    ) -> list[Document]:
        """Newest first; with ``current_at`` only those showing at that moment."""
        query: Document = {}
        if organizations_in is not None:
            query["organization"] = {"$in": list(organizations_in)}
        if current_at is not None:
            query |= {"state": "published", "starts_at": {"$lte": current_at}, "ends_at": {"$gt": current_at}}
        found = self._notices.find(query, {"outbox": 0}).sort("starts_at", DESCENDING).limit(limit)
        return [doc async for doc in found]

    async def end(
        self, notice_id: str, *, state: str, changes: Document, entry: Document, event: Event[Any]
    ) -> Document | None:
        """End a published notice (withdrawn or expired) with its event in one write; ``None`` if it
        was not published any more (ended meanwhile: nothing to tell twice)."""
        return await self._notices.find_one_and_update(
            {"_id": notice_id, "state": "published"},
            {
                "$set": {"state": state, **changes, "updated_at": entry["at"]},
                "$push": {
                    "history": {"$each": [entry], "$slice": -HISTORY_LIMIT},
                    "outbox": outbox_item(topics.NOTICES_EVENTS, event, notice_id),
                },
            },
            return_document=ReturnDocument.AFTER,
        )

    async def past_their_end(self, now: datetime, *, limit: int) -> list[Document]:
        query = {"state": "published", "ends_at": {"$lte": now}}
        return [doc async for doc in self._notices.find(query, {"_id": 1}).limit(limit)]

    async def with_unpublished_events(self, *, unchanged_since: datetime, limit: int = 100) -> list[Document]:
        query = {"outbox.0": {"$exists": True}, "updated_at": {"$lte": unchanged_since}}
        return [doc async for doc in self._notices.find(query, {"outbox": 1}).limit(limit)]

    async def forget_published(self, notice_id: str, event_ids: list[str]) -> None:
        await self._notices.update_one(
            {"_id": notice_id}, {"$pull": {"outbox": {"event_id": {"$in": event_ids}}}}
        )

    async def flush(self, notice: Document, publisher: Publisher) -> None:
        """Publish the notice's outbox in order; keep what Kafka did not take for the scheduler."""
        published: list[str] = []
        for item in notice.get("outbox", []):
            try:
                await publisher.publish(item["topic"], decode_event(item["value"]), key=item["key"])
            except PublishRefused as refused:  # too large for the broker: would block the rest for ever
                log.error("Kafka refuses event %s of notice %s: %s", item["event_id"], notice["_id"], refused)
            except PublishFailed as failed:
                log.warning(
                    "events of notice %s stay in its outbox until Kafka answers: %s", notice["_id"], failed
                )
                break
            published.append(item["event_id"])
        if published:
            await self.forget_published(notice["_id"], published)
