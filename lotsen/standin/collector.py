"""The collector and the stand-in's store: what survived a full collection is not walked again.

The stand-in keeps every document of every collection in the service's own heap, as dicts and lists
the cyclic garbage collector tracks. A full collection walks all of them, so its pause grows with
the store: about 30 ms at 5,000 cases and 190 ms at 20,000 on this project's machines, in the middle
of whatever request or record the process was handling. A MongoDB server keeps its documents in its
own process and charges nothing of the kind. So, in a service process on the stand-in (``serve``;
not in a test run, which makes many short-lived cycles), whatever survived a full collection is
moved to the permanent generation (``gc.freeze``): the next full collection walks only what was
made since.

The price: a reference cycle that was alive at a full collection and dies later is not collected
(documents themselves are trees and are freed by reference counting when replaced or deleted). For
a trial store that lives in memory anyway, that is the right trade; with ``MONGODB_URL=mongodb://…``
none of this is loaded.
"""

from __future__ import annotations

import gc
from typing import Any


def _freeze_after_full_collection(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info.get("generation") == 2:
        gc.freeze()


def freeze_survivors_of_full_collections() -> None:
    if _freeze_after_full_collection not in gc.callbacks:
        gc.callbacks.append(_freeze_after_full_collection)
