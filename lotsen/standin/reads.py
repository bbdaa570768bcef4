"""Reads on the stand-in: one copy of each document answered, and aggregations that start with a
``$match`` read only that match's candidates.

mongomock answers a find with a copy of each matched document (``_copy_field``) and, with
``tz_aware=True`` as Lotsen connects, copies that copy again to give its dates the UTC zone. Here a
find of whole documents makes the one copy ``documents.aware_copy`` (the same answer), and so does a
projection that names top-level fields only (each kept field copied once, in mongomock's key
order); other projections and naive clients keep mongomock's two steps.

mongomock's ``aggregate`` reads the whole collection (``find()``) and lets a leading ``$match``
drop what it does not match. MongoDB answers that stage from an index. Here, when the field maps
narrow the ``$match`` (narrowing.py), only the documents they name for it are read, in the same
insertion order, and mongomock's own ``$match`` and the rest of the pipeline run on them. That
stage compares the documents as found (dates with their zone) after converting them back
(``patch_datetime_awareness_in_document``), which keeps every value but a date as it is: so only
values other than dates choose the candidates, and every document the stage could keep is among
them.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from lotsen.standin import documents, narrowing
from lotsen.standin.field_maps import MAPPED_TYPES
from lotsen.standin.ordered import first_matches, sorted_documents, sorts_by_operator
from lotsen.standin.patching import replace

# Values a $match compares unchanged after the round trip through the read copy and back.
_UNCHANGED_BY_THE_MATCH = MAPPED_TYPES - {datetime.datetime}
# Where a cursor with a limit keeps the copies it answered: (factory, skip, limit, copies).
_WINDOW = "_lotsen_window"


def plain_projection(fields: Any) -> bool:
    """Whether a projection includes or excludes fields by name only (no operator, no positional
    path): one whose copy of a document raises an error, if any, for every document alike."""
    if fields is None:
        return True
    if type(fields) is dict:
        names, flags = list(fields), list(fields.values())
    elif type(fields) in (list, tuple):
        names, flags = list(fields), []
    else:
        return False
    return all(type(name) is str and "$" not in name and "\0" not in name for name in names) and all(
        type(flag) in (int, bool) for flag in flags
    )


def top_level_projection(fields: Any) -> tuple[bool, frozenset[str], bool] | None:
    """``(include, names, keep_id)`` of a projection that only includes or only excludes top-level
    fields by name (``_id`` aside), as ``Collection._copy_only_fields`` reads it; None for any
    other projection (dotted paths, operators, mixed flags, nothing but ``_id``)."""
    if type(fields) is not dict or not fields:
        return None
    flags = {name: flag for name, flag in fields.items() if name != "_id"}
    if not flags or any(type(f) not in (int, bool) for f in fields.values()):
        return None
    if any(type(n) is not str or "." in n or "$" in n or "\0" in n for n in flags):
        return None
    if len(set(flags.values())) > 1:
        return None  # mongomock refuses to mix them: let it say so
    return bool(next(iter(flags.values()))), frozenset(flags), fields.get("_id", 1) != 0


def aware_projection(include: bool, names: frozenset[str], keep_id: bool) -> Callable[[Any], Any]:
    """``make_datetime_timezone_aware_in_document(_copy_only_fields(document, …))`` in one walk for a
    :func:`top_level_projection`: the kept fields in the document's order, ``_id`` last when only
    included fields were named."""

    def project(document: Any) -> Any:
        aware_copy = documents.aware_copy
        if include:
            copied = {key: aware_copy(value) for key, value in document.items() if key in names}
            if keep_id and "_id" in document:
                copied["_id"] = aware_copy(document["_id"])
            return copied
        copied = {key: aware_copy(value) for key, value in document.items() if key not in names}
        if not keep_id:
            copied.pop("_id", None)
        return copied

    return project


_MONGOMOCK_GET_DATASET: list[Callable[..., Iterator[Any]]] = []  # mongomock's own, once patched


def stored_documents(collection: Any, spec: Any, sort: Any) -> Iterator[Any]:
    """The stored documents a find answers, in its order: ``Collection._get_dataset`` but the copy.
    A sort by an operator is handed to mongomock's own read, which answers it (copies) or refuses it."""
    if sorts_by_operator(sort):
        return _MONGOMOCK_GET_DATASET[0](collection, spec, sort, None, dict)
    return sorted_documents(collection._iter_documents(spec), sort)


