"""Every replacement the stand-in makes in mongomock and pymongo-async-mock, so that tests can run
them as they ship (``as_shipped``) and compare each answer with the stand-in's."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

_replaced: list[tuple[Any, str, Any, Any]] = []


def replace(owner: Any, name: str, replacement: Any) -> Any:
    """Set ``owner.name`` to ``replacement``; returns what it was."""
    original = getattr(owner, name)
    _replaced.append((owner, name, original, replacement))
    setattr(owner, name, replacement)
    return original


@contextlib.contextmanager
def as_shipped() -> Iterator[None]:
    """mongomock and pymongo-async-mock without the stand-in's replacements, for a while."""
    for owner, name, original, _ in reversed(_replaced):
        setattr(owner, name, original)
    try:
        yield
    finally:
        for owner, name, _, replacement in _replaced:
            setattr(owner, name, replacement)
