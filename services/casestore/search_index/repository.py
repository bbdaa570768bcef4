"""The MongoDB calls of case search (search.py, search_results.py), beside the case repository's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection

from services.casestore import case_filters

if TYPE_CHECKING:
    from services.casestore.repository import CaseQuery

Document = dict[str, Any]
# What a search page reads of each case: the summary and the text its excerpt is taken from.
SEARCHED = {"timeline": 0, "outbox": 0, "access_code": 0, "search": 0, "search_terms": 0}
# What ranking reads: the terms tier by tier, and the list's order. (The stand-in adds to a
# projection it is given: each find gets a copy.)
RANKED = {"created_at": 1, "ref": 1, "search_terms": 1, "search_tier_ends": 1}
NEWEST_FIRST = [("created_at", DESCENDING), ("ref", DESCENDING)]


class SearchRepository:
    def __init__(self, cases: AsyncCollection[Document]) -> None:
        self._cases = cases

    async def window(self, query: CaseQuery, limit: int) -> list[Document]:
        """The newest ``limit`` cases ``query`` finds, with what ranking reads."""
        found = self._cases.find(case_filters.of(query), dict(RANKED)).sort(NEWEST_FIRST).limit(limit)
        return [doc async for doc in found]

    async def read(self, refs: list[str]) -> list[Document]:
        """The cases ``refs`` with the text an excerpt is taken from, in the order of ``refs``."""
        found = {doc["_id"]: doc async for doc in self._cases.find({"_id": {"$in": refs}}, dict(SEARCHED))}
        return [found[ref] for ref in refs if ref in found]

    async def with_old_terms(self, version: int, limit: int = 200) -> list[Document]:
        """Cases whose search fields an older version of the rules made, or none, with their text."""
        found = self._cases.find({"search_version": {"$ne": version}}, {"timeline": 0, "outbox": 0})
        return [doc async for doc in found.limit(limit)]

    async def set_terms(self, case: Document, fields: Document) -> bool:
        """Only if the case is still as read (its version, and its search fields' version); whether
        it was. The case's ``version`` stays: what it says did not change."""
        result = await self._cases.update_one(
            {"_id": case["_id"], "version": case["version"], "search_version": case.get("search_version")},
            {"$set": fields},
        )
        return result.modified_count == 1
