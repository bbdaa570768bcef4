"""What an in-place update changed, so that the stand-in re-checks and re-maps only that.

mongomock applies an update to the stored document itself, then re-maps it (field_maps.py) and,
when it changed, runs every unique index's check on it (``Collection._ensure_uniques``), each a
query. An update document of operators (``$set``, ``$push``, ``$inc``…) changes only the paths it
names (and ``$rename`` the paths it names as targets), so a field whose first part none of them
starts with holds what it held: its map entries stay as they were, and a unique index none of whose
fields changed still holds exactly the keys it held when the document was last checked (every
insert, replacement and ``create_index`` checks them), so its check would find what it found then.
A replacement, an aggregation pipeline or an index with a ``partialFilterExpression`` (its check
depends on the document's other fields) are checked and re-mapped whole, as mongomock does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lotsen.standin.patching import replace

# The stored document whose last update changed no field of a unique index (set per collection).
_UNCHANGED_UNIQUES = "_lotsen_unique_fields_unchanged"


def touched_roots(update: Any) -> frozenset[str] | None:
    """The first part of every path an update document of operators changes; None when that is
    not known (a replacement, a pipeline, anything else)."""
    if type(update) is not dict or not update:
        return None
    roots: set[str] = set()
    for operator, fields in update.items():
        if type(operator) is not str or not operator.startswith("$") or type(fields) is not dict:
            return None
        for path, value in fields.items():
            if type(path) is not str:
                return None
            roots.add(path.split(".", 1)[0])
            if operator == "$rename":
                if type(value) is not str:
                    return None
                roots.add(value.split(".", 1)[0])
    return frozenset(roots)


def note_update(collection: Any, document: Any, touched: frozenset[str] | None, stored: bool) -> None:
    """After an in-place update of ``document``: whether its unique check may be left out."""
    if stored and touched is not None and not _unique_fields_touched(collection._store.indexes, touched):
        collection.__dict__[_UNCHANGED_UNIQUES] = document
    else:
        collection.__dict__.pop(_UNCHANGED_UNIQUES, None)


def _unique_fields_touched(indexes: dict[str, Any], touched: frozenset[str]) -> bool:
    for index in indexes.values():
        if not index.get("unique"):
            continue
        if index.get("partialFilterExpression") is not None:
            return True
        if any(name.split(".", 1)[0] in touched for name, _ in index.get("key", ())):
            return True
    return False


def patch_unique_checks() -> None:
    from mongomock.collection import Collection

    original: Callable[[Any, Any], None] = Collection._ensure_uniques

    def ensure_uniques(self: Any, new_data: Any) -> None:
        unchanged = self.__dict__.pop(_UNCHANGED_UNIQUES, None)
        if unchanged is not None and unchanged is new_data:
            return
        original(self, new_data)

    replace(Collection, "_ensure_uniques", ensure_uniques)
