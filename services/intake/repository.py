"""Every MongoDB call of intake: idempotency records, attachment files and what is known of a call.

Attachments are stored in the GridFS layout (bucket ``attachments``: ``attachments.files`` and
``attachments.chunks``, 255 KiB chunks, ``files._id`` = the SHA-256 of the content), so GridFS tools
read them on a real server. They are written here rather than with ``gridfs.AsyncGridFSBucket``
because the bucket does not run on the in-memory stand-in the embedded default and the tests use
(its ``with_options`` hands back synchronous mongomock objects). Two additions to the layout:
``metadata.contacts`` lists the contacts that reference a file (a file is deleted only when a failed
contact was its only reference), and every chunk carries the ``generation`` of its upload so a
deletion racing with a new upload of the same content can never remove the newer chunks.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from lotsen.errors import Unavailable

CHUNK_SIZE = 255 * 1024
RETRY_AFTER = {"Retry-After": "5"}
IDEMPOTENCY_DAYS = 7

P = ParamSpec("P")
R = TypeVar("R")


def _storage_errors_are_temporary(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """A database that cannot be reached is 'try again later' for the caller, never a 500."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except DuplicateKeyError:
            raise
        except PyMongoError as exc:
            raise Unavailable(
                "the contact could not be stored right now; please try again shortly", headers=RETRY_AFTER
            ) from exc

    return wrapper


async def create_indexes(db: AsyncDatabase[dict[str, Any]], *, expire: bool = True) -> None:
    """Indexes, and with ``expire`` the TTL indexes that forget idempotency records and calls after
    a week. The in-memory stand-in gets none: it emulates TTL by scanning every document on every
    operation (which makes each request O(n)), and its data ends with the process anyway."""
    await db["attachments.chunks"].create_index(
        [("files_id", ASCENDING), ("generation", ASCENDING), ("n", ASCENDING)], unique=True
    )
    if expire:
        week = IDEMPOTENCY_DAYS * 24 * 3600
        await db["idempotency"].create_index("created_at", expireAfterSeconds=week)
        await db["calls"].create_index("updated_at", expireAfterSeconds=week)


class IdempotencyRecords:
    """Write-once records per (scope, key): the claim (the contact id the first request was given)
    and, once Kafka acknowledged that contact, its confirmation (``<id>#published``).

    A claim without a confirmation is ``pending`` (its request is still running, or died before Kafka
    acknowledged) or ``failed`` (Kafka did not acknowledge in time; the record may still arrive, so a
    retry publishes under the same contact id). The hot path only inserts.
    """

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._collection = db["idempotency"]

    @_storage_errors_are_temporary
    async def claim(
        self, scope: str, key: str, contact_id: str, fingerprint: str | None
    ) -> dict[str, Any] | None:
        """Reserve ``key`` for ``contact_id``; return the earlier claim (with its ``state``) if taken."""
        doc = {
            "_id": f"{scope}:{key}",
            "contact_id": contact_id,
            "fingerprint": fingerprint,
            "created_at": datetime.now(UTC),
        }
        try:
            await self._collection.insert_one(doc)
        except DuplicateKeyError:
            found = {
                d["_id"]: d
                async for d in self._collection.find(
                    {"_id": {"$in": [doc["_id"], f"{doc['_id']}#published"]}}
                )
            }
            earlier = found.get(doc["_id"])
            if earlier is None:  # released in the meantime
                return await self.claim(scope, key, contact_id, fingerprint)
            if f"{doc['_id']}#published" in found:
                earlier["state"] = "published"
            else:
                earlier["state"] = "failed" if earlier.get("failed_at") else "pending"
            return earlier
        return None

    @_storage_errors_are_temporary
    async def take_over(self, scope: str, key: str, earlier: dict[str, Any]) -> bool:
        """Take a pending claim whose request never finished; False if someone else took it first."""
        result = await self._collection.update_one(
            {"_id": f"{scope}:{key}", "created_at": earlier["created_at"]},
            {"$set": {"created_at": datetime.now(UTC)}, "$unset": {"failed_at": ""}},
        )
        return result.modified_count == 1

    @_storage_errors_are_temporary
    async def confirm(self, scope: str, key: str) -> None:
        """The contact was published: a retry now gets the first answer."""
        try:
            await self._collection.insert_one(
                {"_id": f"{scope}:{key}#published", "created_at": datetime.now(UTC)}
            )
        except DuplicateKeyError:
            pass

    @_storage_errors_are_temporary
    async def abandon(self, scope: str, key: str) -> None:
        """Kafka did not acknowledge: the next request with this key may take the claim over at once."""
        await self._collection.update_one(
            {"_id": f"{scope}:{key}"}, {"$set": {"failed_at": datetime.now(UTC)}}
        )


