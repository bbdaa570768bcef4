"""Applying a change to a case: status, timeline and events together, then publishing.

A *plan* is a pure function from the current case to a :class:`Change`. :meth:`Cases.apply` reads
the case, plans, and commits with one conditional update (retrying if someone else changed the
case meanwhile). The events go into the case's outbox in that same update and are published right
after; whatever could not be published stays in the outbox and a relay publishes it later, with
the same event ids, so nothing that was committed is ever lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lotsen.contracts import topics
from lotsen.contracts.cases import CaseStatusChanged
from lotsen.contracts.envelope import Event, encode_event
from lotsen.errors import Conflict, NotFound
from lotsen.kafka.publisher import Publisher, PublishFailed, PublishRefused
from services.casestore import people, queue_order, search, stored, timeline
from services.casestore.repository import CaseRepository, Document, StaleCase

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Entry:
    """A timeline entry to append: who did what, with which data."""

    actor: str
    type: str
    data: dict[str, Any]


@dataclass
class Change:
    updates: Document = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    events: list[tuple[str, Event[Any]]] = field(default_factory=list)  # (topic, event)
    pushes: dict[str, list[Any]] = field(default_factory=dict)


Plan = Callable[[Document], Change]


def outbox_item(topic: str, event: Event[Any], key: str) -> Document:
    return {
        "event_id": str(event.event_id),
        "topic": topic,
        "key": key,
        "value": encode_event(event).decode(),
    }


class Cases:
    def __init__(self, repo: CaseRepository, publisher: Publisher, *, clock: Clock = utc_now) -> None:
        self.repo = repo
        self.publisher = publisher
        self.clock = clock

    async def get(self, ref: str) -> Document:
        case = await self.repo.get(ref)
        if case is None:
            raise NotFound(f"no case {ref}")
        return case

    async def apply(self, ref: str, plan: Plan, *, attempts: int = 5) -> Document:
        for _ in range(attempts):
            case = await self.get(ref)
            change = plan(case)
            if not (change.updates or change.entries or change.events or any(change.pushes.values())):
                return case  # nothing to write: no version bump, no updated_at
            try:
                committed = await self.commit(case, change)
            except StaleCase:
                continue
            await self.flush(committed)
            return committed
        raise Conflict(f"case {ref} is changing too often right now; try again")

    async def create(self, new_case: Document, plan: Plan) -> Document:
        """Insert ``new_case`` (version 0) with ``plan``'s change made: one write, version 1, its
        events published. If the case is there already (the same natural key), the stored one,
        whatever its version, its outbox published."""
        new_case = stored.as_stored(new_case)  # the plan sees what a read would
        updates, pushes = self._writes(new_case, plan(new_case))
        case = stored.updated(new_case, {**updates, "version": new_case["version"] + 1}, pushes)
        assert case is not None, "a change to top-level fields is always computed"
        case = await self.repo.insert_case(case)
        await self.flush(case)
        return case

    async def commit(self, case: Document, change: Change) -> Document:
        updates, pushes = self._writes(case, change)
        return await self.repo.commit(case, updates, pushes)

    def _writes(self, case: Document, change: Change) -> tuple[Document, dict[str, list[Any]]]:
        """What ``change`` sets and appends on ``case``: timeline entries chained to its last one,
        its events in the outbox, ``people`` and the search terms kept in step, ``updated_at``."""
        now = self.clock()
        entries: list[Document] = []
        previous = case["timeline"][-1] if case.get("timeline") else None
        for item in change.entries:
            previous = timeline.new_entry(previous, at=now, actor=item.actor, type=item.type, data=item.data)
            entries.append(previous)
        pushes = {
            **change.pushes,
            "timeline": entries,
            "outbox": [outbox_item(topic, event, case["_id"]) for topic, event in change.events],
        }
        people.with_people(case, change.updates, change.pushes)
        if change.updates or "priority_rank" not in case:
            queue_order.with_order(case, change.updates)
        search.with_terms(case, change.updates, change.pushes)
        updates = {"updated_at": now, **change.updates} if (change.updates or change.events) else {}
        return updates, pushes

    async def flush(self, case: Document) -> None:
        """Publish the case's outbox; forget what was published up to the first failure (the relay
        goes on later).

        The events are handed to the producer together, in order, and acknowledged together: one
        round trip to Kafka for the lot rather than one each, and the producer keeps their order
        within the case's partition. An event the broker refuses for good (too large for it) would
        block the case's later events for ever: it is parked on the case under ``refused_events``
        with the broker's reason, as a consumer parks a poison record in its DLQ, and the events
        behind it go out.
        """
        published: list[str] = []
        parked: list[Document] = []
        items = case.get("outbox", [])
        answers = await asyncio.gather(  # the bytes encoded when the change was made, as they are
            *(
                self.publisher.publish_raw(i["topic"], i["value"].encode(), key=i["key"].encode())
                for i in items
            ),
            return_exceptions=True,
        )
        for item, answer in zip(items, answers, strict=True):
            if isinstance(answer, PublishRefused):
                log.error("Kafka refuses event %s of %s for good: %s", item["event_id"], case["_id"], answer)
                parked.append({**item, "error": str(answer)[:1000], "refused_at": self.clock()})
                continue
            if isinstance(answer, PublishFailed):
                log.warning("events of %s stay in its outbox until Kafka answers: %s", case["_id"], answer)
                break
            if isinstance(answer, BaseException):
                raise answer
            published.append(item["event_id"])
        if published or parked:
            await self.repo.forget_published(case["_id"], published, parked=parked)

    async def relay(self, *, every_seconds: float = 5.0, stop: asyncio.Event) -> None:
        """Publish what earlier flushes could not, until ``stop`` is set; run by one replica at a time
        (lease ``casestore-outbox-relay``). An overlap with another relay, or with a request's own
        flush, publishes an event twice at most, with the same event id, which every consumer skips;
        ``forget_published`` removes outbox items by event id, so neither relay drops the other's."""
        while not stop.is_set():
            await self.relay_once(every_seconds=every_seconds)
            try:
                await asyncio.wait_for(stop.wait(), timeout=every_seconds)
            except TimeoutError:
                pass

    async def relay_once(self, *, every_seconds: float) -> int:
        """One pass of the relay; how many cases it flushed. Cases changed within the last
        ``every_seconds`` are left to their own flush, which may still be under way."""
        settled = self.clock() - timedelta(seconds=every_seconds)
        found = await self.repo.with_unpublished_events(unchanged_since=settled)
        for case in found:
            await self.flush(case)
        return len(found)


def case_event(
    cls: type[Event[Any]], case: Document, occurred_at: datetime, /, **data: Any
) -> tuple[str, Event[Any]]:
    """A case event for ``case`` on ``cases.events``, its data built from ``data``."""
    data_model = cls.model_fields["data"].annotation
    assert data_model is not None
    event = cls(
        type=cls.event_type,
        producer="casestore",
        organization=case["organization"],
        occurred_at=occurred_at,
        data=data_model(case_ref=case["_id"], **data),
    )
    return topics.CASES_EVENTS, event


def status_change(case: Document, new_status: str, at: datetime, change: Change) -> None:
    if new_status != case["status"]:
        change.updates["status"] = new_status
        change.events.append(
            case_event(CaseStatusChanged, case, at, old_status=case["status"], new_status=new_status)
        )
