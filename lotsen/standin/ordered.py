"""A sorted find with a limit tests its filter only until it has the documents it answers.

mongomock tests the filter on every candidate, sorts the matches and then cuts them to the limit;
MongoDB walks an index in the sort's order and stops at the limit. Here the candidates (from the
field maps, narrowing.py, or every document) are sorted first, with mongomock's own sort, and the
filter is tested in that order until ``skip + limit`` documents match: the same documents in the
same order, because a stable sort of the candidates keeps the matches in the order a sort of the
matches alone gives.

Only a filter that cannot raise an error for one document and not another is walked this way (the
whole scan would raise it even for a document the walk never reaches): equalities and comparisons
with plain values, ``$in``/``$nin`` of such, ``$exists``, ``$regex`` of a valid pattern without
options, ``$and``/``$or`` of these. If sorting the candidates raises (a value mongomock cannot
sort, in a document that may not even match), the caller takes mongomock's way, which raises
exactly when it does.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterator
from typing import Any

from lotsen.standin.field_maps import MAPPED_TYPES
from lotsen.standin.narrowing import narrowed_candidates

_PLAIN_VALUES = MAPPED_TYPES | {type(None)}
_MISSING = object()
_NATIVE_GROUPS = (frozenset({str}), frozenset({datetime.datetime}), frozenset({int, float}))
_COMPARISONS = frozenset({"$eq", "$ne", "$lt", "$lte", "$gt", "$gte"})


def sorts_by_operator(sort: Any) -> bool:
    """Whether ``sort`` names a ``$`` key other than ``$natural`` (``$meta`` …): mongomock's own read
    answers such a find (today it refuses it), never the walks here."""
    if not sort:
        return False
    keys = sort if isinstance(sort, dict) else [key for key, _direction in sort]
    return any(key.startswith("$") and key != "$natural" for key in keys)


def sorted_documents(dataset: Iterator[Any], sort: Any) -> Iterator[Any]:
    """``dataset`` in a find's ``sort`` order, sorted as ``Collection._get_dataset`` sorts; a sort
    by an operator is mongomock's alone (:func:`sorts_by_operator`)."""
    from mongomock import filtering

    assert not sorts_by_operator(sort), "a sort by an operator goes to mongomock's own read"
    if sort:
        if isinstance(sort, dict):
            sort = sort.items()
        for sort_key, sort_direction in reversed(sort):
            if sort_key == "$natural":
                if sort_direction < 0:
                    dataset = iter(reversed(list(dataset)))
                continue
            documents = list(dataset)
            reverse = sort_direction < 0
            values = _native_values(sort_key, documents)
            if values is not None:
                order = sorted(range(len(documents)), key=values.__getitem__, reverse=reverse)
                dataset = iter([documents[i] for i in order])
            else:
                key = functools.partial(filtering.resolve_sort_key, sort_key)
                dataset = iter(sorted(documents, key=key, reverse=reverse))
    return dataset


def _native_values(sort_key: str, documents: list[Any]) -> list[Any] | None:
    """Each document's value of a top-level ``sort_key`` when all are of one kind that Python
    compares exactly as mongomock's ``bson_compare`` does (strings, dates, or numbers but not
    booleans): sorting by them makes every comparison mongomock's sort key makes, with the same
    outcome, so the order is the same. None otherwise (a value missing, an array, mixed kinds)."""
    if not sort_key or "." in sort_key or not documents:
        return None
    values = []
    kinds = set()
    for document in documents:
        if type(document) is not dict:
            return None
        value = document.get(sort_key, _MISSING)
        kinds.add(type(value))
        values.append(value)
    for group in _NATIVE_GROUPS:
        if kinds <= group:
            return values
    return None


def first_matches(collection: Any, spec: Any, sort: Any, wanted: int) -> list[Any] | None:
    """The first ``wanted`` stored documents a find of ``spec`` sorted by ``sort`` answers (fewer
    when fewer match), or None when this walk could answer otherwise than mongomock's scan."""
    from mongomock.filtering import filter_applies

    if not sort or sorts_by_operator(sort) or type(spec) is not dict or "_id" in spec or not _errorless(spec):
        return None
    store = collection._store
    if store.is_empty:
        return None
    candidates = narrowed_candidates(store, spec, MAPPED_TYPES)
    if candidates is None:
        candidates = list(store.documents)
    try:
        ordered = sorted_documents(iter(candidates), sort)
        found: list[Any] = []
        for document in ordered:
            if filter_applies(spec, document):  # type: ignore[no-untyped-call]
                found.append(document)
                if len(found) >= wanted:
                    break
    except Exception:
        return None
    return found


def _errorless(spec: dict[str, Any]) -> bool:
    for field, condition in spec.items():
        if field in ("$and", "$or"):
            if type(condition) is not list or not condition:
                return False
            if not all(type(branch) is dict and _errorless(branch) for branch in condition):
                return False
        elif type(field) is not str or field.startswith("$"):
            return False
        elif type(condition) is dict:
            if not condition or not all(_errorless_operator(op, value) for op, value in condition.items()):
                return False
        elif type(condition) not in _PLAIN_VALUES:
            return False
    return True


def _errorless_operator(operator: Any, value: Any) -> bool:
    if operator in _COMPARISONS:
        return type(value) in _PLAIN_VALUES
    if operator in ("$in", "$nin"):
        return type(value) in (list, tuple) and all(type(item) in _PLAIN_VALUES for item in value)
    if operator == "$exists":
        return type(value) is bool
    if operator == "$regex" and type(value) is str:
        try:
            re.compile(value)
        except re.error:
            return False
        return True
    return False
