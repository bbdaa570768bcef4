"""Every MongoDB call of stats. Holds facts about calls and cases, never who they are about.

Collections (database ``lotsen_stats``):

- ``call_state``, ``case_state``, ``outbound_state`` — one document per call id, case reference and
  outbound message id, written only with ``$set`` (facts of ``call.offered``/``case.created``),
  ``$min`` and ``$max`` of sortable keys, so they are idempotent and order-independent. ``bucket``
  (``"<organisation>|<local day>"``) says which day aggregate the entity belongs to.
- ``dirty`` — marks ``"<day|month>|<kind>|<organisation>|<period>"`` with a generation counter:
  a change to an entity of that day bumps it; the aggregator clears it only if the generation it
  re-aggregated is still the latest.
- ``changes`` — which entities each generation of a day's mark was bumped for
  (``"<mark>|<generation>"``), so an aggregator that holds the day's cells re-reads only those
  (:mod:`services.stats.daycells`). Kept ``CHANGES_KEPT_SECONDS``; a generation not found there
  means re-deriving the day whole, so losing one costs time, never a count.
- ``buckets_day`` and ``buckets_month`` — the pre-aggregates: per kind, organisation and local day
  (or month), a list of cells (one per combination of dimensions) with their tallies, and the
  generation they were computed from. A write never replaces a newer generation. The cells are
  stored as one compact JSON string: they are read whole and never queried inside, and a string
  is read back far faster than thousands of nested fields (by the driver, and by the stand-in).
- ``prices`` — one document per organisation: what an administrator set as the price per unit of
  the invoice basis (debitering), each with the month it applies from (:mod:`services.stats.prices`).
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pymongo import ASCENDING, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.stats.updates import Document, EntityUpdate, Kind

Scope = str  # "day" | "month"
STATE = {"calls": "call_state", "cases": "case_state", "outbound": "outbound_state"}
BUCKETS = {"day": "buckets_day", "month": "buckets_month"}
CHANGES_KEPT_SECONDS = 600
LONGEST_CHANGE_READ = 1000  # generations
# How long after a mark's last bump a generation missing at the end of the change log is taken to be
# one whose handler is between bumping and logging; after that it is lost and the day derived whole.
UNLOGGED_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class Mark:
    scope: Scope
    kind: Kind
    organization: str
    period: str  # "2026-03-02" or "2026-03"
    gen: int = 0
    bumped_at: datetime | None = field(default=None, compare=False)  # as read from the dirty mark

    @property
    def id(self) -> str:
        return f"{self.scope}|{self.kind}|{self.organization}|{self.period}"


@dataclass(frozen=True)
class StateWrite:
    update: EntityUpdate
    derived: Document  # fields computed from the merged state (the bucket)
    existed: bool
    merged: Document


class StatsRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._db = db
        self._dirty = db["dirty"]
        self._changes = db["changes"]
        self._decoded = DecodedCells()

    async def ensure_indexes(self) -> None:
        for collection in STATE.values():
            await self._db[collection].create_index([("bucket", ASCENDING)])
        await self._dirty.create_index([("dirty", ASCENDING), ("scope", ASCENDING)])
        await self._changes.create_index("at", expireAfterSeconds=CHANGES_KEPT_SECONDS)
        await self._db["buckets_day"].create_index(
            [("kind", ASCENDING), ("organization", ASCENDING), ("day", ASCENDING)]
        )
        await self._db["buckets_day"].create_index([("kind", ASCENDING), ("month", ASCENDING)])
        await self._db["buckets_month"].create_index(
            [("kind", ASCENDING), ("organization", ASCENDING), ("month", ASCENDING)]
        )

    # --- per-entity state -----------------------------------------------------------------------

    async def states(self, kind: Kind, ids: Iterable[str]) -> dict[str, Document]:
        wanted = list(ids)
        if not wanted:
            return {}
        cursor = self._db[STATE[kind]].find({"_id": {"$in": wanted}})
        return {doc["_id"]: doc async for doc in cursor}

    async def write_states(self, kind: Kind, writes: list[StateWrite]) -> None:
        """New entities are inserted whole; existing ones (or one inserted meanwhile) get the operators."""
        collection = self._db[STATE[kind]]
        fresh = [w for w in writes if not w.existed]
        again: list[StateWrite] = [w for w in writes if w.existed]
        if fresh:
            try:
                await collection.insert_many([{**w.merged, **w.derived} for w in fresh], ordered=False)
            except BulkWriteError as exc:
                failed = {e["index"] for e in exc.details.get("writeErrors", []) if e.get("code") == 11000}
                if len(failed) != len(exc.details.get("writeErrors", [])):
                    raise
                again += [fresh[i] for i in sorted(failed)]
        if again:
            ops = []
            for w in again:
                operators = w.update.operators()
                operators["$set"] = {**operators.get("$set", {}), **w.derived}
                ops.append(UpdateOne({"_id": w.update.id}, operators, upsert=True))
            await collection.bulk_write(ops, ordered=False)

    async def states_in_buckets(self, kind: Kind, buckets: list[str]) -> list[Document]:
        if not buckets:
            return []
        return [doc async for doc in self._db[STATE[kind]].find({"bucket": {"$in": buckets}})]

    # --- dirty marks ----------------------------------------------------------------------------

    async def mark_dirty(self, marks: Iterable[Mark] | Mapping[Mark, Collection[str]]) -> None:
        """Bump each mark's generation. Given the ids of the entities that changed per mark, also
        log them under the new generation, after the bump (so a logged generation is a real one)."""
        if isinstance(marks, Mapping):
            gens = await asyncio.gather(*(self._bump(mark) for mark in marks))
            at = datetime.now(UTC)
            changes = [
                {"_id": change_id(mark, gen), "ids": sorted(ids), "at": at}
                for (mark, ids), gen in zip(marks.items(), gens, strict=True)
            ]
            if changes:
                await self._changes.insert_many(changes, ordered=False)
            return
        ops = [UpdateOne({"_id": m.id}, _bump(m), upsert=True) for m in set(marks)]
        if ops:
            await self._dirty.bulk_write(ops, ordered=False)

    async def _bump(self, mark: Mark) -> int:
        found = await self._dirty.find_one_and_update(
            {"_id": mark.id},
            _bump(mark),
            projection={"gen": 1},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert found is not None  # an upsert returning the document after it
        return int(found["gen"])

    async def changed_since(self, mark: Mark, gen: int) -> tuple[set[str], int] | None:
        """The entities changed in the generations after ``gen``, up to the last one logged with none
        missing before it, and that generation. ``None`` when a generation is missing before a logged
        one (expired, or its handler stopped between the bump and the log) or there are too many.
        Generations missing only at the end are ones whose handler has bumped but not yet logged,
        unless the mark was last bumped longer ago than a handler takes (then also ``None``)."""
        if mark.gen - gen > LONGEST_CHANGE_READ:
            return None  # re-deriving the day is the cheaper way
        wanted = {change_id(mark, g): g for g in range(gen + 1, mark.gen + 1)}
        logged: dict[int, list[str]] = {}
        async for doc in self._changes.find({"_id": {"$in": list(wanted)}}, {"ids": 1}):
            logged[wanted[doc["_id"]]] = doc["ids"]
        changed: set[str] = set()
        reached = gen
        while reached + 1 in logged:
            reached += 1
            changed.update(logged[reached])
        if len(logged) > reached - gen:
            return None
        if reached < mark.gen and not _recently(mark.bumped_at, UNLOGGED_GRACE_SECONDS):
            return None
        return changed, reached

    async def dirty_marks(self, scope: Scope) -> list[Mark]:
        cursor = self._dirty.find({"dirty": True, "scope": scope})
        return [
            Mark(d["scope"], d["kind"], d["organization"], d["period"], d["gen"], d.get("bumped_at"))
            async for d in cursor
        ]

    async def clear_mark(self, mark: Mark) -> None:
        """Clear only if nothing changed since ``mark.gen`` was read."""
        await self._dirty.update_one({"_id": mark.id, "gen": mark.gen}, {"$set": {"dirty": False}})

    # --- pre-aggregates -------------------------------------------------------------------------

    async def write_bucket(self, mark: Mark, cells: list[Document]) -> bool:
        """Store the aggregate of ``mark``'s period unless a newer generation is already there."""
        period_field = "day" if mark.scope == "day" else "month"
        doc: Document = {
            "kind": mark.kind,
            "organization": mark.organization,
            period_field: mark.period,
            "gen": mark.gen,
            "cells": encode_cells(cells),
        }
        if mark.scope == "day":
            doc["month"] = mark.period[:7]
        bucket_id = f"{mark.kind}|{mark.organization}|{mark.period}"
        try:
            await self._db[BUCKETS[mark.scope]].update_one(
                {"_id": bucket_id, "gen": {"$lt": mark.gen}}, {"$set": doc}, upsert=True
            )
        except DuplicateKeyError:
            return False  # a newer generation is stored already
        self._decoded.remember(bucket_id, mark.gen, cells)  # read back at once, by the month and the figures
        return True

    async def write_buckets_directly(self, scope: Scope, docs: list[Document]) -> None:
        """Bulk load of ready-made aggregates (the benchmark); not used by the live path."""
        if docs:
            await self._db[BUCKETS[scope]].insert_many(
                [{**doc, "cells": encode_cells(doc["cells"])} for doc in docs], ordered=False
            )

    async def day_buckets_of_month(self, kind: Kind, organization: str, month: str) -> list[Document]:
        cursor = self._db["buckets_day"].find({"kind": kind, "organization": organization, "month": month})
        return [self._decoded(doc) async for doc in cursor]

    async def buckets(
        self,
        scope: Scope,
        kind: Kind,
        *,
        organization: str | None,
        ranges: list[tuple[str | None, str | None]],
        organizations: tuple[str, ...] | None = None,
    ) -> list[Document]:
        """Aggregates of ``kind`` whose period lies in any of the inclusive ``ranges``, of
        ``organization`` and only of ``organizations`` (each ``None``: every organisation)."""
        if not ranges:
            return []
        field = "day" if scope == "day" else "month"
        alternatives = []
        for lower, upper in ranges:
            bounds: Document = {}
            if lower is not None:
                bounds["$gte"] = lower
            if upper is not None:
                bounds["$lte"] = upper
            alternatives.append({field: bounds} if bounds else {})
        query: Document = {"kind": kind}
        if organization:
            query["organization"] = organization
        elif organizations is not None:
            query["organization"] = {"$in": list(organizations)}
        query["$or"] = alternatives
        return [self._decoded(doc) async for doc in self._db[BUCKETS[scope]].find(query)]

    # --- prices (debitering) ---------------------------------------------------------------------

    async def prices(self, organization: str) -> Document | None:
        return await self._db["prices"].find_one({"_id": organization})

    async def put_prices(self, organization: str, doc: Document) -> None:
        await self._db["prices"].replace_one({"_id": organization}, {**doc, "_id": organization}, upsert=True)

    # --- rebuild --------------------------------------------------------------------------------

    async def is_empty(self) -> bool:
        for name in [*STATE.values(), "dirty", *BUCKETS.values()]:
            if await self._db[name].find_one({}, {"_id": 1}) is not None:
                return False
        return True

    async def drop_all(self) -> None:
        for name in [*STATE.values(), "dirty", "changes", *BUCKETS.values(), "case_facts"]:
            await self._db[name].drop()

    async def collections(self) -> dict[str, list[Document]]:
        """Everything stats stores (tests: no personal data, and rebuilt equals live)."""
        names = [*STATE.values(), "dirty", *BUCKETS.values()]
        return {name: [decode_cells(doc) async for doc in self._db[name].find({})] for name in names}


