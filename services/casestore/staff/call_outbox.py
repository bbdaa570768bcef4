"""Switchboard records (transfers, wrap-ups) that carry their own events in an ``outbox`` field.

A record is stored with its events in one write; :meth:`CallOutbox.flush` publishes them right after
and forgets each one Kafka acknowledged, and the relay (one replica, under a lease of its own) publishes
what a flush could not, so an acknowledged click is never lost and never published twice with a new id.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from lotsen.contracts.envelope import decode_event
from lotsen.kafka.publisher import Publisher, PublishFailed, PublishRefused
from services.casestore.staff.repository import Document

log = logging.getLogger(__name__)


class CallOutbox:
    def __init__(
        self,
        what: str,
        publisher: Publisher,
        *,
        forget: Callable[[str, list[str]], Awaitable[None]],
        waiting: Callable[[], Awaitable[list[Document]]],
    ) -> None:
        self.what = what  # "transfer", "wrap-up": for the log
        self.publisher = publisher
        self._forget = forget
        self._waiting = waiting

    async def flush(self, record: Document) -> None:
        published: list[str] = []
        for item in record.get("outbox", []):
            try:
                await self.publisher.publish(item["topic"], decode_event(item["value"]), key=item["key"])
            except PublishRefused as exc:  # too large for the broker: it never will be; drop, say so
                log.error("Kafka refuses %s event %s for good: %s", self.what, item["event_id"], exc)
            except PublishFailed as exc:
                log.warning(
                    "%s %s stays in its outbox until Kafka answers: %s", self.what, record["_id"], exc
                )
                break
            published.append(item["event_id"])
        if published:
            await self._forget(record["_id"], published)

    async def relay(self, *, every_seconds: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.relay_once()
            try:
                await asyncio.wait_for(stop.wait(), timeout=every_seconds)
            except TimeoutError:
                pass

    async def relay_once(self) -> int:
        """Publish what earlier flushes could not; how many records it flushed."""
        waiting = await self._waiting()
        for record in waiting:
            await self.flush(record)
        return len(waiting)
