"""Per-collection maps from an indexed field's value to the documents holding it, kept in step with
the stand-in's store, so that an equality on an indexed field (and the unique-index check that
mongomock runs as one) reads a handful of candidates instead of every document.

The maps only ever narrow down *candidates*: the caller still applies the whole filter to each, so a
map can hold too much but must never miss a document the filter could match. Hence:

- a field's values are read with mongomock's own ``iter_key_candidates`` (the very values its
  filter compares), and the elements of an array value are mapped too (an equality matches an
  array that contains the value);
- only values of exact types whose Python equality implies equal hashes are mapped; a document
  holding anything else in the field (a ``str`` subclass such as an enum, ``Decimal128``…) goes to
  the field's ``unmapped`` set, which every look-up on that field includes;
- every path that changes a stored document notifies the maps (``patch_store``), and a map whose
  document count or storage no longer agrees with the store is rebuilt before use. An update of
  operators re-maps only the fields whose paths it names (updates.py).

Candidates come back in the store's insertion order, the order mongomock's scan gives.
"""

from __future__ import annotations

import bisect
import datetime
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from bson import ObjectId

from lotsen.standin import updates
from lotsen.standin.patching import replace

_ATTRIBUTE = "_lotsen_field_maps"

# Exact types only: a subclass may redefine equality or hashing (an Enum hashes by its name).
MAPPED_TYPES = frozenset({str, int, float, bool, ObjectId, uuid.UUID, datetime.datetime, bytes})
_NEVER_EQUAL_TO_A_SCALAR = (dict, list, tuple, type(None))


def indexed_fields(indexes: dict[str, Any]) -> tuple[str, ...]:
    """The leading field of every index, and every field of a unique one (their check looks up
    the whole key), ``_id`` aside (the store is keyed by it)."""
    fields: dict[str, None] = {}
    for index in indexes.values():
        keys = [name for name, _ in index.get("key", ())]
        for name in keys if index.get("unique") else keys[:1]:
            if name != "_id":
                fields[name] = None
    return tuple(fields)


class FieldMaps:
    def __init__(self, store: Any, fields: tuple[str, ...]) -> None:
        from mongomock import filtering

        self._nothing = getattr(filtering, "NOTHING")  # noqa: B009 (not re-exported by name)
        iter_key_candidates = filtering.iter_key_candidates
        self._values_of: Callable[[str, Any], Iterable[Any]] = iter_key_candidates
        self.documents = store._documents
        self.indexes = store.indexes
        self.index_count = len(store.indexes)
        self.fields = fields
        self._by_value: dict[str, dict[Any, dict[Any, None]]] = {field: {} for field in fields}
        self._unmapped: dict[str, dict[Any, None]] = {field: {} for field in fields}
        self._entries: dict[Any, list[tuple[str, Any]]] = {}
        self._sorted_strings: dict[str, list[str]] = {}
        self.position: dict[Any, int] = {}
        self._next_position = 0
        for key, document in store._documents.items():
            self.put(key, document, is_new=True)

    def agrees_with(self, store: Any) -> bool:
        return (
            self.documents is store._documents
            and self.indexes is store.indexes
            and self.index_count == len(store.indexes)
            and len(self.position) == len(store._documents)
        )

    def put(self, key: Any, document: Any, *, is_new: bool, touched: frozenset[str] | None = None) -> None:
        """Map ``document`` under ``key``; ``touched``, when known, holds the first part of every
        path an in-place update changed, and the fields outside it keep their entries."""
        if is_new or key not in self.position:
            self.position[key] = self._next_position
            self._next_position += 1
            touched = None
        kept: list[tuple[str, Any]] = []
        if touched is None:
            self._forget_entries(key)
            fields = self.fields
        else:
            fields = tuple(field for field in self.fields if field.split(".", 1)[0] in touched)
            if not fields:
                return
            refreshed = set(fields)
            kept = [entry for entry in self._entries.get(key, ()) if entry[0] not in refreshed]
            self._forget_entries(key, only=refreshed)
        entries = kept
        for field in fields:
            by_value = self._by_value[field]
            mapped, unmapped = self._mapped_values(field, document)
            for value in mapped:
                holders = by_value.get(value)
                if holders is None:
                    holders = by_value[value] = {}
                    self._sorted_strings.pop(field, None)
                holders[key] = None
                entries.append((field, value))
            if unmapped:
                self._unmapped[field][key] = None
                entries.append((field, self._nothing))
        self._entries[key] = entries

    def discard(self, key: Any) -> None:
        if self.position.pop(key, None) is not None or key in self._entries:
            self._forget_entries(key)

    def _forget_entries(self, key: Any, only: set[str] | None = None) -> None:
        for field, value in self._entries.pop(key, ()):
            if only is not None and field not in only:
                continue
            if value is self._nothing:
                self._unmapped[field].pop(key, None)
                continue
            holders = self._by_value[field].get(value)
            if holders is not None:
                holders.pop(key, None)
                if not holders:
                    del self._by_value[field][value]
                    self._sorted_strings.pop(field, None)

    def _mapped_values(self, field: str, document: Any) -> tuple[set[Any], bool]:
        mapped: set[Any] = set()
        unmapped = False
        for value in self._values_of(field, document):
            for item in value if isinstance(value, list | tuple) else (value,):
                if type(item) in MAPPED_TYPES:
                    mapped.add(item)
                elif item is not self._nothing and not isinstance(item, _NEVER_EQUAL_TO_A_SCALAR):
                    unmapped = True
        return mapped, unmapped

    def count(self, term: tuple[str, list[Any] | str]) -> int:
        """How many documents ``term`` (narrowing.py) names at most."""
        field, values = term
        by_value = self._by_value[field]
        if isinstance(values, str):
            values = self._starting_with(field, values)
        return sum(len(by_value.get(value, ())) for value in values) + len(self._unmapped[field])

    def union(self, terms: list[tuple[str, list[Any] | str]]) -> list[Any]:
        """Keys of the documents whose field may hold one of a term's values (or, for a prefix, a
        string starting with it), in insertion order."""
        keys: set[Any] = set()
        for field, values in terms:
            by_value = self._by_value[field]
            if isinstance(values, str):
                values = self._starting_with(field, values)
            for value in values:
                keys.update(by_value.get(value, ()))
                if isinstance(value, ObjectId):  # mongomock matches an ObjectId to its string in an array
                    keys.update(by_value.get(str(value), ()))
            keys.update(self._unmapped[field])
        return sorted(keys, key=self.position.__getitem__)

    def _starting_with(self, field: str, prefix: str) -> list[str]:
        strings = self._sorted_strings.get(field)
        if strings is None:
            strings = self._sorted_strings[field] = sorted(v for v in self._by_value[field] if type(v) is str)
        start = bisect.bisect_left(strings, prefix)
        end = start
        while end < len(strings) and strings[end].startswith(prefix):
            end += 1
        return strings[start:end]