def _recently(moment: datetime | None, seconds: float) -> bool:
    if moment is None:
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (datetime.now(UTC) - moment).total_seconds() <= seconds


def _bump(mark: Mark) -> Document:
    return {
        "$inc": {"gen": 1},
        "$set": {
            "dirty": True,
            "bumped_at": datetime.now(UTC),
            "scope": mark.scope,
            "kind": mark.kind,
            "organization": mark.organization,
            "period": mark.period,
        },
    }


def change_id(mark: Mark, gen: int) -> str:
    return f"{mark.id}|{gen}"


def encode_cells(cells: list[Document]) -> str:
    return json.dumps(cells, separators=(",", ":"))


class DecodedCells:
    """Decoded cells by aggregate id and generation. A generation is written once and never changes,
    so a past month is decoded once, however often its tertial is reported. Callers copy what they
    change (``Tally.from_doc`` does)."""

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._cells: OrderedDict[tuple[str, int], list[Document]] = OrderedDict()

    def remember(self, bucket_id: str, gen: int, cells: list[Document]) -> None:
        self._cells[(bucket_id, gen)] = cells
        self._cells.move_to_end((bucket_id, gen))
        if len(self._cells) > self._size:
            self._cells.popitem(last=False)

    def __call__(self, doc: Document) -> Document:
        if not isinstance(doc.get("cells"), str):
            return doc
        key = (str(doc["_id"]), int(doc.get("gen", -1)))
        cells = self._cells.get(key)
        if cells is None:
            cells = self._cells[key] = json.loads(doc["cells"])
            if len(self._cells) > self._size:
                self._cells.popitem(last=False)
        else:
            self._cells.move_to_end(key)
        doc["cells"] = cells
        return doc


def decode_cells(doc: Document) -> Document:
    if isinstance(doc.get("cells"), str):
        doc["cells"] = json.loads(doc["cells"])
    return doc


class SentReports:
    """``reports_sent``: one document per report published to the departments, ``_id`` the report id
    (``<organisation>|<department>|<period>``). Not derived from the topics, so a rebuild keeps it."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._sent = db["reports_sent"]

    async def sent(self, ids: Collection[str]) -> set[str]:
        """Which of ``ids`` were published already."""
        return {doc["_id"] async for doc in self._sent.find({"_id": {"$in": list(ids)}}, {"_id": 1})}

    async def record(self, report_id: str, doc: Document) -> None:
        """Note the report as published (again: the first time is kept, the latest attempt counted)."""
        await self._sent.update_one(
            {"_id": report_id},
            {
                "$setOnInsert": doc,
                "$inc": {"publications": 1},
                "$max": {"last_published_at": doc["published_at"]},
            },
            upsert=True,
        )
