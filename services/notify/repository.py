"""Every MongoDB call of notify: subscriptions, deliveries, reminders and the few case facts it keeps.

No multi-document transactions: each write is one atomic single-document update, inserts are
idempotent on derived ids, and the order of deliveries comes from an atomic counter (``$inc``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.notify.deliveries import erasure

Document = dict[str, Any]
Database = AsyncDatabase[Document]
# What picking lane heads reads of a delivery; the dispatcher reads the whole one when it claims it.
HEAD_FIELDS = {"lane": 1, "seq": 1, "target": 1, "next_attempt_at": 1, "lease_until": 1}


class SubscriptionRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._subscriptions = db["subscriptions"]

    async def ensure_indexes(self) -> None:
        await self._subscriptions.create_index([("department", ASCENDING)])
        await self._subscriptions.create_index([("organization", ASCENDING), ("department", ASCENDING)])

    async def insert(self, subscription: Document) -> None:
        await self._subscriptions.insert_one(subscription)

    async def get(self, subscription_id: str) -> Document | None:
        return await self._subscriptions.find_one({"_id": subscription_id})

    async def matching(self, *, organization: str, department: str, event_type: str) -> list[Document]:
        """Active subscriptions of ``department`` of ``organization`` to ``event_type``. Department ids
        repeat across organisations, so one without an organisation matches nothing."""
        query = {
            "organization": organization,
            "department": department,
            "active": True,
            "event_types": event_type,
        }
        return [doc async for doc in self._subscriptions.find(query).sort("created_at", ASCENDING)]

    async def update(self, subscription_id: str, changes: Document) -> Document | None:
        return await self._subscriptions.find_one_and_update(
            {"_id": subscription_id}, {"$set": changes}, return_document=ReturnDocument.AFTER
        )

    async def delete(self, subscription_id: str) -> bool:
        result = await self._subscriptions.delete_one({"_id": subscription_id})
        return result.deleted_count == 1

    async def without_organization(self) -> list[Document]:
        """Subscriptions stored before every subscription named its organisation."""
        query = {"$or": [{"organization": None}, {"organization": {"$exists": False}}]}
        return [doc async for doc in self._subscriptions.find(query).sort("created_at", ASCENDING)]

    # Last in the class: a method named ``list`` would shadow the builtin in the annotations below it.
    async def list(
        self, *, department: str | None = None, organizations: tuple[str, ...] | None = None
    ) -> list[Document]:
        """``organizations``: only those of these organisations; ``None`` for all, unassigned ones too."""
        query: Document = {"department": department} if department else {}
        if organizations is not None:
            query["organization"] = {"$in": list(organizations)}
        return [doc async for doc in self._subscriptions.find(query).sort("created_at", ASCENDING)]


class DeliveryRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._deliveries = db["deliveries"]
        self._counters = db["counters"]

    async def ensure_indexes(self) -> None:
        await self._deliveries.create_index([("status", ASCENDING), ("seq", ASCENDING)])
        await self._deliveries.create_index([("lane", ASCENDING), ("seq", ASCENDING)])
        await self._deliveries.create_index([("case_ref", ASCENDING), ("seq", DESCENDING)])
        await self._deliveries.create_index([("result_pending", ASCENDING)])

    async def _next_seq(self) -> int:
        counter = await self._counters.find_one_and_update(
            {"_id": "deliveries"}, {"$inc": {"value": 1}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        assert counter is not None  # upserted
        return int(counter["value"])

    async def record(self, delivery: Document) -> bool:
        """Insert ``delivery`` unless its id exists (a redelivered event); True when it is new.

        ``seq`` comes from one counter shared by every replica, not from blocks handed to each
        process: it is what orders a lane, and one lane can be recorded by two replicas at once —
        the holder of ``notify-reminders`` records a case's reminders while the replica consuming
        the case's partition records its other events (and a rebalance hands a partition over while
        the old consumer may still be recording). Blocks would order those by when each replica took
        its block, not by when each delivery was recorded. A redelivered event spends a number:
        ``seq`` has gaps, which nothing minds."""
        try:
            await self._deliveries.insert_one({**delivery, "seq": await self._next_seq()})
        except DuplicateKeyError:
            return False
        return True

    async def get(self, delivery_id: str) -> Document | None:
        return await self._deliveries.find_one({"_id": delivery_id})

    async def due_window(self, now: datetime, *, size: int) -> list[Document]:
        """The oldest ``size`` pending deliveries that are due, in ``seq`` order, with only what picks
        lane heads (the ``(status, seq)`` index walked from its start)."""
        query = {"status": "pending", "next_attempt_at": {"$lte": now}}
        cursor = self._deliveries.find(query, HEAD_FIELDS).sort("seq", ASCENDING).limit(size)
        return [doc async for doc in cursor]

    async def waiting_in(self, lanes: list[str], now: datetime) -> list[Document]:
        """The pending deliveries of ``lanes`` that are not due yet (heads waiting out a backoff, and
        those deferred behind them), from the ``(lane, seq)`` index."""
        query = {"status": "pending", "next_attempt_at": {"$gt": now}, "lane": {"$in": lanes}}
        return [doc async for doc in self._deliveries.find(query, HEAD_FIELDS)]

    async def defer(self, delivery_ids: list[str], *, until: datetime) -> None:
        """Not before ``until``: deliveries that wait behind their lane's head in backoff."""
        await self._deliveries.update_many(
            {"_id": {"$in": delivery_ids}, "status": "pending"}, {"$set": {"next_attempt_at": until}}
        )

    async def claim(self, delivery_id: str, *, now: datetime, until: datetime) -> Document | None:
        """Take the lease on a pending delivery, so no other dispatcher sends it meanwhile; the
        delivery as leased, or None when another dispatcher holds it or it is no longer pending."""
        return await self._deliveries.find_one_and_update(
            {
                "_id": delivery_id,
                "status": "pending",
                "$or": [{"lease_until": None}, {"lease_until": {"$lte": now}}],
            },
            {"$set": {"lease_until": until}},
            return_document=ReturnDocument.AFTER,
        )

    async def update(
        self, delivery_id: str, changes: Document, *, status: str | None = None, unless_erased: bool = False
    ) -> bool:
        """Set ``changes``; with ``status``, only if the delivery is still in that state; with
        ``unless_erased``, not once its case was erased (an attempt under way then is tried again)."""
        query: Document = {"_id": delivery_id}
        if status is not None:
            query["status"] = status
        if unless_erased:
            query["erased"] = {"$ne": True}
        result = await self._deliveries.update_one(query, {"$set": changes})
        return result.matched_count == 1

    async def find(
        self,
        filters: Document,
        *,
        before_seq: int | None,
        limit: int,
        organizations: tuple[str, ...] | None = None,
    ) -> list[Document]:
        """``organizations``: only deliveries of these organisations; ``None`` for all."""
        query = {key: value for key, value in filters.items() if value is not None}
        if organizations is not None:
            query["organization"] = {"$in": list(organizations)}
        if before_seq is not None:
            query["seq"] = {"$lt": before_seq}
        cursor = self._deliveries.find(query).sort("seq", DESCENDING).limit(limit)
        return [doc async for doc in cursor]

    async def mark_confidential(self, case_ref: str) -> None:
        """The case became confidential (or notify heard so only now): so are its deliveries."""
        await self._deliveries.update_many(
            {"case_ref": case_ref, "confidential": {"$ne": True}}, {"$set": {"confidential": True}}
        )

    async def erase_personal_data(self, case_ref: str) -> int:
        """Privacy erasure of a case (:func:`deliveries.erasure`): the messages and the citizen's
        addresses go, the log of attempts stays. Returns how many deliveries were erased."""
        erased = 0
        async for doc in self._deliveries.find({"case_ref": case_ref}):
            await self._deliveries.update_one(
                {"_id": doc["_id"]},
                {"$set": erasure(doc), "$unset": {"email": "", "messenger": "", "sms": "", "payload": ""}},
            )
            erased += 1
        return erased

    async def results_pending(self, *, limit: int) -> list[Document]:
        """Citizen deliveries in a final state whose ``outbound.*`` result is not yet on Kafka."""
        cursor = (
            self._deliveries.find({"result_pending": True, "status": {"$in": ["delivered", "failed"]}})
            .sort("seq", ASCENDING)
            .limit(limit)
        )
        return [doc async for doc in cursor]

    async def result_published(self, delivery_id: str, *, status: str, attempts: int, event_id: str) -> None:
        await self._deliveries.update_one(
            {"_id": delivery_id, "status": status, "attempts": attempts, "result_pending": True},
            {"$set": {"result_pending": False}, "$push": {"results": event_id}},
        )


