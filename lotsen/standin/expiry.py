"""TTL expiry on the stand-in without reading every document on every operation.

mongomock checks its TTL indexes before each read or write of a collection by computing every
document's age, so a consumer's ``processed_events.<group>`` collection (one document per handled
event, with a TTL index) made each event cost time in proportion to the events handled before. Here
each TTL index keeps a heap of its documents' expiry dates, kept in step with the store by the same
hooks as the field maps, and only the documents at its top are looked at: the same documents expire,
by mongomock's own rule (``_get_min_datetime_from_value``, ``mongomock.utcnow``). A store holding a
value whose age that rule cannot order (anything but a timezone-naive ``datetime``, a timezone-aware
one or an empty value, which never expire) keeps mongomock's scan.
"""

from __future__ import annotations

import datetime
import heapq
import itertools
from collections.abc import Callable
from typing import Any

from lotsen.standin import field_maps
from lotsen.standin.patching import replace

_ATTRIBUTE = "_lotsen_expiry"
_NEVER = object()


class _Unordered(Exception):
    """A value whose age mongomock's rule cannot order."""


class ExpiryHeaps:
    def __init__(self, store: Any) -> None:
        from mongomock.store import _get_min_datetime_from_value

        self._earliest: Callable[[Any], Any] = _get_min_datetime_from_value
        self.documents = store._documents
        self.ttl_indexes = store._ttl_indexes
        self.index_count = len(store._ttl_indexes)
        self.count = 0
        self.unordered = False
        self._counter = itertools.count()
        self._rules: list[tuple[str, int]] = []
        for index in store._ttl_indexes.values():
            try:
                seconds = int(index["expireAfterSeconds"])
            except ValueError:
                continue
            if len(index["key"]) == 1:  # mongomock ignores compound TTL indexes
                self._rules.append((next(iter(index["key"]))[0], seconds))
        self._heaps: list[list[tuple[datetime.datetime, int, Any]]] = [[] for _ in self._rules]
        self._current: list[dict[Any, int]] = [{} for _ in self._rules]
        for key, document in store._documents.items():
            self.put(key, document, is_new=True)

    def agrees_with(self, store: Any) -> bool:
        return (
            not self.unordered
            and self.documents is store._documents
            and self.ttl_indexes is store._ttl_indexes
            and self.index_count == len(store._ttl_indexes)
            and self.count == len(store._documents)
        )

    def put(self, key: Any, document: Any, *, is_new: bool) -> None:
        if is_new:
            self.count += 1
        for (name, _), heap, current in zip(self._rules, self._heaps, self._current, strict=True):
            try:
                expires = self._expiry_date(document.get(name))
            except _Unordered:
                self.unordered = True  # the next check rebuilds, and falls back to the scan
                return
            if expires is _NEVER:
                current.pop(key, None)
                continue
            entry = next(self._counter)
            current[key] = entry
            heapq.heappush(heap, (expires, entry, key))

    def discard(self, key: Any) -> None:
        self.count -= 1
        for current in self._current:
            current.pop(key, None)

    def _expiry_date(self, value: Any) -> Any:
        earliest = self._earliest(value)
        if type(earliest) is not datetime.datetime:
            raise _Unordered
        if earliest.tzinfo is not None or earliest == datetime.datetime.max:
            return _NEVER  # mongomock compares it with a naive "now": a TypeError, never expired
        return earliest

    def expired(self, now: datetime.datetime) -> list[Any]:
        keys: list[Any] = []
        for (_, seconds), heap, current in zip(self._rules, self._heaps, self._current, strict=True):
            index_keys = []
            while heap and (now - heap[0][0]).total_seconds() >= seconds:
                _, entry, key = heapq.heappop(heap)
                if current.get(key) == entry:
                    index_keys.append(key)
            keys.extend(index_keys)
        return keys


def patch_expiry() -> None:
    import mongomock
    from mongomock.store import CollectionStore

    scan: Callable[[Any], None] = CollectionStore._remove_expired_documents
    field_maps.WATCHER_ATTRIBUTES.append(_ATTRIBUTE)

    def remove_expired_documents(self: Any) -> None:
        if not self._ttl_indexes:
            return
        heaps = self.__dict__.get(_ATTRIBUTE)
        if heaps is None or not heaps.agrees_with(self):
            heaps = ExpiryHeaps(self)
            if heaps.unordered:
                self.__dict__.pop(_ATTRIBUTE, None)
                scan(self)
                return
            self.__dict__[_ATTRIBUTE] = heaps
        expired = heaps.expired(mongomock.utcnow())  # type: ignore[attr-defined]
        for key in dict.fromkeys(expired):
            if key in self._documents:
                del self[key]

    replace(CollectionStore, "_remove_expired_documents", remove_expired_documents)
