"""Every MongoDB call of the per-agent figures.

- ``agent_days`` — one document per kind (calls, cases) × organisation × local day: the per-agent
  cells (:mod:`services.stats.agents.cells`) as one compact JSON string, and the dirty-mark
  generation they were derived from; a write never replaces a newer generation. Staff data: deleted
  after the retention (:mod:`services.stats.agents.retention`), apart from the organisation's
  ``buckets_day``/``buckets_month``, which never name an agent.
- The staff user names in ``call_state`` and ``case_state`` (the sortable keys that name who
  answered, wrapped up, took up or resolved): found and rewritten without the name when their day is
  past the retention or the agent is erased. Each rewrite is conditional on the key being unchanged,
  so a newer key written meanwhile is never overwritten.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.stats.repository import STATE, Mark
from services.stats.updates import Kind

Document = dict[str, Any]

# Where the staff names are in the state documents (services/stats/updates.py): a sortable key
# "<time>|<rank>|<event id>|<payload…>" whose last payload field is the name. The number is how
# many payload fields come before it; None: the key names nobody but the agent, and goes whole.
NAMED_KEYS: dict[Kind, dict[str, int | None]] = {
    "calls": {"answered_by": None, "wrapped_up": 1},
    "cases": {"opened": 0, "resolved_last": 2},
}


def without_name(key: str, before: int) -> str:
    """``key`` with its last field (the name) emptied: the time, event and other payload kept."""
    parts = key.split("|")
    return "|".join([*parts[: 3 + before], ""])


def name_in(key: str, before: int | None) -> str:
    parts = key.split("|")
    return "|".join(parts[3 + (before or 0) :])


class AgentRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._db = db
        self._days = db["agent_days"]

    async def ensure_indexes(self) -> None:
        await self._days.create_index([("organization", ASCENDING), ("day", ASCENDING)])
        await self._days.create_index([("day", ASCENDING)])

    # --- per-agent days ---------------------------------------------------------------------------

    async def write_day(self, mark: Mark, cells: list[Document]) -> bool:
        """Store one day's cells unless a newer generation is there already."""
        doc = {
            "kind": mark.kind,
            "organization": mark.organization,
            "day": mark.period,
            "gen": mark.gen,
            "cells": json.dumps(cells, separators=(",", ":")),
        }
        try:
            await self._days.update_one(
                {"_id": day_id(mark), "gen": {"$lt": mark.gen}}, {"$set": doc}, upsert=True
            )
        except DuplicateKeyError:
            return False
        return True

    async def delete_day(self, mark: Mark) -> None:
        await self._days.delete_one({"_id": day_id(mark)})

    async def days(
        self,
        *,
        lower: str,
        upper: str,
        organization: str | None,
        organizations: tuple[str, ...] | None,
    ) -> list[Document]:
        """The stored days from ``lower`` to ``upper`` (inclusive ISO dates) of ``organization``,
        and only of ``organizations`` (each None: every one), cells decoded."""
        query: Document = {"day": {"$gte": lower, "$lte": upper}}
        if organization is not None:
            query["organization"] = organization
        elif organizations is not None:
            query["organization"] = {"$in": list(organizations)}
        found = []
        async for doc in self._days.find(query):
            doc["cells"] = json.loads(doc["cells"])
            found.append(doc)
        return found

    async def delete_days_before(self, day: str) -> int:
        result = await self._days.delete_many({"day": {"$lt": day}})
        return result.deleted_count

    # --- staff names in the state documents -------------------------------------------------------

    async def organizations(self, kind: Kind) -> list[str]:
        return [o for o in await self._db[STATE[kind]].distinct("organization") if o]

    async def named_before(
        self, kind: Kind, organization: str, day: str, since: str | None = None
    ) -> list[Document]:
        """``kind``'s state documents of ``organization`` received or offered before ``day`` (and on
        or after ``since``, when given) that still name a member of staff."""
        named = [
            {field: {"$exists": True}} if before is None else {field: {"$regex": r"[^|]$"}}
            for field, before in NAMED_KEYS[kind].items()
        ]
        days = {"$gte": f"{organization}|{since or ''}", "$lt": f"{organization}|{day}"}
        query = {"bucket": days, "$or": named}
        return [doc async for doc in self._db[STATE[kind]].find(query)]

    async def naming(self, kind: Kind, agent: str, organizations: tuple[str, ...] | None) -> list[Document]:
        """``kind``'s state documents that name ``agent`` (of ``organizations`` only, None: all)."""
        escaped = re.escape(agent)
        named = [
            {field: {"$regex": rf"^(?:[^|]*\|){{{3 + (before or 0)}}}{escaped}$"}}
            for field, before in NAMED_KEYS[kind].items()
        ]
        query: Document = {"$or": named}
        if organizations is not None:
            query["organization"] = {"$in": list(organizations)}
        return [doc async for doc in self._db[STATE[kind]].find(query)]

    async def forget_names(self, kind: Kind, doc: Document, only: str | None = None) -> bool:
        """Rewrite ``doc``'s named keys without the name (only those naming ``only``, when given);
        whether anything changed. Conditional on the keys as read: a key changed meanwhile (a newer
        event) is left for the next pass."""
        unset: Document = {}
        rewritten: Document = {}
        condition: Document = {"_id": doc["_id"]}
        for field, before in NAMED_KEYS[kind].items():
            key = doc.get(field)
            if not key or not name_in(key, before) or (only is not None and name_in(key, before) != only):
                continue
            condition[field] = key
            if before is None:
                unset[field] = ""
            else:
                rewritten[field] = without_name(key, before)
        if len(condition) == 1:
            return False
        update: Document = {}
        if unset:
            update["$unset"] = unset
        if rewritten:
            update["$set"] = rewritten
        result = await self._db[STATE[kind]].update_one(condition, update)
        return result.modified_count == 1


def day_id(mark: Mark) -> str:
    return f"{mark.kind}|{mark.organization}|{mark.period}"


def buckets_of(docs: Iterable[Document]) -> set[str]:
    return {doc["bucket"] for doc in docs if doc.get("bucket")}
