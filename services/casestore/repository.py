"""Every MongoDB call of casestore. Kept in one module so it can be reviewed against the real server.

There are no multi-document transactions (the stand-in has none), so a case is one document that
carries its status, its messages, its hash-chained timeline and an outbox of events not yet
published. A change is one conditional update on the case's ``version``: status, messages,
timeline and outbox move together or not at all.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.casestore import case_filters, cursors, people, queue_order, search, stored
from services.casestore.search_index.repository import SearchRepository

Document = dict[str, Any]
# The list view never carries the timeline, the outbox or personal data.
SUMMARY = {
    "timeline": 0,
    "outbox": 0,
    "messages": 0,
    "citizen": 0,
    "search": 0,
    "search_terms": 0,
    "search_tier_ends": 0,
    "search_version": 0,
    "access_code": 0,
}


class StaleCase(Exception):
    """The case changed between reading and writing; read again and retry."""


@dataclass(frozen=True)
class CaseQuery:
    """Filters of ``GET /v1/cases`` after authorisation has narrowed them."""

    status: str | None = None
    organization: str | None = None
    department: str | None = None
    answer_group: str | None = None
    assignee: str | None = None
    channel: str | None = None
    category: str | None = None
    language: str | None = None
    text: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None
    overdue_at: datetime | None = None
    organizations_in: tuple[str, ...] | None = None
    departments_in: tuple[str, ...] | None = None
    include_confidential: bool = True


class CaseRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._cases = db["cases"]
        self._counters = db["counters"]
        self._accounts = db["accounts"]
        self._idempotency_keys = db["idempotency_keys"]
        self._login_failures = db["login_failures"]
        self._articles = db["kb_articles"]
        self.search = SearchRepository(self._cases)

    async def ensure_indexes(self) -> None:
        await self._cases.create_index("ref", unique=True)
        await self._cases.create_index("origin_contact_id", unique=True)
        newest_first = [("created_at", DESCENDING), ("ref", DESCENDING)]
        await self._cases.create_index(newest_first)
        await self._cases.create_index([("organization", ASCENDING), *newest_first])
        # A handler's queue spans organisations; "my cases" too.
        await self._cases.create_index([("status", ASCENDING), ("department", ASCENDING), *newest_first])
        await self._cases.create_index([("assignee", ASCENDING), ("status", ASCENDING), *newest_first])
        await self._cases.create_index("search_terms")  # multikey: a word, or a range of words by prefix
        await self._cases.create_index("search_version")  # start-up finds the cases to re-index
        for field in ("status", "department", "answer_group", "assignee", "channel", "category"):
            await self._cases.create_index(
                [
                    ("organization", ASCENDING),
                    (field, ASCENDING),
                    ("created_at", DESCENDING),
                    ("ref", DESCENDING),
                ]
            )
        await self._cases.create_index([("citizen.facebook_psid", ASCENDING), ("status", ASCENDING)])
        await self._cases.create_index("people")  # privacy look-ups by normalised address (people.py)
        await self._cases.create_index([("status", ASCENDING), ("first_response_due", ASCENDING)])
        await self._cases.create_index([("status", ASCENDING), ("due_at", ASCENDING)])
        # The queues in their order (queue_order.py): by status, answer group, assignee, organisation.
        for field in ("status", "answer_group", "assignee", "organization"):
            await self._cases.create_index([(field, ASCENDING), *queue_order.SORT])
        await self._cases.create_index("outbox.event_id", sparse=True)
        await self._cases.create_index("messages.message_id", sparse=True)
        await self._articles.create_index([("organization", ASCENDING), ("usage_count", DESCENDING)])

    # --- references -------------------------------------------------------------------------------

    async def next_sequence(self, org_code: str, year: int) -> int:
        counter = await self._counters.find_one_and_update(
            {"_id": f"{org_code}-{year}"},
            {"$inc": {"seq": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert counter is not None, "an upsert returning the document after always finds one"
        return int(counter["seq"])

    # --- cases ------------------------------------------------------------------------------------

    async def insert_case(self, case: Document) -> Document:
        """Insert; if the contact already made a case (a redelivery), return that one instead."""
        try:
            await self._cases.insert_one(case)
        except DuplicateKeyError:
            existing = await self.find_by_origin_contact(case["origin_contact_id"])
            if existing is None:
                raise
            return existing
        return case

    async def find_by_origin_contact(self, contact_id: str) -> Document | None:
        return await self._cases.find_one({"origin_contact_id": contact_id})

    async def get(self, ref: str) -> Document | None:
        return await self._cases.find_one({"_id": ref})

    async def commit(self, case: Document, updates: Document, pushes: dict[str, list[Any]]) -> Document:
        """Write ``updates`` and append ``pushes`` if nobody changed the case since it was read; the
        case as stored, computed here (stored.py) rather than read back where that is exact."""
        sets = {**updates, "version": case["version"] + 1}
        push = {field: {"$each": values} for field, values in pushes.items() if values}
        change: Document = {"$set": sets, **({"$push": push} if push else {})}
        result = stored.updated(case, sets, pushes)
        if result is None:
            result = await self._cases.find_one_and_update(
                {"_id": case["_id"], "version": case["version"]}, change, return_document=ReturnDocument.AFTER
            )
        elif (await self._cases.update_one(_unchanged(case), change)).matched_count == 0:
            result = None
        if result is None:
            raise StaleCase(case["_id"])
        return result

    async def forget_published(
        self, ref: str, event_ids: Sequence[str], *, parked: Sequence[Document] = ()
    ) -> None:
        """Take published (and parked) events out of the outbox; parked ones are kept under
        ``refused_events`` for an operator to read."""
        forgotten = [*event_ids, *(item["event_id"] for item in parked)]
        update: Document = {"$pull": {"outbox": {"event_id": {"$in": forgotten}}}}
        if parked:
            update["$push"] = {"refused_events": {"$each": list(parked)}}
        await self._cases.update_one({"_id": ref}, update)

    async def with_unpublished_events(
        self, limit: int = 100, *, unchanged_since: datetime | None = None
    ) -> list[Document]:
        """Cases with events in their outbox; with ``unchanged_since``, only cases not changed after it
        (a change publishes its own events right after committing them)."""
        query: Document = {"outbox.0": {"$exists": True}}
        if unchanged_since is not None:
            query["updated_at"] = {"$lte": unchanged_since}
        found = self._cases.find(query, {"outbox": 1}).limit(limit)
        return [doc async for doc in found]

    async def list(
        self, query: CaseQuery, *, limit: int, cursor: str | None, order: cursors.Order = "newest"
    ) -> tuple[builtins.list[Document], str | None]:
        """Newest first, or in the queue order (``priority``: queue_order.py); ``cursor`` continues
        after the last case of the previous page in the same order."""
        if cursor and cursors.order_of(cursor) != order:
            raise cursors.InvalidCursor(f"the cursor is for another order than {order!r}")
        newest = [("created_at", DESCENDING), ("ref", DESCENDING)]
        found = (
            self._cases.find(case_filters.of(query, cursor), SUMMARY)
            .sort(queue_order.SORT if order == "priority" else newest)
            .limit(limit + 1)
        )
        docs = [doc async for doc in found]
        next_cursor = cursors.encode(docs[limit - 1], order) if len(docs) > limit else None
        return docs[:limit], next_cursor

    async def without_queue_order(self, limit: int = 500) -> builtins.list[Document]:
        """Cases stored before the queue order existed, with what it is computed from."""
        fields = {"status": 1, "priority": 1, "due_at": 1, "first_response_due": 1, "first_response_at": 1}
        found = self._cases.find({"priority_rank": {"$exists": False}}, fields)
        return [doc async for doc in found.limit(limit)]

    async def set_queue_order(self, ref: str, fields: Document) -> bool:
        result = await self._cases.update_one(
            {"_id": ref, "priority_rank": {"$exists": False}}, {"$set": fields}
        )
        return result.modified_count == 1

    async def open_case_of_facebook_sender(self, organization: str, psid: str) -> Document | None:
        return await self._cases.find_one(
            {"organization": organization, "citizen.facebook_psid": psid, "status": {"$ne": "closed"}},
            sort=[("created_at", DESCENDING)],
        )

    async def due(
        self, field: str, now: datetime, statuses: builtins.list[str], flag: str, limit: int = 200
    ) -> builtins.list[Document]:
        """Cases in ``statuses`` whose ``field`` passed and whose ``flag`` is not yet set."""
        found = self._cases.find(
            {"status": {"$in": statuses}, field: {"$lte": now}, flag: {"$ne": True}}, {"timeline": 0}
        ).limit(limit)
        return [doc async for doc in found]

    async def unanswered_past_first_response(
        self, now: datetime, flag: str, limit: int = 200
    ) -> builtins.list[Document]:
        """New or open cases with no first response yet whose first-response time passed and whose
        ``flag`` is not set: the only cases that can still breach it (an answered case never can)."""
        found = self._cases.find(
            {
                "status": {"$in": ["new", "open"]},
                "first_response_at": None,
                "first_response_due": {"$lte": now},
                flag: {"$ne": True},
            },
            {"timeline": 0},
        ).limit(limit)
        return [doc async for doc in found]

    async def resolved_before(self, cutoff: datetime, limit: int = 200) -> builtins.list[Document]:
        found = self._cases.find({"status": "resolved", "resolved_at": {"$lte": cutoff}}, {"_id": 1}).limit(
            limit
        )
        return [doc async for doc in found]

    async def of_person(
        self, *, email: str | None = None, phone: str | None = None, facebook_psid: str | None = None
    ) -> builtins.list[Document]:
        """Every case where the person wrote or is the citizen, found by e-mail, phone or Messenger id
        in any of their written forms (``people.py``)."""
        wanted = people.keys(email=email, phone=phone, facebook_psid=facebook_psid)
        if not wanted:
            return []
        found = self._cases.find({"people": {"$in": wanted}}).sort("created_at", ASCENDING)
        return [doc async for doc in found]

    async def without_people(self, limit: int = 500) -> builtins.list[Document]:
        """Cases stored before ``people`` existed, with what their keys are computed from."""
        found = self._cases.find({"people": {"$exists": False}}, {"citizen": 1, "messages.sender": 1})
        return [doc async for doc in found.limit(limit)]

    async def set_people(self, ref: str, keys: builtins.list[str]) -> None:
        await self._cases.update_one({"_id": ref, "people": {"$exists": False}}, {"$set": {"people": keys}})

    async def closed_before(self, cutoff: datetime, limit: int = 200) -> builtins.list[Document]:
        """Closed cases closed before ``cutoff`` that still hold personal data."""
        found = self._cases.find(
            {"status": "closed", "closed_at": {"$lte": cutoff}, "erased_at": None}, {"_id": 1, "category": 1}
        ).limit(limit)
        return [doc async for doc in found]

    # --- messages ---------------------------------------------------------------------------------

    async def case_ref_of_message(self, message_ids: builtins.list[str]) -> str | None:
        """The case holding a message with one of ``message_ids`` (e-mail threading by Message-ID)."""
        if not message_ids:
            return None
        case = await self._cases.find_one({"messages.message_id": {"$in": message_ids}}, {"_id": 1})
        return None if case is None else str(case["_id"])

    # --- knowledge bank ---------------------------------------------------------------------------

    async def insert_article(self, article: Document) -> None:
        await self._articles.insert_one(article)

    async def replace_article(self, article: Document) -> bool:
        result = await self._articles.replace_one({"_id": article["_id"]}, article)
        return result.matched_count == 1

    async def get_article(self, article_id: str) -> Document | None:
        return await self._articles.find_one({"_id": article_id})

    async def use_article(self, article_id: str) -> Document | None:
        return await self._articles.find_one_and_update(
            {"_id": article_id}, {"$inc": {"usage_count": 1}}, return_document=ReturnDocument.AFTER
        )

    async def search_articles(
        self,
        *,
        words: builtins.list[str],
        organizations_in: tuple[str, ...] | None,
        tag: str | None,
        limit: int,
    ) -> builtins.list[Document]:
        query: Document = {"$and": [{"search": {"$regex": re.escape(w)}} for w in words]} if words else {}
        if organizations_in is not None:
            query["organization"] = {"$in": list(organizations_in)}
        if tag:
            query["tags"] = tag
        found = (
            self._articles.find(query).sort([("usage_count", DESCENDING), ("title", ASCENDING)]).limit(limit)
        )
        return [doc async for doc in found]

    # --- idempotency keys -------------------------------------------------------------------------

    async def claim_idempotency_key(self, key_id: str, fingerprint: str, at: datetime) -> str | None:
        """Record ``fingerprint`` as the request ``key_id`` stands for; if the key was already used,
        return the fingerprint it was first used with instead."""
        try:
            await self._idempotency_keys.insert_one({"_id": key_id, "fingerprint": fingerprint, "at": at})
        except DuplicateKeyError:
            earlier = await self._idempotency_keys.find_one({"_id": key_id})
            return None if earlier is None else str(earlier["fingerprint"])
        return None

    # --- log-in failures and lock-outs (login.py) ----------------------------------------------------

    async def login_failures(self, username: str) -> Document | None:
        return await self._login_failures.find_one({"_id": username})

    async def count_login_failure(self, username: str, *, at: datetime) -> Document:
        """One more failed log-in in a row for ``username``; the state after it."""
        state = await self._login_failures.find_one_and_update(
            {"_id": username},
            {"$inc": {"failures": 1}, "$set": {"last_failure_at": at}, "$setOnInsert": {"locked_at": None}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert state is not None  # upserted
        return state

    async def lock_account(self, username: str, *, at: datetime) -> None:
        await self._login_failures.update_one(
            {"_id": username, "locked_at": None}, {"$set": {"locked_at": at}}
        )

    async def end_lockout(self, username: str, *, locked_at: datetime) -> None:
        """End the lock-out that began at ``locked_at`` (a newer one stays)."""
        await self._login_failures.delete_one({"_id": username, "locked_at": locked_at})

    async def clear_login_failures(self, username: str) -> None:
        await self._login_failures.delete_one({"_id": username, "locked_at": None})

    async def lift_lockout(self, username: str) -> bool:
        """Forget ``username``'s failures and lock-out; whether it was locked."""
        state = await self._login_failures.find_one_and_delete({"_id": username})
        return bool(state and state.get("locked_at"))

    async def lockouts(self) -> builtins.list[Document]:
        found = self._login_failures.find({"locked_at": {"$ne": None}}).sort("locked_at", ASCENDING)
        return [doc async for doc in found]

    # --- accounts ---------------------------------------------------------------------------------

    async def get_account(self, username: str) -> Document | None:
        return await self._accounts.find_one({"_id": username})

    async def upsert_account(self, account: Document) -> None:
        await self._accounts.replace_one({"_id": account["_id"]}, account, upsert=True)


def _unchanged(case: Document) -> Document:
    """The case still as read: its version, and what the writes that leave the version alone change
    (``forget_published`` only shrinks the outbox; ``set_people`` only adds a field the case lacks;
    ``SearchRepository.set_terms`` re-indexes a case whose search fields are of an older version)."""
    condition: Document = {"_id": case["_id"], "version": case["version"]}
    if "outbox" in case:
        condition["outbox"] = {"$size": len(case["outbox"])}
    if "people" not in case:
        condition["people"] = {"$exists": False}
    if case.get("search_version") != search.VERSION:
        condition["search_version"] = case.get("search_version")
    return condition