class ReminderRepository:
    """One reminder state per case: which department to remind, how often so far, and when next."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._reminders = db["reminders"]

    async def ensure_indexes(self) -> None:
        await self._reminders.create_index([("active", ASCENDING), ("next_at", ASCENDING)])

    async def get(self, case_ref: str) -> Document | None:
        return await self._reminders.find_one({"_id": case_ref})

    async def start(self, state: Document) -> None:
        await self._reminders.replace_one({"_id": state["_id"]}, state, upsert=True)

    async def stop(self, case_ref: str, *, why: str, at: datetime) -> None:
        await self._reminders.update_one(
            {"_id": case_ref, "active": True},
            {"$set": {"active": False, "stopped_at": at, "stopped_by": why}},
        )

    async def forget(self, case_ref: str) -> None:
        """An erased case is reminded of no more, and its reminder state goes with it."""
        await self._reminders.delete_one({"_id": case_ref})

    async def due(self, now: datetime, *, limit: int) -> list[Document]:
        cursor = (
            self._reminders.find({"active": True, "next_at": {"$lte": now}}).sort("next_at", 1).limit(limit)
        )
        return [doc async for doc in cursor]

    async def advance(self, case_ref: str, *, sent: int, next_at: datetime) -> bool:
        """Count reminder ``sent`` + 1 as sent, unless someone else did or the reminders stopped."""
        result = await self._reminders.update_one(
            {"_id": case_ref, "active": True, "sent": sent}, {"$set": {"sent": sent + 1, "next_at": next_at}}
        )
        return result.modified_count == 1


class CaseFactRepository:
    """What notify remembers of a case from ``cases.events``: no personal data, only routing facts."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._cases = db["cases"]

    async def get(self, case_ref: str) -> Document | None:
        return await self._cases.find_one({"_id": case_ref})

    async def confidential_among(self, case_refs: list[str]) -> set[str]:
        """Those of ``case_refs`` whose case is confidential, in one query."""
        query = {"_id": {"$in": case_refs}, "confidential": True}
        return {doc["_id"] async for doc in self._cases.find(query, {"_id": 1})}

    async def remember(self, case_ref: str, facts: Document) -> None:
        await self._cases.update_one({"_id": case_ref}, {"$set": facts}, upsert=True)

    async def forget(self, case_ref: str) -> None:
        await self._cases.delete_one({"_id": case_ref})
