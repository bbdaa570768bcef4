"""calls.events, cases.events and outbound.results → per-entity state and dirty days.

A poll of events is folded into one update per call, case or outbound message
(:mod:`services.stats.updates`); the handler reads those entities once, writes each once, and
marks the local days they belong to (before and after the change) dirty for the aggregator, with
the entities changed, so that it re-reads only those. No event-id store is needed: every write is
idempotent and order-independent, so a redelivered event, or a whole poll handed over again after a
crash, leaves the state as it was. Nothing of the citizen is read or written: no names, addresses,
numbers, Messenger ids or text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from lotsen.contracts import topics
from lotsen.contracts.envelope import Event
from lotsen.kafka.batches import BatchHandler
from lotsen.kafka.processing import Handler
from services.stats import metrics
from services.stats.agents.aggregate import agent_marks
from services.stats.aggregates import bucket_of
from services.stats.repository import Mark, StateWrite, StatsRepository
from services.stats.settings import StatsSettings
from services.stats.updates import KINDS, fold

STATS_TOPICS = (topics.CALLS_EVENTS, topics.CASES_EVENTS, topics.OUTBOUND_RESULTS)


class Ingest:
    def __init__(self, stats: StatsRepository, settings: StatsSettings) -> None:
        self.stats = stats
        self.tz = ZoneInfo(settings.timezone)

    async def apply(self, events: Sequence[Event[Any]]) -> None:
        updates = fold(list(events))
        changed: dict[Mark, set[str]] = {}
        for kind in KINDS:
            mine = {entity: update for (k, entity), update in updates.items() if k == kind}
            if not mine:
                continue
            before = await self.stats.states(kind, mine)
            writes = []
            for entity, update in mine.items():
                old = before.get(entity)
                merged = update.apply(old)
                bucket = bucket_of(kind, merged, self.tz)
                writes.append(StateWrite(update, {"bucket": bucket}, old is not None, merged))
                for day_bucket in {old.get("bucket") if old else None, bucket} - {None}:
                    assert day_bucket is not None
                    organization, day = day_bucket.split("|")
                    changed.setdefault(Mark("day", kind, organization, day), set()).add(entity)
                metrics.count_new(kind, old, merged)
            await self.stats.write_states(kind, writes)
        await self.stats.mark_dirty(changed)
        await self.stats.mark_dirty(agent_marks(changed))  # the per-agent days, kept apart


def make_batch_handler(*, stats: StatsRepository, settings: StatsSettings | None = None) -> BatchHandler:
    return Ingest(stats, settings or StatsSettings()).apply


def make_handler(*, stats: StatsRepository, settings: StatsSettings | None = None) -> Handler:
    """One event at a time (the in-memory bus, the per-record runner): a poll of one."""
    ingest = Ingest(stats, settings or StatsSettings())

    async def on_event(event: Event[Any]) -> None:
        await ingest.apply([event])

    return on_event
