"""What MongoDB holds after a write, computed here, so that a write need not read the case back.

A case written by ``insert_one``, or changed by ``update_one`` with ``$set`` and ``$push``/``$each``
on the version it was read at, is exactly the document as read with those operators applied; what
BSON changes on the way in (datetimes kept to the millisecond, in UTC; tuples become arrays) is
applied by encoding and decoding it as the driver does. A change this module cannot apply exactly
(an operator path it does not follow) returns ``None``, and the caller reads the result back.
"""

from __future__ import annotations

from typing import Any

import bson
from bson.codec_options import CodecOptions

Document = dict[str, Any]

# The codec of lotsen.mongo.connect's clients: pymongo's defaults, tz-aware.
_CODEC: CodecOptions[Document] = CodecOptions(tz_aware=True)


def as_stored(document: Document) -> Document:
    """``document`` as a read gives it back after it is written; a new copy, sharing nothing."""
    return bson.decode(bson.encode(document, codec_options=_CODEC), codec_options=_CODEC)


def updated(case: Document, sets: Document, pushes: dict[str, list[Any]]) -> Document | None:
    """``case`` after ``{"$set": sets, "$push": {field: {"$each": values}}}``, or ``None`` if a path
    is one this function does not follow exactly (then the server must say)."""
    result = dict(case)
    for path, value in sets.items():
        parent, last = _parent(result, path)
        if parent is None:
            return None
        if isinstance(parent, list):
            if not last.isdigit() or int(last) >= len(parent):
                return None  # MongoDB pads an array with nulls; no change here does that
            parent[int(last)] = value
        else:
            parent[last] = value
    for path, values in pushes.items():
        if not values:
            continue
        parent, last = _parent(result, path)
        if not isinstance(parent, dict):
            return None
        current = parent.get(last, [])
        if not isinstance(current, list):
            return None  # the server refuses a $push to a non-array; let it say so
        parent[last] = [*current, *values]
    return as_stored(result)


def _parent(root: Document, path: str) -> tuple[Document | list[Any] | None, str]:
    """The container holding the last part of ``path`` in ``root``, copied on the way down so that
    nothing the caller holds is changed; ``None`` when the path is not a plain one."""
    parts = path.split(".")
    if any(not part or part.startswith("$") for part in parts):
        return None, ""
    container: Document | list[Any] = root
    for part in parts[:-1]:
        if isinstance(container, dict):
            child = container.get(part)
            if child is None and part not in container:
                child = {}
        elif part.isdigit() and int(part) < len(container):
            child = container[int(part)]
        else:
            return None, ""
        if not isinstance(child, dict | list):
            return None, ""
        copy: Document | list[Any] = dict(child) if isinstance(child, dict) else list(child)
        if isinstance(container, dict):
            container[part] = copy
        else:
            container[int(part)] = copy
        container = copy
    return container, parts[-1]
