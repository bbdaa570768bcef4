"""The pre-aggregates: one document per kind × organisation × local day (and per month), re-derived
from the per-entity state whenever something in that day changed.

Why re-derive rather than increment: a counter that is incremented per event is exact only if every
event is applied exactly once, in order, and the increment and the entity's change land together;
MongoDB offers no transaction across the two documents. Here an event only changes its entity's
state (idempotently, order-independently: :mod:`services.stats.updates`) and bumps a *dirty mark*
for the entity's day. The aggregator then recomputes each dirty day from the state of every entity
in it — a pure function, so a redelivered or reordered event, a crash between two writes, or two
aggregators at once cannot double-count: the day is always what its entities say. It does so without
re-reading the whole day each time: it keeps each day's cells with every entity's contribution in
memory and re-reads only the entities the dirty mark's change log names
(:mod:`services.stats.daycells`), so a flush costs what changed, not the day. A day's document
holds *cells*, one per combination of dimensions (calls: answer group; cases: channel, department,
category, ROSA level, answer group, handled_by), each with a :class:`~services.stats.tally.Tally`.
A month's document is the sum of its days, recomputed the same way when a day of it changed, so a
tertial report reads four documents per organisation.

The aggregator runs every ``flush_interval_seconds`` and before every query, so figures are exact
as of the last event stored.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from services.stats.backlog import backlog_tally
from services.stats.calls import CALL_DIMENSIONS, call_tally
from services.stats.daycells import DayCells, Recent
from services.stats.email import email_tally
from services.stats.facts import CallFacts, CaseFacts, OutboundFacts
from services.stats.ivr import ivr_tally
from services.stats.repository import Mark, StatsRepository
from services.stats.resolution import resolution_tally
from services.stats.satisfaction import satisfaction_tally
from services.stats.settings import StatsSettings
from services.stats.tally import Tally
from services.stats.time_spent import case_time_tally
from services.stats.updates import KINDS, Document, Kind
from services.stats.volumes import outbound_tally, volume_tally

CASE_DIMENSIONS = ("channel", "department", "category", "rosa_level", "answer_group", "handled_by")
DIMENSIONS: dict[Kind, tuple[str, ...]] = {
    "calls": CALL_DIMENSIONS,
    "cases": CASE_DIMENSIONS,
    "outbound": ("channel",),
}
Cells = dict[tuple[Any, ...], Tally]


def bucket_of(kind: Kind, doc: Document, tz: ZoneInfo) -> str | None:
    """``"<organisation>|<local day>"`` of an entity, or None while its day is unknown."""
    facts = _facts(kind, doc)
    day = facts.day(tz)
    return f"{facts.organization}|{day.isoformat()}" if day else None


def _facts(kind: Kind, doc: Document) -> CallFacts | CaseFacts | OutboundFacts:
    if kind == "calls":
        return CallFacts.from_doc(doc)
    if kind == "cases":
        return CaseFacts.from_doc(doc)
    return OutboundFacts.from_doc(doc)


def case_tally(case: CaseFacts, day: date, settings: StatsSettings, tz: ZoneInfo) -> Tally:
    tally = Tally()
    volume_tally(case, tally)
    # A duplicate merged into another case still counts as a contact, but the errand is answered
    # and resolved once, on the case it was merged into (docs/figures.md).
    if case.merged_into is None:
        resolution_tally(case, tally)
        email_tally(
            case,
            tally,
            hours=settings.email_response_hours,
            working_days=settings.email_response_working_days,
            tz=tz,
        )
        case_time_tally(case, tally)
    satisfaction_tally(case, tally)
    backlog_tally(case, day, tally)
    return tally


Contribution = tuple[str, tuple[Any, ...], Tally]


def contribution(kind: Kind, doc: Document, settings: StatsSettings, tz: ZoneInfo) -> Contribution | None:
    """(its day's bucket, its cell's key, its tally) for one entity, or None while its day is unknown."""
    facts = _facts(kind, doc)
    day = facts.day(tz)
    if day is None:
        return None
    if isinstance(facts, CallFacts):
        tally = call_tally(facts)
        ivr_tally(facts, tally, tz)
    elif isinstance(facts, CaseFacts):
        tally = case_tally(facts, day, settings, tz)
    else:
        tally = outbound_tally(facts)
    key = tuple(getattr(facts, name) for name in DIMENSIONS[kind])
    return f"{facts.organization}|{day.isoformat()}", key, tally


def cells_to_docs(cells: Cells) -> list[Document]:
    return [{"k": list(key), "t": tally.to_doc()} for key, tally in cells.items()]


def cells_from_docs(kind: Kind, docs: list[Document]) -> Cells:
    """Cells keyed by their dimensions' values, in the order of ``DIMENSIONS[kind]``."""
    cells: Cells = {}
    for doc in docs:
        key = tuple(doc["k"])
        tally = Tally.from_doc(doc["t"])
        if key in cells:
            cells[key].add(tally)
        else:
            cells[key] = tally
    return cells


