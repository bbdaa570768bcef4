"""Every MongoDB call of intake's Open311 endpoints: client applications' API keys (``open311_keys``,
only a hash of each key), what each key posted this hour and day (``open311_key_usage``) and the read
model of requests (``open311_requests``, one document per request, ``_id`` = its token, the contact
id).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from lotsen.errors import Unavailable

P = ParamSpec("P")
R = TypeVar("R")
Document = dict[str, Any]


def _temporary(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """A database that cannot be reached is 'try again later' (503, or a consumer's retry)."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except PyMongoError as exc:
            raise Unavailable(
                "the request store cannot be reached; try again shortly", headers={"Retry-After": "5"}
            ) from exc

    return wrapper


async def create_indexes(db: AsyncDatabase[Document], *, expire: bool = True) -> None:
    """Indexes, and with ``expire`` the TTL index that forgets a key's usage of days gone by."""
    await db["open311_keys"].create_index("hash", unique=True)
    if expire:
        await db["open311_key_usage"].create_index("expires_at", expireAfterSeconds=0)
    await db["open311_requests"].create_index("service_request_id", sparse=True)
    await db["open311_requests"].create_index(
        [("organization", ASCENDING), ("requested_datetime", DESCENDING)]
    )


class ApiKeys:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._keys = db["open311_keys"]

    @_temporary
    async def insert(self, doc: Document) -> None:
        await self._keys.insert_one(doc)

    @_temporary
    async def by_hash(self, digest: str) -> Document | None:
        return await self._keys.find_one({"hash": digest})

    @_temporary
    async def listed(self) -> list[Document]:
        return [d async for d in self._keys.find({}, {"hash": 0}).sort("created_at", ASCENDING)]

    @_temporary
    async def get(self, key_id: str) -> Document | None:
        return await self._keys.find_one({"_id": key_id}, {"hash": 0})

    @_temporary
    async def delete(self, key_id: str) -> None:
        await self._keys.delete_one({"_id": key_id})


class KeyUsage:
    """The requests each key posted in the current clock hour and day (UTC), counted in MongoDB, so
    every replica of intake counts against the same limit. One document per key and day:
    ``{"_id": "<key id>|<day>", "day": n, "hours": {"<hh>": n}}``."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._usage = db["open311_key_usage"]

    @_temporary
    async def count(self, key_id: str, at: datetime) -> KeyCounts:
        """Count one request at ``at`` (UTC): what the key posted this hour and this day with it."""
        window = _Window(key_id, at)
        doc = await self._usage.find_one_and_update(
            {"_id": window.id},
            {
                "$inc": {"day": 1, window.hour_field: 1},
                "$setOnInsert": {"key_id": key_id, "expires_at": window.day_ends + timedelta(days=1)},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert doc is not None  # upserted
        return KeyCounts(
            posted={"an hour": int(doc["hours"][window.hour]), "a day": int(doc["day"])},
            ends={"an hour": window.hour_ends, "a day": window.day_ends},
        )

    @_temporary
    async def uncount(self, key_id: str, at: datetime) -> None:
        """Take back a request :meth:`count` counted and the limit refused."""
        window = _Window(key_id, at)
        await self._usage.update_one({"_id": window.id}, {"$inc": {"day": -1, window.hour_field: -1}})


@dataclass(frozen=True)
class KeyCounts:
    """Per window ("an hour", "a day"): what the key posted in it, and when it ends."""

    posted: dict[str, int]
    ends: dict[str, datetime]


class _Window:
    """The clock hour and the day (UTC) of ``at``, as a key's usage document names them."""

    def __init__(self, key_id: str, at: datetime) -> None:
        day = datetime(at.year, at.month, at.day, tzinfo=at.tzinfo)
        self.id = f"{key_id}|{day.date().isoformat()}"
        self.hour = f"{at.hour:02d}"
        self.hour_field = f"hours.{self.hour}"
        self.hour_ends = day + timedelta(hours=at.hour + 1)
        self.day_ends = day + timedelta(days=1)


class Requests:
    """The requests as GeoReport clients read them; every write is an absolute ``$set``, so a record
    handled twice leaves the same document."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._requests = db["open311_requests"]

    @_temporary
    async def upsert(self, token: str, fields: Document, *, unless_erased: bool = False) -> None:
        query: Document = {"_id": token}
        if unless_erased:
            query["erased"] = {"$ne": True}
        try:
            await self._requests.update_one(query, {"$set": fields}, upsert=True)
        except DuplicateKeyError:
            pass  # erased: what the contact said is not written back

    @_temporary
    async def update_case(
        self, ref: str, fields: Document, unset: list[str] | None = None, *, unless_erased: bool = False
    ) -> None:
        change: Document = {"$set": fields}
        if unset:
            change["$unset"] = {name: "" for name in unset}
        query: Document = {"service_request_id": ref}
        if unless_erased:
            query["erased"] = {"$ne": True}
        await self._requests.update_one(query, change)

    @_temporary
    async def by_token(self, token: str) -> Document | None:
        return await self._requests.find_one({"_id": token})

    @_temporary
    async def search(
        self,
        *,
        organization: str,
        ids: list[str] | None,
        service_codes: list[str] | None,
        start: datetime | None,
        end: datetime | None,
        status: list[str] | None,
        limit: int,
    ) -> list[Document]:
        query: Document = {"organization": organization, "service_request_id": {"$ne": None}}
        if ids is not None:
            query["service_request_id"] = {"$in": ids}
        if service_codes is not None:
            query["service_code"] = {"$in": service_codes}
        if start is not None or end is not None:
            query["requested_datetime"] = {
                **({"$gte": start} if start is not None else {}),
                **({"$lte": end} if end is not None else {}),
            }
        if status is not None:
            query["status"] = {"$in": status}
        cursor = self._requests.find(query).sort("requested_datetime", DESCENDING).limit(limit)
        return [d async for d in cursor]
