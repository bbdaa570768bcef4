"""Random sequences of writes, reads and aggregations give the same documents, answers and errors on
the stand-in (lotsen/standin: kept field maps, its copies and date conversions, aggregations from
candidates) as on mongomock and pymongo-async-mock as they ship, which scan every document."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

import mongomock
from bson import ObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo import DeleteOne, InsertOne, ReplaceOne, ReturnDocument, UpdateOne
from pymongo_async_mock.patches import _patch_collection_internals

from lotsen import standin
from lotsen.standin.patching import as_shipped

standin.prepare()

# The kinds of index the services create: unique, unique compound, sparse, multikey, compound.
INDEXES: list[tuple[Any, dict[str, Any]]] = [
    ("ref", {"unique": True}),
    ("origin", {"unique": True}),
    ([("file", 1), ("n", 1)], {"unique": True}),
    ("alias", {"unique": True, "sparse": True}),
    ([("org", 1), ("status", 1), ("created", -1)], {}),
    ("people", {}),
    ("outbox.event_id", {"sparse": True}),
    ("due", {}),
]


class Origin(StrEnum):
    """Equal to its string, but hashed by its name: must never be missed by a map."""

    C1 = "c1"


ids = st.sampled_from(["i1", "i2", "i3", "i4", "i5", 7])
refs = st.sampled_from(["R-1", "R-2", "R-3", "R-4"])
FIXED_ID = ObjectId("0123456789ab0123456789ab")
scalars = st.sampled_from(["c1", Origin.C1, "c2", None, 0, 1, 1.0, True, "1", FIXED_ID])
people = st.lists(st.sampled_from(["a", "b", "c", 1]), max_size=3)
outbox = st.lists(st.fixed_dictionaries({"event_id": st.sampled_from(["e1", "e2"])}), max_size=2)
NOON = datetime(2026, 3, 1, 12, 0, 0, 123456)
# One instant naive, in UTC and two hours east; the next day; and one millisecond apart.
dates = st.sampled_from(
    [
        NOON,
        NOON.replace(tzinfo=UTC),
        (NOON + timedelta(hours=2)).replace(tzinfo=timezone(timedelta(hours=2))),
        NOON + timedelta(days=1),
        NOON.replace(microsecond=124000, tzinfo=UTC),
    ]
)
timeline = st.lists(
    st.fixed_dictionaries(
        {"at": dates, "kind": st.sampled_from(["created", "note"]), "seen": st.lists(dates, max_size=2)}
    ),
    max_size=3,
)
FIELDS = {
    "ref": refs,
    "origin": scalars,
    "file": st.sampled_from(["f1", "f2"]),
    "n": scalars,
    "alias": st.sampled_from(["x", "y"]),
    "org": st.sampled_from(["o1", "o2"]),
    "status": st.sampled_from(["open", "closed"]),
    "created": st.integers(0, 3),
    "people": people,
    "outbox": outbox,
    "note": scalars,
    "due": dates,
    "timeline": timeline,
}


@st.composite
def documents(draw: Any, *, with_id: bool = True) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(sorted(FIELDS)), unique=True, max_size=len(FIELDS)))
    document = {field: draw(FIELDS[field]) for field in chosen}
    if with_id:
        document["_id"] = draw(ids)
    return document


# Anchored literals (answered from the maps), and regexes the maps must leave to the scan.
REGEXES: list[Any] = [
    "^R-",
    "^R-1",
    "^c",
    "^",
    "^a",
    re.compile("^c1"),
    {"$regex": "^R-2"},
    {"$regex": "^r-", "$options": "i"},
    "^R.1",
    "c1$",
    re.compile("^C", re.IGNORECASE),
]
REGEX_FIELDS = ["ref", "origin", "people", "alias", "outbox.event_id", "note"]


def regex_condition(draw: Any) -> tuple[str, Any]:
    field = draw(st.sampled_from(REGEX_FIELDS))
    regex = draw(st.sampled_from(REGEXES))
    if isinstance(regex, dict):
        return field, regex
    return field, draw(st.sampled_from([regex, {"$regex": regex}])) if isinstance(regex, str) else regex


@st.composite
def filters(draw: Any, *, nested: bool = True) -> dict[str, Any]:
    names = [*sorted(FIELDS), "_id", "outbox.event_id", "$in", "regex", *(["$or", "$and"] if nested else [])]
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=2))
    spec: dict[str, Any] = {}
    for field in chosen:
        if field in ("$or", "$and"):
            spec[field] = draw(st.lists(filters(nested=False), min_size=1, max_size=3))
        elif field == "$in":
            name = draw(st.sampled_from(["ref", "origin", "people", "status", "due", "_id"]))
            spec[name] = {"$in": draw(st.lists(FIELDS.get(name, ids), max_size=3))}
        elif field == "regex":
            name, regex = regex_condition(draw)
            spec[name] = regex
        elif field == "_id":
            spec[field] = draw(ids)
        elif field == "outbox.event_id":
            spec[field] = draw(st.sampled_from(["e1", "e2", None]))
        elif field == "people":
            spec[field] = draw(st.sampled_from(["a", "b", 1, ["a"], {"$in": ["a", "c"]}]))
        elif field == "created" and draw(st.booleans()):
            spec[field] = {"$gte": draw(st.integers(0, 3))}
        elif field == "due" and draw(st.booleans()):
            spec[field] = {"$lte": draw(dates)}
        elif field == "timeline":
            spec["timeline.at"] = draw(dates)
        else:
            spec[field] = draw(FIELDS[field])
    return spec


def sets() -> Any:
    return st.builds(lambda d: {"$set": d}, documents(with_id=False).filter(bool))


def operations() -> Any:
    return st.one_of(
        st.tuples(st.just("insert_one"), documents()),
        st.tuples(st.just("insert_many"), st.lists(documents(), min_size=1, max_size=3), st.booleans()),
        st.tuples(st.just("update_one"), filters(), sets(), st.booleans()),
        st.tuples(st.just("update_many"), filters(), sets()),
        st.tuples(st.just("push_people"), filters(), st.sampled_from(["a", "b", "c"])),
        st.tuples(
            st.just("rename"), filters(), st.sampled_from([("note", "ref"), ("alias", "origin"), ("n", "x")])
        ),
        st.tuples(st.just("replace_one"), filters(), documents(with_id=False), st.booleans()),
        st.tuples(st.just("delete_one"), filters()),
        st.tuples(st.just("delete_many"), filters()),
        st.tuples(
            st.just("find_one_and_update"),
            filters(),
            sets(),
            st.booleans(),
            st.booleans(),
            st.sampled_from(SORTS),
        ),
        st.tuples(st.just("push_timeline"), filters(), timeline.filter(bool), st.booleans()),
        st.tuples(st.just("bulk_write"), st.lists(requests(), min_size=1, max_size=4), st.booleans()),
        st.tuples(st.just("find"), filters()),
        st.tuples(st.just("find_sorted"), filters()),
        st.tuples(
            st.just("find_page"),
            filters(),
            st.sampled_from(SORTS[1:]),
            st.integers(0, 3),
            st.integers(-2, 4),
            st.sampled_from([*PROJECTIONS[:2], None]),
        ),
        st.tuples(st.just("count"), filters()),
        st.tuples(st.just("find_projected"), filters(), st.sampled_from(PROJECTIONS)),
        st.tuples(st.just("find_one"), filters()),
        st.tuples(st.just("aggregate"), filters(), st.sampled_from(LATER_STAGES)),
    )


SORTS: list[Any] = [
    None,
    [("created", -1)],
    [("ref", 1), ("_id", -1)],
    [("_id", 1)],
    [("due", -1), ("_id", -1)],
    [("created", -1), ("$score", 1)],  # an operator: mongomock's own read answers (it refuses)
]
PROJECTIONS: list[Any] = [
    {"due": 1},
    {"timeline": 0},
    {"_id": 0, "timeline.at": 1},
    ["ref", "due"],
    {},
    {"ref": True, "timeline": 1, "due": 1},
    {"_id": 0, "due": 1, "people": 1},
    {"_id": 1, "timeline": 0, "due": False},
    {"_id": 0, "timeline": 0},
    {"_id": 0},
    {"due": 1, "ref": 0},
]
LATER_STAGES: list[list[dict[str, Any]]] = [
    [],
    [{"$group": {"_id": "$status", "n": {"$sum": 1}, "first": {"$first": "$$ROOT"}}}],
    [{"$project": {"timeline": 1, "due": 1}}, {"$limit": 2}],
    [{"$match": {"due": {"$lte": NOON.replace(tzinfo=UTC)}}}, {"$skip": 1}],
    [{"$match": {"$or": [{"due": None}, {"due": {"$gt": NOON}}]}}],
]


def requests() -> Any:
    return st.one_of(
        st.builds(InsertOne, documents()),
        st.builds(lambda f, s, u: UpdateOne(f, s, upsert=u), filters(), sets(), st.booleans()),
        st.builds(
            lambda f, d, u: ReplaceOne(f, d, upsert=u), filters(), documents(with_id=False), st.booleans()
        ),
        st.builds(DeleteOne, filters()),
    )


def apply(collection: Any, operation: tuple[Any, ...]) -> Any:
    name, *args = operation
    match name:
        case "insert_one":
            return collection.insert_one(dict(args[0])).inserted_id
        case "insert_many":
            return collection.insert_many([dict(d) for d in args[0]], ordered=args[1]).inserted_ids
        case "update_one":
            return collection.update_one(args[0], args[1], upsert=args[2]).raw_result
        case "update_many":
            return collection.update_many(args[0], args[1]).raw_result
        case "push_people":
            return collection.update_many(args[0], {"$push": {"people": args[1]}}).raw_result
        case "rename":
            return collection.update_many(args[0], {"$rename": {args[1][0]: args[1][1]}}).raw_result
        case "replace_one":
            return collection.replace_one(args[0], dict(args[1]), upsert=args[2]).raw_result
        case "delete_one":
            return collection.delete_one(args[0]).deleted_count
        case "delete_many":
            return collection.delete_many(args[0]).deleted_count
        case "find_one_and_update":
            after = ReturnDocument.AFTER if args[3] else ReturnDocument.BEFORE
            return collection.find_one_and_update(
                args[0], args[1], upsert=args[2], return_document=after, sort=args[4]
            )
        case "push_timeline":
            after = ReturnDocument.AFTER if args[2] else ReturnDocument.BEFORE
            update = {"$push": {"timeline": {"$each": args[1]}}, "$set": {"due": args[1][0]["at"]}}
            return collection.find_one_and_update(args[0], update, return_document=after)
        case "bulk_write":
            return collection.bulk_write(list(args[0]), ordered=args[1]).bulk_api_result
        case "find":
            return list(collection.find(args[0]))
        case "find_sorted":
            return list(collection.find(args[0], sort=[("created", -1), ("ref", 1)]))
        case "find_page":
            spec, sort, skip, limit, projection = args
            return list(collection.find(spec, projection, sort=sort).skip(skip).limit(limit))
        case "count":
            return collection.count_documents(args[0])
        case "find_projected":
            return list(collection.find(args[0], args[1]))
        case "find_one":
            return collection.find_one(args[0])
        case "aggregate":
            return list(collection.aggregate([{"$match": args[0]}, *args[1]]))
    raise AssertionError(name)


def outcome(collection: Any, operation: tuple[Any, ...]) -> Any:
    try:
        answer = apply(collection, operation)
        compared = ("ok", normalised(answer))
        scribble(answer)  # an answer the store still held would show in the next comparison
        return compared
    except Exception as exc:  # the error itself is the answer compared
        details = normalised(getattr(exc, "details", None))
        return ("error", type(exc).__name__, normalised(str(exc)), getattr(exc, "code", None), details)


def scribble(value: Any) -> None:
    if isinstance(value, dict):
        for item in value.values():
            scribble(item)
        value.clear()
        value["scribbled"] = True
    elif isinstance(value, list):
        for item in value:
            scribble(item)
        value.clear()


def normalised(value: Any) -> Any:
    """Generated ObjectIds differ between the two collections; everything else must be equal."""
    if isinstance(value, ObjectId):
        return value if value == FIXED_ID else "<generated>"
    if isinstance(value, str):
        return re.sub(r"ObjectId\('(?!0123456789ab0123456789ab)[0-9a-f]{24}'\)", "<generated>", value)
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items() if key != "connectionId"}
    if isinstance(value, list | tuple):
        return [normalised(item) for item in value]
    return value


def collection(*, tz_aware: bool) -> Any:
    plain: Any = mongomock.MongoClient(tz_aware=tz_aware)["equivalence"]["cases"]
    patched = _patch_collection_internals(plain)  # what pymongo-async-mock does to every collection
    for keys, options in INDEXES:
        patched.create_index(keys, **options)
    return patched


def shipped_outcome(collection: Any, operation: tuple[Any, ...]) -> Any:
    with as_shipped():
        return outcome(collection, operation)


QUERIES = [
    {"ref": "R-1"},
    {"origin": None},
    {"origin": 1},
    {"origin": "c1", "org": "o1"},
    {"people": "a"},
    {"people": 1},
    {"outbox.event_id": "e1"},
    {"n": FIXED_ID},
    {"file": "f1", "n": True},
    {"org": "o2", "status": "open"},
    {"due": NOON},
    {"due": NOON.replace(tzinfo=UTC), "status": "open"},
    {"timeline.at": NOON + timedelta(days=1)},
    {"ref": {"$in": ["R-1", "R-3"]}},
    {"$or": [{"org": "o1", "status": "open"}, {"people": {"$in": ["a", 1]}}]},
    {"$and": [{"$or": [{"ref": "R-2"}, {"origin": {"$in": ["c1", 1]}}]}], "status": "open"},
    {"ref": {"$regex": "^R-"}, "org": "o2"},
    {"people": re.compile("^b")},
    {"origin": {"$regex": "^c", "$in": ["c1", "c2"]}},
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents(), min_size=2, max_size=8), st.lists(operations(), max_size=25), st.booleans())
def test_writes_reads_and_aggregations_match_mongomock_as_shipped(
    initial: list[dict[str, Any]], steps: list[tuple[Any, ...]], tz_aware: bool
) -> None:
    kept = collection(tz_aware=tz_aware)
    with as_shipped():
        shipped = collection(tz_aware=tz_aware)
    everything: tuple[Any, ...] = ("find", {})
    for step in [("insert_many", initial, False), *steps]:
        assert outcome(kept, step) == shipped_outcome(shipped, step), step
        assert outcome(kept, everything) == shipped_outcome(shipped, everything)
    for query in QUERIES:
        for step in [("find", query), ("aggregate", query, LATER_STAGES[1])]:
            assert outcome(kept, step) == shipped_outcome(shipped, step), step
