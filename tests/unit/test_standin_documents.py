"""The stand-in's document walks (lotsen/standin/documents.py) give what mongomock's own give for any
value a document can hold: dates naive and aware, with microseconds or a fold, in dicts and lists
at any depth, ordered dicts, tuples, and types the walks leave to mongomock."""

from __future__ import annotations

import copy
import datetime
import uuid
from collections import OrderedDict
from enum import StrEnum
from typing import Any

from bson import Decimal128, Int64, ObjectId, Regex, Timestamp
from hypothesis import given, settings
from hypothesis import strategies as st
from mongomock import collection as mongomock_collection
from mongomock import helpers as mongomock_helpers
from pymongo_async_mock import patches as async_mock_patches

from lotsen import standin
from lotsen.standin import documents
from lotsen.standin.patching import as_shipped

standin.prepare()
collection: Any = mongomock_collection
helpers: Any = mongomock_helpers
patches: Any = async_mock_patches


class Channel(StrEnum):
    WEB = "web"


class Moment(datetime.datetime):
    """A datetime subclass: the walks must leave it to mongomock."""


ZONES = [None, datetime.UTC, datetime.timezone(datetime.timedelta(hours=2)), helpers.utc]

dates = st.builds(
    lambda moment, zone, fold: moment.replace(tzinfo=zone, fold=fold),
    st.datetimes(min_value=datetime.datetime(1970, 1, 2), max_value=datetime.datetime(2100, 1, 1)),
    st.sampled_from(ZONES),
    st.sampled_from([0, 1]),
)
leaves = st.one_of(
    st.text(max_size=3),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.binary(max_size=3),
    st.just(ObjectId("0123456789ab0123456789ab")),
    st.uuids(),
    dates,
    st.builds(lambda moment: Moment(2026, 3, 1, 12, 0, 0, moment), st.integers(0, 999_999)),
    st.builds(Int64, st.integers(-5, 5)),
    st.just(Decimal128("1.50")),
    st.just(Regex("^a", "i")),
    st.just(Timestamp(1_700_000_000, 3)),
    st.just(Channel.WEB),
)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=4), inner, max_size=4),
        st.dictionaries(st.text(max_size=4), inner, max_size=3).map(OrderedDict),
    ),
    max_leaves=20,
)


