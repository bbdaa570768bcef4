"""The knowledge bank's history and the crisis notices as stored: every MongoDB query of them.

- :class:`ArticleHistory`: versions (``kb_article_versions``, ``_id`` ``<article>:<version>``), each
  reader's last read version (``kb_reads``, ``_id`` ``<user>|<article>``), the articles' search and
  the review dates that came (``kb_articles``).
- :class:`NoticeStore`: notices (``notices``) and their events' outbox. A notice's events go into its
  own ``outbox`` in the same write as the change they tell of (publish, withdraw, expire), are
  published right after, and are taken out once Kafka acknowledged them; what could not be
  published stays and the notice scheduler publishes it later with the same event ids, as casestore
  does for cases (:mod:`services.casestore.changes`). Notices are only ever changed by conditional
  ``$set``/``$push`` updates, so an outbox is never overwritten.
"""

from __future__ import annotations

import builtins
import logging
import re
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from lotsen.contracts import topics
from lotsen.contracts.envelope import Event, decode_event
from lotsen.kafka.publisher import Publisher, PublishFailed, PublishRefused
from services.casestore.changes import outbox_item
from services.casestore.repository import Document

Database = AsyncDatabase[Document]

log = logging.getLogger(__name__)

HISTORY_LIMIT = 200
VERSIONED = ("title", "body", "checklist", "tags", "owner_department", "review_date")
MAX_VERSIONS_LISTED = 100


class ArticleHistory:
    def __init__(self, db: Database) -> None:
        self._versions = db["kb_article_versions"]
        self._reads = db["kb_reads"]
        self._articles = db["kb_articles"]

    async def ensure_indexes(self) -> None:
        await self._versions.create_index([("article_id", ASCENDING), ("version", DESCENDING)])
        await self._reads.create_index([("subject", ASCENDING), ("article_id", ASCENDING)])

    async def record(self, article: Document) -> None:
        """The saved article as its version ``article["version"]``; saving the same version again
        (a retried request) changes nothing."""
        version = {k: article.get(k) for k in VERSIONED}
        await self._versions.update_one(
            {"_id": f"{article['_id']}:{article['version']}"},
            {
                "$setOnInsert": {
                    **version,
                    "article_id": article["_id"],
                    "version": article["version"],
                    "saved_at": article["updated_at"],
                    "saved_by": article["updated_by"],
                }
            },
            upsert=True,
        )

    async def versions(self, article_id: str) -> builtins.list[Document]:
        found = self._versions.find({"article_id": article_id}).sort("version", DESCENDING)
        return [doc async for doc in found.limit(MAX_VERSIONS_LISTED)]

    async def version(self, article_id: str, number: int) -> Document | None:
        return await self._versions.find_one({"_id": f"{article_id}:{number}"})

    async def mark_read(self, subject: str, article_id: str, version: int, at: datetime) -> None:
        await self._reads.update_one(
            {"_id": f"{subject}|{article_id}"},
            {"$set": {"subject": subject, "article_id": article_id, "version": version, "read_at": at}},
            upsert=True,
        )

    async def last_read(self, subject: str, article_ids: list[str]) -> dict[str, int]:
        """Article id → the version ``subject`` last read, for those they read at all."""
        if not article_ids:
            return {}
        ids = [f"{subject}|{a}" for a in article_ids]
        return {
            doc["article_id"]: int(doc["version"]) async for doc in self._reads.find({"_id": {"$in": ids}})
        }

    async def article(self, article_id: str) -> Document | None:
        return await self._articles.find_one({"_id": article_id})

    async def search(
        self,
        *,
        words: list[str],
        organizations_in: tuple[str, ...] | None,
        tag: str | None,
        owner_departments: tuple[str, ...] | None,
        review_by: str | None,
        limit: int,
    ) -> builtins.list[Document]:
        """The knowledge bank's search: every word, the organisations, a tag, the owning departments,
        a review date on or before ``review_by`` (ISO dates compare as strings); most used first."""
        query: Document = {"$and": [{"search": {"$regex": re.escape(w)}} for w in words]} if words else {}
        if organizations_in is not None:
            query["organization"] = {"$in": list(organizations_in)}
        if tag:
            query["tags"] = tag
        if owner_departments is not None:
            query["owner_department"] = {"$in": list(owner_departments)}
        if review_by is not None:
            query["review_date"] = {"$lte": review_by}
        order = [("usage_count", DESCENDING), ("title", ASCENDING)]
        return [doc async for doc in self._articles.find(query).sort(order).limit(limit)]

    async def due_for_review(self, today: str, *, limit: int) -> builtins.list[Document]:
        """Articles with an owner whose review date (ISO, compared as a string) came and who were not
        reminded of it yet."""
        query = {
            "review_date": {"$lte": today},
            "owner_department": {"$type": "string", "$ne": ""},  # one named: not missing, null or empty
            "review_reminded": {"$ne": True},
        }
        return [doc async for doc in self._articles.find(query).limit(limit)]

    async def reminded(self, article_id: str, review_date: str) -> None:
        """Remember the reminder of ``review_date``, unless the article has another date by now."""
        await self._articles.update_one(
            {"_id": article_id, "review_date": review_date},
            {"$set": {"review_reminded_for": review_date, "review_reminded": True}},
        )


class NoticeStore:
    def __init__(self, db: Database) -> None:
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