def maps_for(store: Any) -> FieldMaps | None:
    maps: FieldMaps | None = store.__dict__.get(_ATTRIBUTE)
    if maps is not None and maps.agrees_with(store):
        return maps
    fields = indexed_fields(store.indexes)
    if not fields:
        store.__dict__.pop(_ATTRIBUTE, None)
        return None
    maps = FieldMaps(store, fields)
    store.__dict__[_ATTRIBUTE] = maps
    return maps


# Whatever else follows a store's documents (expiry.py) registers its attribute here.
WATCHER_ATTRIBUTES = [_ATTRIBUTE]


def _watchers(store: Any) -> list[Any]:
    found = store.__dict__
    return [found[name] for name in WATCHER_ATTRIBUTES if name in found]


def forget_maps(store: Any) -> None:
    for name in WATCHER_ATTRIBUTES:
        store.__dict__.pop(name, None)


def store_key(document_id: Any) -> Any:
    from mongomock import helpers

    return helpers.hashdict(document_id) if isinstance(document_id, dict) else document_id


def patch_store() -> None:
    """Keep every collection's maps in step: writes and deletes through the store, in-place
    updates (mongomock changes the stored document itself), and index or collection drops."""
    from mongomock.collection import Collection
    from mongomock.store import CollectionStore

    original_set: Callable[[Any, Any, Any], None] = CollectionStore.__setitem__
    original_delete: Callable[[Any, Any], None] = CollectionStore.__delitem__
    original_drop = CollectionStore.drop
    original_create_index = CollectionStore.create_index
    original_drop_index = CollectionStore.drop_index
    apply_update_document = Collection._apply_update_document

    def set_document(self: Any, key: Any, document: Any) -> None:
        watchers = _watchers(self)
        is_new = bool(watchers) and key not in self._documents
        original_set(self, key, document)
        for watcher in watchers:
            watcher.put(key, document, is_new=is_new)

    def delete_document(self: Any, key: Any) -> None:
        original_delete(self, key)
        for watcher in _watchers(self):
            watcher.discard(key)

    def invalidating(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            forget_maps(self)
            return original(self, *args, **kwargs)

        return wrapper

    def refreshing(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(self: Any, existing_document: Any, *args: Any, **kwargs: Any) -> Any:
            touched = None
            if original is apply_update_document and len(args) >= 2:
                touched = updates.touched_roots(args[1])  # (spec, document, was_insert)
            try:
                return original(self, existing_document, *args, **kwargs)
            finally:
                stored = _refresh(self._store, existing_document, touched)
                updates.note_update(self, existing_document, touched, stored)

        return wrapper

    replace(CollectionStore, "__setitem__", set_document)
    replace(CollectionStore, "__delitem__", delete_document)
    replace(CollectionStore, "drop", invalidating(original_drop))
    replace(CollectionStore, "create_index", invalidating(original_create_index))
    replace(CollectionStore, "drop_index", invalidating(original_drop_index))
    replace(Collection, "_apply_update_document", refreshing(apply_update_document))
    replace(Collection, "_apply_update_pipeline", refreshing(Collection._apply_update_pipeline))


def _refresh(store: Any, document: Any, touched: frozenset[str] | None) -> bool:
    """Re-map a document an update changed in place; whether it is the stored one."""
    watchers = _watchers(store)
    if not isinstance(document, dict):
        return False
    try:
        key = store_key(document.get("_id"))
        stored = store._documents.get(key)
    except TypeError:
        return False
    if stored is not document:  # an upsert's draft is not stored yet: the insert maps it
        return False
    for watcher in watchers:
        if isinstance(watcher, FieldMaps):
            watcher.put(key, document, is_new=False, touched=touched)
        else:
            watcher.put(key, document, is_new=False)
    return True