def same(left: Any, right: Any) -> bool:
    """Equal, of the same types all the way down, dates in the same zone with the same fold, keys in
    the same order."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(same(left[key], right[key]) for key in left)
    if isinstance(left, list | tuple):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, datetime.datetime):
        return (
            left.replace(tzinfo=None) == right.replace(tzinfo=None)
            and type(left.tzinfo) is type(right.tzinfo)
            and left.utcoffset() == right.utcoffset()
            and left.tzname() == right.tzname()
            and left.fold == right.fold
        )
    if isinstance(left, Regex):
        return bool(left.pattern == right.pattern and left.flags == right.flags)
    return bool(left == right)


def containers(value: Any) -> list[Any]:
    found: list[Any] = []
    if isinstance(value, dict):
        found.append(value)
        for item in value.values():
            found.extend(containers(item))
    elif isinstance(value, list | tuple):
        if isinstance(value, list):
            found.append(value)
        for item in value:
            found.extend(containers(item))
    return found


def shared(copied: Any, original: Any) -> set[int]:
    """The containers of ``original`` that ``copied`` holds rather than copies of them."""
    originals = {id(container) for container in containers(original)}
    return {id(container) for container in containers(copied)} & originals


def outcome(walk: Any, *args: Any) -> Any:
    try:
        return ("ok", walk(*args))
    except Exception as exc:  # an error is an answer too
        return ("error", type(exc), str(exc))


def same_outcome(left: Any, right: Any) -> bool:
    if left[0] == "error" or right[0] == "error":
        return bool(left == right)
    return same(left[1], right[1])


@settings(max_examples=400, deadline=None)
@given(values)
def test_dates_written_are_stored_as_mongomock_stores_them(value: Any) -> None:
    with as_shipped():
        expected = outcome(helpers.patch_datetime_awareness_in_document, value)
    answered = outcome(documents.to_stored, value)
    assert same_outcome(answered, expected)
    if answered[0] == "ok":
        assert shared(answered[1], value) == shared(expected[1], value) == set()


@settings(max_examples=400, deadline=None)
@given(values)
def test_dates_read_get_the_zone_mongomock_gives_them(value: Any) -> None:
    with as_shipped():
        expected = helpers.make_datetime_timezone_aware_in_document(value)
    answered = documents.to_aware(value)
    assert same(answered, expected)
    assert shared(answered, value) == shared(expected, value) == set()


@settings(max_examples=400, deadline=None)
@given(values, st.sampled_from([dict, OrderedDict]))
def test_a_read_copies_as_mongomock_copies(value: Any, container: Any) -> None:
    with as_shipped():
        expected_copy = collection._copy_field(value, container)
        expected_aware = helpers.make_datetime_timezone_aware_in_document(collection._copy_field(value, dict))
    answered_copy = documents.copy_field(value, container)
    answered_aware = documents.aware_copy(value)
    assert same(answered_copy, expected_copy)
    assert same(answered_aware, expected_aware)
    assert shared(answered_copy, value) == shared(expected_copy, value)  # tuples are not copied
    assert shared(answered_aware, value) == shared(expected_aware, value) == set()


@settings(max_examples=400, deadline=None)
@given(values, st.data())
def test_a_deep_copy_is_what_copy_deepcopy_gives_aliases_included(value: Any, data: Any) -> None:
    alias = data.draw(st.lists(values, max_size=2))
    holder = {"value": value, "first": alias, "again": alias, "inside": [alias, {"deeper": alias}]}
    expected = copy.deepcopy(holder)
    answered = documents.deep_copy(holder)
    assert same(answered, expected)
    assert shared(answered, holder) == set()
    assert answered["first"] is answered["again"] is answered["inside"][0] is answered["inside"][1]["deeper"]
    answered["first"].append("changed")
    assert holder["first"] == expected["first"]  # the original is untouched


@settings(max_examples=400, deadline=None)
@given(values)
def test_filters_are_rebuilt_as_pymongo_async_mock_rebuilds_them(value: Any) -> None:
    with as_shipped():
        expected = patches._normalize_strings(value)
    assert same(documents.normalized(value), expected)


def test_a_document_read_back_is_a_new_document_with_utc_dates() -> None:
    stored: dict[str, Any] = {
        "_id": uuid.UUID(int=5),
        "created": datetime.datetime(2026, 3, 1, 9, 30, 0, 123000),
        "timeline": [{"at": datetime.datetime(2026, 3, 1, 9, 31), "kind": "created"}],
    }
    read = documents.aware_copy(stored)
    assert read == {
        "_id": uuid.UUID(int=5),
        "created": datetime.datetime(2026, 3, 1, 9, 30, 0, 123000, tzinfo=datetime.UTC),
        "timeline": [{"at": datetime.datetime(2026, 3, 1, 9, 31, tzinfo=datetime.UTC), "kind": "created"}],
    }
    read["timeline"][0]["kind"] = "changed"
    assert stored["timeline"][0]["kind"] == "created"
    earlier, later = stored["created"], stored["created"].replace(fold=1)  # equal, but not the same
    assert [moment.fold for moment in documents.aware_copy([earlier, later, earlier, later])] == [0, 1, 0, 1]
    in_utc = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
    east = in_utc.astimezone(ZONES[2])  # the same instant, so equal, but read as its wall clock says
    assert [moment.hour for moment in documents.aware_copy([in_utc, east, in_utc, east])] == [9, 11, 9, 11]
    written = documents.to_stored({"at": datetime.datetime(2026, 3, 1, 11, 30, 0, 123456, tzinfo=ZONES[2])})
    assert written == {"at": datetime.datetime(2026, 3, 1, 9, 30, 0, 123000)}
