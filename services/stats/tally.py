"""A tally: the additive summary of some calls or cases that every figure is computed from.

A tally holds counts (``cases``, ``answered`` …), histograms of exact values (wait seconds, so any
short-abandon or service-level threshold and exact percentiles can be asked for later), marks
(counted strings for what depends on *now*: an unanswered e-mail's deadlines, an open case's day
and status, a handed-off case's due time) and case references (synpunkter). Tallies add up, so a
day, a month, a department or a whole tertial is the sum of the tallies of its cells.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Document = dict[str, Any]


@dataclass(eq=False)
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    marks: dict[str, Counter[str]] = field(default_factory=dict)
    refs: dict[str, list[str]] = field(default_factory=dict)
    # Histograms read back from stored cells stay as their stored ``[value, n]`` pairs until a figure
    # asks for them: adding thousands of cells then only joins lists, and a figure that reads no
    # histogram (most read one or two of the many a cell holds) never decodes the others.
    _hists: dict[str, Counter[float]] = field(default_factory=dict, repr=False)
    _pending: dict[str, list[Any]] = field(default_factory=dict, repr=False)  # [value, n] pairs

    @property
    def hists(self) -> dict[str, Counter[float]]:
        """Every histogram, decoded."""
        for name in list(self._pending):
            self.hist(name)
        return self._hists

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tally):
            return NotImplemented
        mine = {name: hist for name, hist in self.hists.items() if hist}
        theirs = {name: hist for name, hist in other.hists.items() if hist}
        return (self.counts, self.marks, self.refs, mine) == (other.counts, other.marks, other.refs, theirs)

    def count(self, name: str, by: int = 1) -> None:
        self.counts[name] += by

    def observe(self, name: str, value: float) -> None:
        self.hists.setdefault(name, Counter())[value] += 1

    def mark(self, name: str, value: str) -> None:
        self.marks.setdefault(name, Counter())[value] += 1

    def ref(self, name: str, value: str) -> None:
        self.refs.setdefault(name, []).append(value)

    def add(self, other: Tally) -> None:
        _merge(self.counts, other.counts)
        for name, hist in other._hists.items():
            _merge(_slot(self._hists, name), hist)
        for name, pairs in other._pending.items():
            mine = self._pending.get(name)
            if mine is None:
                self._pending[name] = list(pairs)  # its own list: extending it never touches ``other``
            else:
                mine.extend(pairs)
        for name, marks in other.marks.items():
            _merge(_slot(self.marks, name), marks)
        for name, refs in other.refs.items():
            self.refs.setdefault(name, []).extend(refs)

    def subtract(self, other: Tally) -> None:
        """Take back what ``add(other)`` added: what drops to nothing goes, so the result equals a
        tally summed without ``other``."""
        _unmerge(self.counts, other.counts)
        for name, hist in other.hists.items():
            _unmerge_named(self.hists, name, hist)
        for name, marks in other.marks.items():
            _unmerge_named(self.marks, name, marks)
        for name, refs in other.refs.items():
            mine = self.refs[name]
            for ref in refs:
                mine.remove(ref)
            if not mine:
                del self.refs[name]

    def hist(self, name: str) -> Counter[float]:
        pairs = self._pending.pop(name, None)
        if pairs is not None:
            hist = _slot(self._hists, name)
            get = hist.get
            for value, n in pairs:  # stored as numbers: 120 and 120.0 are one key
                hist[value] = get(value, 0) + n
        return self._hists.get(name, Counter())

    def hists_as_sum_of(self, parts: Iterable[Tally]) -> None:
        """Decode this tally's histograms as the sum of ``parts``' — this tally being exactly their
        sum, as a total is of its groups — so each stored value is decoded once, in its part, and the
        total merges the parts' few distinct values instead of decoding every value again."""
        parts = list(parts)
        for name in list(self._pending):
            del self._pending[name]
            total: Counter[float] = Counter()
            for part in parts:
                _merge(total, part.hist(name))
            self._hists[name] = total

    def marked(self, name: str) -> Counter[str]:
        return self.marks.get(name, Counter())

    def to_doc(self) -> Document:
        doc: Document = {"c": {k: v for k, v in self.counts.items() if v}}
        if self.hists:
            doc["h"] = {
                name: sorted([v, n] for v, n in hist.items() if n) for name, hist in self.hists.items()
            }
        if self.marks:  # string keys: an object per name (the cells are stored as JSON, not as fields)
            doc["m"] = {
                name: {v: n for v, n in sorted(marks.items()) if n} for name, marks in self.marks.items()
            }
        if self.refs:
            doc["r"] = {name: sorted(refs) for name, refs in self.refs.items()}
        return doc

    @classmethod
    def from_doc(cls, doc: Document) -> Tally:
        marks = {name: _counter(values) for name, values in doc.get("m", {}).items()}
        refs = {name: list(values) for name, values in doc.get("r", {}).items()}  # copied: ``add`` extends
        pending = {name: list(pairs) for name, pairs in doc.get("h", {}).items()}  # copied: ``add`` extends
        return cls(counts=_counter(doc.get("c", {})), marks=marks, refs=refs, _pending=pending)


def _slot(counters: dict[str, Counter[Any]], name: str) -> Counter[Any]:
    counter = counters.get(name)
    if counter is None:
        counter = counters[name] = Counter()
    return counter


def _counter(values: dict[Any, int]) -> Counter[Any]:
    """A Counter of ``values`` without Counter's per-call checks (thousands per report)."""
    counter: Counter[Any] = Counter()
    dict.update(counter, values)
    return counter


def _merge(into: dict[Any, int], other: dict[Any, int]) -> None:
    """``Counter.update`` without its per-call ``Mapping`` check: this runs for every cell of a report."""
    if not into:
        into.update(other)
        return
    get = into.get
    for key, n in other.items():
        into[key] = get(key, 0) + n


def _unmerge(into: dict[Any, int], other: dict[Any, int]) -> None:
    for key, n in other.items():
        left = into[key] - n
        if left:
            into[key] = left
        else:
            del into[key]


def _unmerge_named(counters: dict[str, Counter[Any]], name: str, other: dict[Any, int]) -> None:
    counter = counters[name]
    _unmerge(counter, other)
    if not counter:
        del counters[name]


def nearest_rank(hist: Counter[float], q: float) -> float | None:
    """The nearest-rank percentile (q in 0..100): the smallest value with at least q % at or below it."""
    total = sum(hist.values())
    if total == 0:
        return None
    rank = max(1, -(-total * q // 100))  # ceil(total * q / 100), at least 1
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= rank:
            return value
    return None  # pragma: no cover - unreachable: seen reaches total
