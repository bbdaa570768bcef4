"""The notice scheduler, run by one replica at a time (lease ``casestore-notices-scheduler``), every
``CASESTORE_SLA_SCAN_SECONDS``: it ends the notices whose time is up (``notice.expired``),
publishes notice events an earlier request could not, and sends knowledge-bank review reminders
(:mod:`.reviews`).

Expiry is published once: the state change and its event (id derived from the notice) are one
conditional write on a notice still ``published``, so two schedulers overlapping at a lease's
hand-over end it once, and a withdrawn notice never expires.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from lotsen.contracts.envelope import derived_event_id
from lotsen.contracts.notices import NoticeExpired, NoticeExpiredData
from lotsen.kafka.publisher import Publisher
from services.casestore.knowledge import reviews as kb_reviews
from services.casestore.knowledge.repository import Database, NoticeStore

BATCH = 100
SETTLE = timedelta(seconds=5)


def utc_now() -> datetime:
    return datetime.now(UTC)


async def expire_due(store: NoticeStore, publisher: Publisher, *, now: datetime) -> int:
    ended = 0
    for found in await store.past_their_end(now, limit=BATCH):
        notice = await store.get(found["_id"])
        if notice is None:
            continue
        event = NoticeExpired(
            event_id=derived_event_id(notice["_id"], "expired"),
            producer="casestore",
            organization=notice["organization"],
            occurred_at=now,
            data=NoticeExpiredData(notice_id=notice["_id"], ends_at=notice["ends_at"]),
        )
        expired = await store.end(
            notice["_id"],
            state="expired",
            changes={"ended_at": notice["ends_at"], "ended_by": "lotsen"},
            entry={"at": now, "by": "lotsen", "what": "expired"},
            event=event,
        )
        if expired is not None:
            await store.flush(expired, publisher)
            ended += 1
    return ended


async def relay(store: NoticeStore, publisher: Publisher, *, now: datetime) -> int:
    found = await store.with_unpublished_events(unchanged_since=now - SETTLE, limit=BATCH)
    for notice in found:
        await store.flush(notice, publisher)
    return len(found)


async def scan_once(db: Database, publisher: Publisher, *, clock: Callable[[], datetime] = utc_now) -> int:
    """One pass; how many notices ended and reminders went out."""
    store, now = NoticeStore(db), clock()
    ended = await expire_due(store, publisher, now=now)
    await relay(store, publisher, now=now)
    return ended + await kb_reviews.remind_due(db, publisher, now=now, limit=BATCH)


async def run(db: Database, publisher: Publisher, *, every_seconds: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await scan_once(db, publisher)
        try:
            await asyncio.wait_for(stop.wait(), timeout=every_seconds)
        except TimeoutError:
            pass
