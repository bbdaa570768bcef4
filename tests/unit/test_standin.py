"""The stand-in's `_id` lookups (lotsen/standin.py) answer exactly what a scan would."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument, UpdateOne

from lotsen import mongo


async def ids(cursor: Any) -> list[Any]:
    return [doc["_id"] async for doc in cursor]


async def test_reads_and_writes_by_id_match_what_the_filter_says() -> None:
    client = mongo.connect("mongomock://")
    cases = client["standin_test"]["cases"]
    await cases.insert_many([{"_id": ref, "version": 1, "n": i} for i, ref in enumerate("cab")])

    assert await ids(cases.find({"_id": "b"})) == ["b"]
    assert await ids(cases.find({"_id": {"$in": ["c", "a", "zz", "a"]}})) == ["a", "c"]
    assert await ids(cases.find({"_id": "b", "version": 2})) == []
    assert await ids(cases.find({"_id": {"$in": ["a", "b"]}, "n": {"$gte": 1}})) == ["a", "b"]
    assert await ids(cases.find({"_id": {"$gt": "a"}})) == ["c", "b"]  # not by value: the scan's order
    assert await ids(cases.find({"_id": True})) == []

    stale = await cases.find_one_and_update({"_id": "a", "version": 0}, {"$set": {"version": 2}})
    assert stale is None
    fresh = await cases.find_one_and_update(
        {"_id": "a", "version": 1}, {"$set": {"version": 2}}, return_document=ReturnDocument.AFTER
    )
    assert fresh is not None and fresh["version"] == 2
    assert [d["version"] async for d in cases.find({}, sort=[("_id", 1)])] == [2, 1, 1]

    await cases.bulk_write(
        [
            UpdateOne({"_id": "d"}, {"$max": {"n": 7}}, upsert=True),
            UpdateOne({"_id": "b"}, {"$inc": {"n": 10}}),
        ]
    )
    assert (await cases.find_one({"_id": "d"}))["n"] == 7
    assert (await cases.find_one({"_id": "b"}))["n"] == 12
    await cases.delete_one({"_id": "c"})
    assert await ids(cases.find({"_id": {"$in": ["c", "d"]}})) == ["d"]
    assert await cases.count_documents({"_id": "c"}) == 0

    oid = ObjectId()
    await cases.insert_one({"_id": oid, "kind": "object id"})
    assert (await cases.find_one({"_id": oid}))["kind"] == "object id"