def patch_reads() -> None:
    import mongomock.aggregate
    import mongomock.collection
    import mongomock.helpers
    from mongomock.collection import Collection, Cursor
    from packaging import version
    from pymongo import ReturnDocument

    aggregate: Any = mongomock.aggregate
    collection: Any = mongomock.collection
    helpers: Any = mongomock.helpers

    whole_documents_when_empty = helpers.PYMONGO_VERSION >= version.parse("4.0")
    original_aggregate: Callable[..., Any] = Collection.aggregate
    if not _MONGOMOCK_GET_DATASET:
        _MONGOMOCK_GET_DATASET.append(Collection._get_dataset)
    original_find_and_modify: Callable[..., Any] = Collection._find_and_modify

    def read_copy(target: Any, value: Any) -> Any:
        """What a find answers for a stored value: a copy, with zoned dates on a tz-aware client."""
        if target.codec_options.tz_aware:
            return documents.aware_copy(value)
        return collection._copy_field(value, dict)

    def answers_whole_documents(fields: Any) -> bool:
        # Collection._copy_only_fields copies the whole document exactly when this holds.
        return fields is None or (not fields and whole_documents_when_empty)

    def get_dataset(self: Any, spec: Any, sort: Any, fields: Any, as_class: Any) -> Iterator[Any]:
        for document in stored_documents(self, spec, sort):
            yield self._copy_only_fields(document, fields, as_class)

    def cursor_reading(cursor: Any) -> tuple[Any, Any, Callable[[Any], Any], bool] | None:
        """The filter and sort of a cursor, how it copies each stored document it answers, and
        whether that copy depends on nothing but its document (so copying only some gives the
        same answer); None for a cursor that does not read through ``_get_dataset``."""
        factory = cursor._factory
        if type(factory) is not functools.partial or factory.keywords or len(factory.args) != 4:
            return None
        spec, sort, fields, container = factory.args
        target = cursor.collection
        if factory.func != target._get_dataset:
            return None
        tz_aware = target.codec_options.tz_aware
        copy: Callable[[Any], Any]
        if tz_aware and container is dict and answers_whole_documents(fields):
            copy = documents.aware_copy
        elif tz_aware and container is dict and (projection := top_level_projection(fields)):
            copy = aware_projection(*projection)
        elif tz_aware:

            def copy(document: Any) -> Any:
                projected = target._copy_only_fields(document, fields, container)
                return helpers.make_datetime_timezone_aware_in_document(projected)

        else:

            def copy(document: Any) -> Any:
                return target._copy_only_fields(document, fields, container)

        return spec, sort, copy, plain_projection(fields)

    def answered_window(cursor: Any, spec: Any, sort: Any) -> list[Any] | None:
        """The stored documents a cursor with a limit answers, or None when it answers none but
        matches some (mongomock still copies those, and raises what copying them raises)."""
        skip, limit = cursor._skip, abs(cursor._limit)
        found = first_matches(cursor.collection, spec, sort, skip + limit)
        if found is None:
            found = list(stored_documents(cursor.collection, spec, sort))
        answered = found[skip:][:limit]
        return answered if answered or not found else None

    def compute_results(self: Any, with_limit_and_skip: bool = False) -> list[Any]:
        # Cursor._compute_results, but whole documents are copied once, not twice, and a cursor
        # with a limit copies only the documents it answers (ordered.py finds them).
        if not self._results or self._factory_last_generated_results != self._factory:
            window = self.__dict__.get(_WINDOW)
            if with_limit_and_skip and window and window[:3] == (self._factory, self._skip, self._limit):
                return window[3]  # type: ignore[no-any-return]
            reading = cursor_reading(self)
            if reading is None:
                if self.collection.codec_options.tz_aware:
                    results = [helpers.make_datetime_timezone_aware_in_document(x) for x in self._factory()]
                else:
                    results = list(self._factory())
            else:
                spec, sort, copy, plain = reading
                if with_limit_and_skip and self._limit and plain:
                    answered = answered_window(self, spec, sort)
                    if answered is not None:
                        copies = [copy(document) for document in answered]
                        self.__dict__[_WINDOW] = (self._factory, self._skip, self._limit, copies)
                        return copies
                results = [copy(document) for document in stored_documents(self.collection, spec, sort)]
            self._factory_last_generated_results = self._factory
            self._results = results
        if with_limit_and_skip:
            results = self._results[self._skip :]
            if self._limit:
                results = results[: abs(self._limit)]
        else:
            results = self._results
        return results  # type: ignore[no-any-return]

    def aggregate_from_candidates(self: Any, pipeline: Any, session: Any = None, **unused_kwargs: Any) -> Any:
        first: Any = pipeline[0] if isinstance(pipeline, list | tuple) and pipeline else None
        leading_match = type(first) is dict and list(first) == ["$match"] and type(first["$match"]) is dict
        if leading_match and not session:
            candidates = narrowing.narrowed_candidates(self._store, first["$match"], _UNCHANGED_BY_THE_MATCH)
            if candidates is not None:
                found = [read_copy(self, document) for document in candidates]
                match = aggregate._PIPELINE_HANDLERS["$match"]
                matched = match(found, self.database, first["$match"])
                return aggregate.process_pipeline(matched, self.database, pipeline[1:], session)
        return original_aggregate(self, pipeline, session, **unused_kwargs)

    def find_and_modify(
        self: Any,
        query: Any,
        projection: Any = None,
        update: Any = None,
        upsert: bool = False,
        sort: Any = None,
        return_document: Any = ReturnDocument.BEFORE,
        session: Any = None,
        **kwargs: Any,
    ) -> Any:
        # Collection._find_and_modify reads the document before the update as a find_one, a whole
        # copy, even when it answers the document after it and needs only the first's _id.
        answers_after = return_document is ReturnDocument.AFTER or kwargs.get("new")
        if not answers_after or projection is not None or session or kwargs.get("remove") or not update:
            return original_find_and_modify(
                self, query, projection, update, upsert, sort, return_document, session, **kwargs
            )
        spec = {} if query is None else query if isinstance(query, Mapping) else {"_id": query}
        cursor = self.find(spec, sort=sort)  # validates, and converts dates, as find_one does
        found = list(stored_documents(self, cursor._spec, cursor._sort))
        if not found and not upsert:
            return None
        if found and "_id" in found[0]:
            query = {"_id": read_copy(self, found[0]["_id"])}  # the _id of find_one's copy
        updated = self._update(query, update, upsert)
        if updated["upserted"]:
            query = {"_id": updated["upserted"]}
        return self.find_one(query, None)

    replace(Collection, "_get_dataset", get_dataset)
    replace(Cursor, "_compute_results", compute_results)
    replace(Collection, "aggregate", aggregate_from_candidates)
    replace(Collection, "_find_and_modify", find_and_modify)
