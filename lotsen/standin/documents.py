"""mongomock's walks over whole documents, done without its generic per-value dispatch.

mongomock converts every datetime of every document written (``patch_datetime_awareness_in_document``)
and read (``make_datetime_timezone_aware_in_document``), copies every document read (``_copy_field``,
then the datetime walk copies it once more), deep-copies every document it updates (``copy.deepcopy``
with its memo) and copies every filter (pymongo-async-mock's ``_normalize_strings``). Each of these
calls itself, an ``isinstance`` chain or ``copy.copy`` for every value; for documents of some
hundred values they were a large share of a service's CPU.

The functions here give the same results: exact ``dict``, ``list`` and ``tuple`` containers and the
plain values below are handled inline, and anything else goes to mongomock's own function. Reads
copy and give dates their zone in one walk (``aware_copy``). The only difference is that values of
an immutable type (``ObjectId``, ``UUID``, ``datetime``) are kept rather than replaced by an equal
copy, as ``copy`` already keeps a ``str``, and that a stored date read again is answered with the
same zoned ``datetime`` as before.
"""

from __future__ import annotations

import copy
import datetime
import types
import uuid
from collections.abc import Callable
from typing import Any

from bson import ObjectId

from lotsen.standin.patching import replace

# Values every walk returns as they are (none is a container, a datetime or a bson Timestamp), and
# that copy.copy and copy.deepcopy return as they are too.
_KEPT: frozenset[type] = frozenset({str, int, float, bool, type(None), bytes})
# ... and immutable values the walks return as they are and the copies replace by an equal object.
_IMMUTABLE: frozenset[type] = _KEPT | {ObjectId, uuid.UUID}
_IMMUTABLE_OR_DATE: frozenset[type] = _IMMUTABLE | {datetime.datetime}
_MISSING = object()
_DATETIME = datetime.datetime
_DATETIME_FROM_STATE: Any = datetime.datetime  # datetime(state, tzinfo), as pickle rebuilds one
# The stored dates are naive, and a document read again holds the same ones, so their zoned copies
# are kept: a naive datetime equals another (and hashes alike) exactly when all its fields but fold
# do, and those with fold set are left out.
_zoned: dict[datetime.datetime, datetime.datetime] = {}
_ZONED_KEPT = 16384


class Originals:
    """mongomock's own functions, for what the fast paths leave to them (and for the tests)."""

    to_stored: Callable[[Any], Any]
    to_aware: Callable[[Any], Any]
    copy_field: Callable[[Any, Any], Any]
    normalized: Callable[[Any], Any]
    utc: datetime.tzinfo


