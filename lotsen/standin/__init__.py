"""Corrections to the in-memory MongoDB stand-in (``mongomock://``), applied once per process.

None changes what a query answers; they only make the stand-in behave more like the server it
stands in for (what it answers from an index, it answers without reading every document) and copy
and convert documents without mongomock's per-value overhead. ``patching.as_shipped`` undoes them
for a while, so tests compare every answer with mongomock's. With ``MONGODB_URL=mongodb://…`` none
of this is loaded.
"""

from __future__ import annotations

from typing import Any

from lotsen.standin import documents, expiry, field_maps, lookups, reads, updates

_applied = False


def prepare() -> None:
    global _applied
    if _applied:
        return
    _wrap_bulk_update_once()
    field_maps.patch_store()
    updates.patch_unique_checks()
    expiry.patch_expiry()
    lookups.patch_iter_documents()
    documents.patch_documents()
    reads.patch_reads()
    _applied = True


def _wrap_bulk_update_once() -> None:
    """pymongo-async-mock 0.1.3 wraps mongomock's bulk ``add_update`` again for every collection
    it opens (its guard compares a name that ``functools.wraps`` overwrote), so after some thousand
    collections in one process every bulk update overflows the stack. Wrap it once only."""
    from pymongo_async_mock import patches

    original = patches._patch_bulk_update_sort
    state = {"done": False}

    def once(collection: Any) -> Any:
        if state["done"]:
            return collection
        state["done"] = True
        return original(collection)

    patches._patch_bulk_update_sort = once