class AttachmentStore:
    """Files by SHA-256, each stored once however many contacts carry it."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._files = db["attachments.files"]
        self._chunks = db["attachments.chunks"]

    @_storage_errors_are_temporary
    async def store(self, *, sha256: str, name: str, content_type: str, data: bytes, contact_id: str) -> None:
        """Store ``data`` (if not already there) and record that ``contact_id`` references it."""
        doc = await self._files.find_one_and_update(
            {"_id": sha256},
            {
                "$addToSet": {"metadata.contacts": contact_id},
                "$setOnInsert": {
                    "length": len(data),
                    "chunkSize": CHUNK_SIZE,
                    "uploadDate": datetime.now(UTC),
                    "filename": name,
                    "metadata.contentType": content_type,
                    "metadata.generation": uuid.uuid4().hex,
                },
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert doc is not None  # upserted
        generation = doc["metadata"]["generation"]
        expected = -(-len(data) // CHUNK_SIZE)
        if await self._chunks.count_documents({"files_id": sha256, "generation": generation}) == expected:
            return
        for n in range(expected):
            await self._chunks.update_one(
                {"files_id": sha256, "generation": generation, "n": n},
                {"$setOnInsert": {"data": data[n * CHUNK_SIZE : (n + 1) * CHUNK_SIZE]}},
                upsert=True,
            )

    @_storage_errors_are_temporary
    async def release(self, *, sha256: str, contact_id: str) -> None:
        """Drop ``contact_id``'s reference; delete the file if nothing references it any more."""
        await self._files.update_one({"_id": sha256}, {"$pull": {"metadata.contacts": contact_id}})
        orphan = await self._files.find_one_and_delete({"_id": sha256, "metadata.contacts": {"$size": 0}})
        if orphan is not None:
            generation = orphan["metadata"]["generation"]
            await self._chunks.delete_many({"files_id": sha256, "generation": generation})

    @_storage_errors_are_temporary
    async def describe(self, sha256: str) -> dict[str, Any] | None:
        """``{"filename", "content_type", "length"}`` of a complete stored file, else None."""
        doc = await self._files.find_one({"_id": sha256})
        if doc is None:
            return None
        generation = doc["metadata"]["generation"]
        chunks = await self._chunks.count_documents({"files_id": sha256, "generation": generation})
        if chunks != -(-int(doc["length"]) // CHUNK_SIZE):
            return None  # an upload still under way
        return {
            "filename": doc.get("filename") or sha256,
            "content_type": doc["metadata"].get("contentType") or "application/octet-stream",
            "length": int(doc["length"]),
            "generation": generation,
        }

    async def content(self, sha256: str, generation: str) -> AsyncIterator[bytes]:
        """The file's bytes, chunk by chunk."""
        cursor = self._chunks.find({"files_id": sha256, "generation": generation}).sort("n", ASCENDING)
        async for chunk in cursor:
            yield bytes(chunk["data"])


class CallRecords:
    """What the telephony platform told us about a call: its organisation, group and caller.

    Later events of a call (``call.answered`` without ``to``) inherit what the first one said.
    """

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._collection = db["calls"]

    @_storage_errors_are_temporary
    async def recall(self, call_id: str) -> dict[str, Any] | None:
        return await self._collection.find_one({"_id": call_id})

    @_storage_errors_are_temporary
    async def remember(self, call_id: str, facts: dict[str, Any]) -> None:
        """Keep what ``facts`` adds (None values ignored; what the first event said wins)."""
        known = {k: v for k, v in facts.items() if v is not None}
        update: dict[str, Any] = {"$set": {"updated_at": datetime.now(UTC)}}
        if known:
            update["$setOnInsert"] = known
        doc = await self._collection.find_one_and_update(
            {"_id": call_id}, update, upsert=True, return_document=ReturnDocument.AFTER
        )
        missing = {k: v for k, v in known.items() if doc is not None and k not in doc}
        if missing:
            await self._collection.update_one({"_id": call_id}, {"$set": missing})