class Aggregator:
    """Re-aggregates dirty days, then dirty months; one at a time per process."""

    def __init__(self, stats: StatsRepository, settings: StatsSettings) -> None:
        self.stats = stats
        self.settings = settings
        self.tz = ZoneInfo(settings.timezone)
        self._lock = asyncio.Lock()
        self._days: Recent[DayCells] = Recent(64)

    async def flush(self) -> int:
        """Bring every dirty aggregate up to date; returns how many were rewritten."""
        async with self._lock:
            return await self._flush_days() + await self._flush_months()

    async def _flush_days(self) -> int:
        marks = await self.stats.dirty_marks("day")
        written = 0
        for kind in KINDS:
            mine = [m for m in marks if m.kind == kind]
            if not mine:
                continue
            days = await self._bring_up_to_date(kind, mine)
            months = set()
            for mark in mine:
                # A generation bumped but not logged yet is left for the next flush: the mark stays dirty.
                reached = dataclasses.replace(mark, gen=days[mark.id].gen)
                if await self.stats.write_bucket(reached, cells_to_docs(days[mark.id].cells)):
                    written += 1
                await self.stats.clear_mark(reached)
                months.add(Mark("month", kind, mark.organization, mark.period[:7]))
            await self.stats.mark_dirty(months)
        return written

    async def _bring_up_to_date(self, kind: Kind, marks: list[Mark]) -> dict[str, DayCells]:
        """Each day's cells as of its mark's generation (by mark id): from the entities changed since
        the cells held here when the change log names them all, else from every entity of the day.
        Generations whose handler has bumped the mark but not yet logged its entities are left for
        the next flush (the cells' ``gen`` says how far they reached)."""
        held: dict[str, DayCells] = {}
        changed: dict[Mark, set[str]] = {}
        reached: dict[Mark, int] = {}
        whole: list[Mark] = []
        for mark in marks:
            day = self._days.get(mark.id)
            found = (
                None if day is None or day.gen > mark.gen else await self.stats.changed_since(mark, day.gen)
            )
            if day is None or found is None:
                whole.append(mark)
            else:
                held[mark.id] = day
                changed[mark], reached[mark] = found
        wanted = set().union(*changed.values())
        states = await self.stats.states(kind, wanted) if wanted else {}
        for mark, ids in changed.items():
            day = held[mark.id]
            bucket = f"{mark.organization}|{mark.period}"
            for entity in ids:
                doc = states.get(entity)
                part = contribution(kind, doc, self.settings, self.tz) if doc is not None else None
                if part is not None and part[0] == bucket:
                    day.count(entity, part[1], part[2])
                else:  # no longer of this day (or never was)
                    day.count(entity, None, None)
            day.gen = reached[mark]
        if whole:
            held.update(await self._derive_whole(kind, whole))
        return held

    async def _derive_whole(self, kind: Kind, marks: list[Mark]) -> dict[str, DayCells]:
        fresh = {f"{mark.organization}|{mark.period}": (mark, DayCells(mark.gen)) for mark in marks}
        for doc in await self.stats.states_in_buckets(kind, list(fresh)):
            part = contribution(kind, doc, self.settings, self.tz)
            if part is not None and part[0] in fresh:
                fresh[part[0]][1].count(doc["_id"], part[1], part[2])
        for mark, day in fresh.values():
            self._days.put(mark.id, day)  # the latest days are kept; a rebuild's many are let go
        return {mark.id: day for mark, day in fresh.values()}

    async def _flush_months(self) -> int:
        written = 0
        for mark in await self.stats.dirty_marks("month"):
            days = await self.stats.day_buckets_of_month(mark.kind, mark.organization, mark.period)
            cells = cells_from_docs(mark.kind, [cell for day in days for cell in day["cells"]])
            if await self.stats.write_bucket(mark, cells_to_docs(cells)):
                written += 1
            await self.stats.clear_mark(mark)
        return written

    async def run(self, stop: asyncio.Event, after_flush: Any = None) -> None:
        """Flush every ``flush_interval_seconds`` until ``stop`` is set."""
        while not stop.is_set():
            await self.flush()
            if after_flush is not None:
                await after_flush()
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.settings.flush_interval_seconds)
            except TimeoutError:
                pass
