"""A service on the stand-in: what survived a full collection is not walked by the next one."""

from __future__ import annotations

import gc

from lotsen.standin import collector


def test_objects_that_survive_a_full_collection_are_frozen_and_garbage_still_goes() -> None:
    collector.freeze_survivors_of_full_collections()
    collector.freeze_survivors_of_full_collections()  # once only
    try:
        assert gc.callbacks.count(collector._freeze_after_full_collection) == 1
        before = gc.get_freeze_count()
        kept = [{"case": n, "timeline": [n]} for n in range(1_000)]
        gc.collect()
        assert gc.get_freeze_count() >= before + len(kept)

        class Cycle:
            pass

        garbage = Cycle()
        garbage.me = garbage  # type: ignore[attr-defined]
        del garbage
        assert gc.collect() >= 1  # made after the freeze: collected as ever
    finally:
        gc.callbacks.remove(collector._freeze_after_full_collection)
        gc.unfreeze()
