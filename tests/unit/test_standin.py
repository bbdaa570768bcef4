"""The stand-in's look-ups by `_id` and by indexed fields (lotsen/standin) answer exactly what a scan
would, and its unique indexes refuse exactly what the server refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import pytest
from bson import ObjectId
from pymongo import ReturnDocument, UpdateOne
from pymongo.errors import DuplicateKeyError

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


async def test_a_duplicate_case_reference_is_refused_with_the_servers_details_and_leaves_no_trace() -> None:
    client = mongo.connect("mongomock://")
    cases = client["standin_unique"]["cases"]
    await cases.create_index("ref", unique=True)
    await cases.create_index("origin_contact_id", unique=True)
    await cases.insert_one({"_id": "a", "ref": "R-1", "origin_contact_id": "c-1"})
    await cases.insert_one({"_id": "b", "ref": "R-2", "origin_contact_id": "c-2"})

    with pytest.raises(DuplicateKeyError) as refused:
        await cases.insert_one({"_id": "c", "ref": "R-1", "origin_contact_id": "c-3"})
    assert refused.value.code == 11000
    assert refused.value.details == {"keyValue": {"ref": "R-1"}, "keyPattern": {"ref": 1}}
    assert await cases.count_documents({}) == 2

    with pytest.raises(DuplicateKeyError) as refused:
        await cases.update_one({"ref": "R-2"}, {"$set": {"ref": "R-1"}})
    assert refused.value.details == {"keyValue": {"ref": "R-1"}, "keyPattern": {"ref": 1}}
    assert await ids(cases.find({"ref": "R-2"})) == ["b"]  # rolled back, and found by its old value
    assert await ids(cases.find({"ref": "R-1"})) == ["a"]

    await cases.update_one({"ref": "R-2"}, {"$set": {"ref": "R-3"}})
    assert await ids(cases.find({"ref": "R-2"})) == []
    await cases.insert_one({"_id": "d", "ref": "R-2", "origin_contact_id": "c-4"})  # free again
    await cases.delete_one({"ref": "R-1"})
    await cases.insert_one({"_id": "e", "ref": "R-1", "origin_contact_id": "c-5"})
    assert await ids(cases.find({"ref": {"$in": ["R-1", "R-2", "R-3"]}})) == ["b", "d", "e"]


async def test_missing_fields_count_as_null_in_a_unique_index_unless_it_is_sparse() -> None:
    client = mongo.connect("mongomock://")
    chunks = client["standin_unique"]["chunks"]
    await chunks.create_index([("files_id", 1), ("n", 1)], unique=True)
    await chunks.create_index("alias", unique=True, sparse=True)
    await chunks.insert_one({"_id": 1, "files_id": "f"})
    with pytest.raises(DuplicateKeyError) as refused:
        await chunks.insert_one({"_id": 2, "files_id": "f", "n": None})
    assert refused.value.details == {
        "keyValue": {"files_id": "f", "n": None},
        "keyPattern": {"files_id": 1, "n": 1},
    }
    await chunks.insert_one({"_id": 3, "files_id": "f", "n": 0})
    await chunks.insert_one({"_id": 4, "files_id": "f", "n": 1})  # no alias twice: sparse skips them
    with pytest.raises(DuplicateKeyError):
        await chunks.insert_one({"_id": 5, "files_id": "f", "n": 1.0})  # 1 and 1.0 are one key
    assert await ids(chunks.find({"files_id": "f"})) == [1, 3, 4]


async def test_equality_look_ups_find_array_elements_and_enum_values_in_insertion_order() -> None:
    class Status(StrEnum):
        OPEN = "open"

    client = mongo.connect("mongomock://")
    cases = client["standin_equality"]["cases"]
    await cases.create_index("people")
    await cases.create_index([("status", 1), ("due_at", 1)])
    await cases.create_index("messages.message_id", sparse=True)
    await cases.insert_many(
        [
            {"_id": "z", "people": ["ann@example.org"], "status": Status.OPEN},
            {"_id": "a", "people": ["bo@example.org", "ann@example.org"], "status": "closed"},
            {"_id": "m", "people": [], "status": "open", "messages": [{"message_id": "<1@x>"}]},
        ]
    )
    assert await ids(cases.find({"people": "ann@example.org"})) == ["z", "a"]
    assert await ids(cases.find({"status": "open"})) == ["z", "m"]
    assert await ids(cases.find({"messages.message_id": "<1@x>"})) == ["m"]

    await cases.update_one({"_id": "a"}, {"$pull": {"people": "ann@example.org"}, "$set": {"status": "open"}})
    assert await ids(cases.find({"people": "ann@example.org"})) == ["z"]
    assert await ids(cases.find({"status": "open"})) == ["z", "a", "m"]  # where it was stored, not moved
    assert await cases.count_documents({"status": "open", "people": "bo@example.org"}) == 1

    await cases.drop_index("people_1")
    await cases.insert_one({"_id": "n", "people": ["ann@example.org"]})
    assert await ids(cases.find({"people": "ann@example.org"})) == ["z", "n"]
    await cases.drop()
    assert await cases.count_documents({"status": "open"}) == 0


async def test_handled_event_ids_expire_by_their_ttl_index_and_no_sooner() -> None:
    client = mongo.connect("mongomock://")
    handled = client["standin_ttl"]["processed_events.casestore"]
    await handled.create_index("handled_at", expireAfterSeconds=3600)
    now = datetime.now(UTC)
    await handled.insert_many(
        [
            {"_id": "old", "handled_at": now - timedelta(hours=2)},
            {"_id": "recent", "handled_at": now - timedelta(minutes=5)},
            {"_id": "earliest counts", "handled_at": [now, now - timedelta(hours=3)]},
            {"_id": "no date", "handled_at": None},
        ]
    )
    assert await ids(handled.find({}, sort=[("_id", 1)])) == ["no date", "recent"]
    await handled.update_one({"_id": "recent"}, {"$set": {"handled_at": now - timedelta(days=1)}})
    assert await ids(handled.find({})) == ["no date"]
    await handled.insert_one({"_id": "old", "handled_at": now})  # its id is free again
    assert await handled.count_documents({}) == 2
    await handled.insert_one({"_id": "a number", "handled_at": 5})  # mongomock's own check takes over
    assert await ids(handled.find({}, sort=[("_id", 1)])) == ["a number", "no date", "old"]


async def test_an_update_is_checked_against_the_unique_indexes_of_every_field_it_changes() -> None:
    client = mongo.connect("mongomock://")
    cases = client["standin_test"]["renamed"]
    await cases.create_index("ref", unique=True)
    await cases.create_index("status")
    await cases.insert_many([{"_id": 1, "ref": "R-1", "old_ref": "R-2"}, {"_id": 2, "ref": "R-2"}])

    await cases.update_one({"_id": 1}, {"$set": {"status": "open"}})  # no unique field changed
    with pytest.raises(DuplicateKeyError):
        await cases.update_one({"_id": 1}, {"$rename": {"old_ref": "ref"}})
    assert await cases.find_one({"_id": 1}) == {"_id": 1, "ref": "R-1", "old_ref": "R-2", "status": "open"}
    assert await ids(cases.find({"status": "open"})) == [1]
    assert await ids(cases.find({"ref": "R-2"})) == [2]

    await cases.update_one({"_id": 2}, {"$rename": {"ref": "former_ref"}})
    await cases.update_one({"_id": 1}, {"$rename": {"old_ref": "ref"}})
    assert await ids(cases.find({"ref": "R-2"})) == [1]
    assert await ids(cases.find({"ref": "R-1"})) == []
