"""Which stored documents a filter can match at most, read from the field maps (field_maps.py).

A filter narrows by any of its top-level conditions (they all must hold), and the narrowest is
taken. A condition narrows when it names an indexed field and gives it:

- a value of a mapped type (equality; an array holding the value matches too);
- ``{"$in": [...]}`` of such values (the union of each value's documents);
- an anchored literal regex (``"^prefix"`` with no other metacharacters and no options, as a
  pattern string or a compiled ``str`` pattern without flags): the documents holding a string
  that starts with the prefix, found among the map's sorted string values. Without options such a
  regex matches exactly the strings that start with the prefix, as MongoDB's index bounds for it;
- ``$or`` whose every branch narrows (the union of the branches), or ``$and`` with one that does.

The caller still applies the whole filter to every candidate, so a candidate set may hold too much
but never misses a document the scan would match; candidates come in the store's insertion order.
"""

from __future__ import annotations

import re
from typing import Any

from lotsen.standin.field_maps import FieldMaps, maps_for

_METACHARACTERS = frozenset(".^$*+?{}[]\\|()#")
_DEFAULT_STR_FLAGS = re.compile("").flags

# A way to narrow: the field and the map values whose documents may match, or the prefix those
# values start with; the union of several such terms is the candidate set.
Term = tuple[str, list[Any] | str]


def narrowed_candidates(store: Any, spec: dict[str, Any], value_types: frozenset[type]) -> list[Any] | None:
    """The stored documents that may match ``spec``, in insertion order; None when no condition of
    the filter narrows (or nothing is stored: the scan of an empty store still validates it)."""
    if not store._documents:
        return None
    store._remove_expired_documents()  # as the scan's read of the store does
    maps = maps_for(store)
    if maps is None:
        return None
    terms = _narrowest(maps, spec, value_types)
    if terms is None:
        return None
    documents = store._documents
    return [documents[key] for key in maps.union(terms)]


def _narrowest(maps: FieldMaps, spec: dict[str, Any], value_types: frozenset[type]) -> list[Term] | None:
    chosen: tuple[int, list[Term]] | None = None
    for field, value in spec.items():
        terms = _terms(maps, field, value, value_types)
        if terms is not None:
            count = sum(maps.count(term) for term in terms)
            if chosen is None or count < chosen[0]:
                chosen = (count, terms)
    return None if chosen is None else chosen[1]


def _terms(maps: FieldMaps, field: str, value: Any, value_types: frozenset[type]) -> list[Term] | None:
    if field == "$or" or field == "$and":
        if type(value) is not list or not value or any(type(branch) is not dict for branch in value):
            return None
        branches = [_narrowest(maps, branch, value_types) for branch in value]
        if field == "$and":
            narrowing = [terms for terms in branches if terms is not None]
            return min(narrowing, key=lambda terms: sum(maps.count(t) for t in terms), default=None)
        if any(terms is None for terms in branches):
            return None
        return [term for terms in branches if terms is not None for term in terms]
    if field not in maps.fields:
        return None
    if type(value) in value_types:
        return [(field, [value])]
    prefix = _anchored_literal(value)
    if prefix is not None:
        return [(field, prefix)]
    if type(value) is not dict or not value or not all(type(key) is str and key[:1] == "$" for key in value):
        return None
    wanted: Any = value.get("$in")
    if type(wanted) in (list, tuple) and all(type(item) in value_types for item in wanted):
        return [(field, list(wanted))]
    if "$options" not in value:
        prefix = _anchored_literal(value.get("$regex"))
        if prefix is not None:
            return [(field, prefix)]
    return None


def _anchored_literal(pattern: Any) -> str | None:
    """The prefix of a regex ``^prefix`` with no other metacharacters and no flags, else None."""
    if type(pattern) is re.Pattern:
        if pattern.flags != _DEFAULT_STR_FLAGS:
            return None
        pattern = pattern.pattern
    if type(pattern) is not str or not pattern.startswith("^"):
        return None
    prefix = pattern[1:]
    if _METACHARACTERS.intersection(prefix) or not prefix.isprintable():
        return None
    return prefix