def to_stored(value: Any) -> Any:
    """``helpers.patch_datetime_awareness_in_document``: dates to naive UTC in milliseconds."""
    kind = type(value)
    if kind is dict:
        return {key: item if type(item) in _IMMUTABLE else to_stored(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [item if type(item) in _IMMUTABLE else to_stored(item) for item in value]
    if kind is datetime.datetime:
        return _stored_date(value)
    if kind in _IMMUTABLE:
        return value
    return Originals.to_stored(value)


def _stored_date(value: datetime.datetime) -> datetime.datetime:
    milliseconds = (value.microsecond // 1000) * 1000
    if value.tzinfo:
        # mongomock: (value - value.utcoffset()).replace(tzinfo=None, microsecond=milliseconds)
        # arithmetic leaves fold at 0, and datetime.replace is the slowest way to build a datetime.
        wall = value - value.utcoffset()  # type: ignore[operator]  # None raises TypeError there too
        return datetime.datetime(
            wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second, milliseconds
        )
    if value.microsecond == milliseconds:
        return value  # replace() would make an equal copy, fold included
    return value.replace(microsecond=milliseconds)


def _with_utc(value: datetime.datetime) -> datetime.datetime:
    """``value.replace(tzinfo=utc)`` for a ``datetime`` (not a subclass)."""
    if value.tzinfo is not None or value.fold:
        return _rebuilt_with_utc(value)
    zoned = _zoned.get(value)
    if zoned is None:
        if len(_zoned) >= _ZONED_KEPT:
            _zoned.clear()
        zoned = _zoned[value] = _rebuilt_with_utc(value)
    return zoned


def _rebuilt_with_utc(value: datetime.datetime) -> datetime.datetime:
    # From its pickled state (all fields and fold) in half the time replace() parses its arguments.
    state: Any = value.__reduce_ex__(4)[1]
    return _DATETIME_FROM_STATE(state[0], Originals.utc)  # type: ignore[no-any-return]


def to_aware(value: Any) -> Any:
    """``helpers.make_datetime_timezone_aware_in_document``: every date gets the UTC zone."""
    kind = type(value)
    if kind is dict:
        return {key: item if type(item) in _IMMUTABLE else to_aware(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [item if type(item) in _IMMUTABLE else to_aware(item) for item in value]
    if kind is datetime.datetime:
        return _with_utc(value)
    if kind in _IMMUTABLE:
        return value
    return Originals.to_aware(value)


def copy_field(value: Any, container: Any) -> Any:
    """``collection._copy_field``: a copy of a stored value, its mappings made as ``container``."""
    kind = type(value)
    if kind is dict:
        if container is dict:
            return {
                key: item if type(item) in _IMMUTABLE_OR_DATE else copy_field(item, dict)
                for key, item in value.items()
            }
        new = container()
        for key, item in value.items():
            new[key] = item if type(item) in _IMMUTABLE_OR_DATE else copy_field(item, container)
        return new
    if kind is list:
        return [item if type(item) in _IMMUTABLE_OR_DATE else copy_field(item, container) for item in value]
    if kind in _IMMUTABLE_OR_DATE:
        return value
    return Originals.copy_field(value, container)


def aware_copy(value: Any) -> Any:
    """What a read with ``tz_aware=True`` answers for a stored value:
    ``to_aware(copy_field(value, dict))`` in one walk instead of two."""
    kind = type(value)
    if kind is dict:
        copied: dict[Any, Any] = {}
        for key, item in value.items():
            item_kind = type(item)
            if item_kind in _IMMUTABLE:
                copied[key] = item
            elif item_kind is _DATETIME:
                copied[key] = _with_utc(item)
            else:
                copied[key] = aware_copy(item)
        return copied
    if kind is list:
        copied_items: list[Any] = []
        append = copied_items.append
        for item in value:
            item_kind = type(item)
            if item_kind in _IMMUTABLE:
                append(item)
            elif item_kind is _DATETIME:
                append(_with_utc(item))
            else:
                append(aware_copy(item))
        return copied_items
    if kind is _DATETIME:
        return _with_utc(value)
    if kind in _IMMUTABLE:
        return value
    if isinstance(value, dict):  # copy_field makes it a dict, to_aware keeps it one
        return {key: aware_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [aware_copy(item) for item in value]
    return to_aware(copy_field(value, dict))


def deep_copy(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """``copy.deepcopy``, memo included (a container met twice is copied once, as there)."""
    kind = type(value)
    if kind in _IMMUTABLE_OR_DATE:
        return value
    if memo is None:
        memo = {}
    copied = memo.get(id(value), _MISSING)
    if copied is not _MISSING:
        return copied
    if kind is dict:
        new_dict: dict[Any, Any] = {}
        memo[id(value)] = new_dict
        for key, item in value.items():
            new_dict[deep_copy(key, memo)] = deep_copy(item, memo)
        return new_dict
    if kind is list:
        new_list: list[Any] = []
        memo[id(value)] = new_list
        append = new_list.append
        for item in value:
            append(deep_copy(item, memo))
        return new_list
    return copy.deepcopy(value, memo)


def normalized(value: Any) -> Any:
    """pymongo-async-mock's ``_normalize_strings``, which rebuilds a filter's containers."""
    kind = type(value)
    if kind is dict:
        return {
            key if type(key) is str else normalized(key): (
                item if type(item) in _IMMUTABLE_OR_DATE else normalized(item)
            )
            for key, item in value.items()
        }
    if kind is list:
        return [item if type(item) in _IMMUTABLE_OR_DATE else normalized(item) for item in value]
    if kind in _IMMUTABLE_OR_DATE:
        return value
    return Originals.normalized(value)


def patch_documents() -> None:
    from mongomock import collection, helpers
    from pymongo_async_mock import patches

    Originals.utc = helpers.utc  # type: ignore[attr-defined]
    # mongomock's functions look these up by name at each call, their own recursions included.
    Originals.to_stored = replace(helpers, "patch_datetime_awareness_in_document", to_stored)
    Originals.to_aware = replace(helpers, "make_datetime_timezone_aware_in_document", to_aware)
    Originals.copy_field = replace(collection, "_copy_field", copy_field)
    Originals.normalized = replace(patches, "_normalize_strings", normalized)
    # collection.py calls copy.copy and copy.deepcopy (the update's snapshot, $set of an array).
    replace(collection, "copy", types.SimpleNamespace(copy=copy.copy, deepcopy=deep_copy))
