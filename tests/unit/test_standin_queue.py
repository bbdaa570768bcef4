"""The case queue's reads on the stand-in: prefix search, ``$or``/``$in`` and pages sorted newest
first answer the same documents in the same order as mongomock's scan of every document."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from typing import Any

import mongomock
from pymongo_async_mock.patches import _patch_collection_internals

from lotsen import standin
from lotsen.standin.patching import as_shipped

standin.prepare()

START = datetime(2026, 1, 5, 8, 0)
WORDS = ["altan", "altanbygge", "alt", "bygglov", "carport", "uterum", "Altan", "altan.x"]


def cases() -> list[dict[str, Any]]:
    rng = random.Random(13)
    found = []
    for n in range(400):
        case: dict[str, Any] = {
            "_id": f"id-{n}",
            "ref": f"KGA-{rng.randrange(1000):04d}-{n}",
            "organization": rng.choice(["karlskoga", "degerfors"]),
            "status": rng.choice(["new", "open", "handed_off", "closed", "closed"]),
            "created_at": START + timedelta(minutes=rng.randrange(60)),  # many equal, as ties
            "search_terms": rng.sample(WORDS, rng.randrange(4)),
        }
        if rng.random() < 0.5:
            case["due_at"] = START + timedelta(hours=rng.randrange(48))
        if rng.random() < 0.1:
            case["search_terms"] = rng.choice(["altan", 7, None])  # not always an array
        found.append(case)
    return found


def collection() -> Any:
    stored: Any = _patch_collection_internals(mongomock.MongoClient(tz_aware=True)["queue"]["cases"])
    stored.create_index([("organization", 1), ("created_at", -1), ("ref", -1)])
    stored.create_index([("status", 1), ("due_at", 1)])
    stored.create_index("search_terms")
    stored.insert_many(cases())
    return stored


def both(read: Any) -> tuple[Any, Any]:
    kept = read(collection())
    with as_shipped():
        shipped = read(collection())
    return kept, shipped


NEWEST_FIRST = [("created_at", -1), ("ref", -1)]
OVERDUE = {
    "$or": [
        {"status": "handed_off", "due_at": {"$lte": START + timedelta(hours=20)}},
        {"status": {"$in": ["new", "open"]}, "due_at": {"$lte": START + timedelta(hours=30)}},
    ]
}


def test_prefix_searches_answer_what_the_scan_answers() -> None:
    for search in ["^altan", "^alt", "^Alt", "^altan\\.", "^altan.", re.compile("^altan"), "^"]:
        spec = {"organization": "karlskoga", "search_terms": {"$regex": search}}
        kept, shipped = both(lambda c, spec=spec: [d["_id"] for d in c.find(spec)])
        assert kept == shipped, search
    kept, shipped = both(
        lambda c: [d["_id"] for d in c.find({"search_terms": {"$regex": "^altan", "$options": "i"}})]
    )
    assert kept == shipped and kept


def test_overdue_and_in_queries_answer_what_the_scan_answers() -> None:
    for spec in [
        OVERDUE,
        {"status": {"$in": ["new", "open"]}},
        {"$and": [OVERDUE], "organization": "degerfors"},
    ]:
        kept, shipped = both(lambda c, spec=spec: [d["_id"] for d in c.find(spec)])
        assert kept == shipped and kept, spec


def test_paging_newest_first_gives_every_case_once_in_the_scans_order() -> None:
    def pages(stored: Any) -> list[list[str]]:
        found, cursor_filter = [], {}
        while True:
            spec = {"organization": "karlskoga", **cursor_filter}
            page = list(stored.find(spec, {"search_terms": 0}, sort=NEWEST_FIRST).limit(51))
            found.append([d["ref"] for d in page[:50]])
            if len(page) <= 50:
                return found
            last = page[49]
            cursor_filter = {
                "$or": [
                    {"created_at": {"$lt": last["created_at"]}},
                    {"created_at": last["created_at"], "ref": {"$lt": last["ref"]}},
                ]
            }

    kept, shipped = both(pages)
    assert kept == shipped
    everything = [ref for page in kept for ref in page]
    assert len(everything) == len(set(everything)) == sum(c["organization"] == "karlskoga" for c in cases())


def test_skipped_and_limited_pages_match_the_scan() -> None:
    for skip, limit, sort in [
        (0, 5, NEWEST_FIRST),
        (3, 4, [("due_at", 1)]),
        (500, 5, NEWEST_FIRST),
        (10, -3, [("ref", 1)]),
    ]:

        def read(c: Any, skip: int = skip, limit: int = limit, sort: Any = sort) -> list[Any]:
            return list(c.find(OVERDUE, sort=sort).skip(skip).limit(limit))

        kept, shipped = both(read)
        assert kept == shipped, (skip, limit, sort)
