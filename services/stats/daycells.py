"""The cells of the days an aggregator has re-derived, kept with what each entity put into them.

A day's cells are the sum of one *contribution* per call, case or message of that day (its cell key
and :class:`~services.stats.tally.Tally`, a pure function of its state). Holding on to each entity's
contribution, the aggregator brings a day up to date by re-reading only the entities that changed:
each one's old contribution is taken out and the one of its state as read now is put in, so the
cells are what re-deriving the whole day from the same states would give, at the cost of the
changes rather than of the day. Which entities changed comes from the change log the handler writes
with every dirty mark (:meth:`services.stats.repository.StatsRepository.mark_dirty`); a day not
held here, or one whose log has a gap, is re-derived whole.

Many entities contribute the same tally (a new web form in the same cell), so equal tallies are
shared within a day: a busy day holds a key and a reference per entity, not a tally each.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Generic, TypeVar

from services.stats.tally import Tally

CellKey = tuple[Any, ...]
T = TypeVar("T")


class DayCells:
    """One day's cells as of dirty-mark generation ``gen``, and each entity's part in them."""

    def __init__(self, gen: int) -> None:
        self.gen = gen
        self.cells: dict[CellKey, Tally] = {}
        self._members: dict[CellKey, int] = {}
        self._counted: dict[str, tuple[CellKey, Tally]] = {}
        self._shared: dict[Any, Tally] = {}

    def __len__(self) -> int:
        return len(self._counted)

    def count(self, entity: str, key: CellKey | None, tally: Tally | None) -> None:
        """``entity`` now contributes ``tally`` to cell ``key`` (None: nothing to this day).
        ``tally`` is held, not copied: the caller leaves it as it is."""
        if tally is not None:
            tally = self._share(tally)
        old = self._counted.get(entity)
        if old is not None:
            if old[1] is tally and old[0] == key:
                return
            self._take_out(*old)
            del self._counted[entity]
        if key is None or tally is None:
            return
        self._counted[entity] = (key, tally)
        self._members[key] = self._members.get(key, 0) + 1
        cell = self.cells.get(key)
        if cell is None:
            cell = self.cells[key] = Tally()
        cell.add(tally)

    def _take_out(self, key: CellKey, tally: Tally) -> None:
        left = self._members[key] - 1
        if left:
            self._members[key] = left
            self.cells[key].subtract(tally)
        else:  # the cell's last entity: a day re-derived whole would have no such cell
            del self._members[key]
            del self.cells[key]

    def _share(self, tally: Tally) -> Tally:
        signature = (
            tuple(tally.counts.items()),
            tuple((name, tuple(hist.items())) for name, hist in tally.hists.items()),
            tuple((name, tuple(marks.items())) for name, marks in tally.marks.items()),
            tuple((name, tuple(refs)) for name, refs in tally.refs.items()),
        )
        return self._shared.setdefault(signature, tally)


class Recent(Generic[T]):
    """The most recently aggregated days of this process, by dirty-mark id; the oldest are let go."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._held: OrderedDict[str, T] = OrderedDict()

    def get(self, mark_id: str) -> T | None:
        held = self._held.get(mark_id)
        if held is not None:
            self._held.move_to_end(mark_id)
        return held

    def put(self, mark_id: str, held: T) -> None:
        self._held[mark_id] = held
        self._held.move_to_end(mark_id)
        while len(self._held) > self._size:
            self._held.popitem(last=False)
