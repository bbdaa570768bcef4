"""Synpunkter (feedback): counted under the department each concerns, by kind (docs/figures.md).

A synpunkt is credited to the department it **concerns** — the one the agent set
(``case.feedback_classified``) or the contact named, else the case's own department (that of routing,
the latest handoff or the latest correction) — whoever handled it. :func:`synpunkt_department` is that
one rule; whatever credits or charges a department for its synpunkter asks it. Its **kind** is
praise, complaint, suggestion or question (beröm, klagomål, förslag, fråga), ``unclassified`` while
nobody has said.

The concerned department is not a dimension of the cells (a cell's department is the case's, for every
other figure): each case's tally carries its synpunkt under names that say the department and kind,
``synpunkter@<department>`` and ``synpunkter@<department>|<kind>`` (``<department>`` empty for none),
with its reference under ``synpunkter@<department>``. A figure per concerned department reads those
names from the cells it adds up, so a reader sees the synpunkter *concerning* their departments,
whichever cell holds the case.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, get_args

from lotsen.contracts.cases import FeedbackKind
from services.stats.facts import CaseFacts
from services.stats.tally import Tally

SYNPUNKT = "synpunkter"  # the total count, as before the concerned department was kept
PREFIX = "synpunkter@"
UNCLASSIFIED = "unclassified"
KINDS: tuple[str, ...] = (*get_args(FeedbackKind), UNCLASSIFIED)


def synpunkt_department(case: CaseFacts) -> str | None:
    """The department a synpunkt is credited to: the one it concerns, else the case's own."""
    return case.feedback_department or case.department


def synpunkt_tally(case: CaseFacts, tally: Tally) -> None:
    if not case.synpunkt:
        return
    name = PREFIX + (synpunkt_department(case) or "")
    tally.count(SYNPUNKT)
    tally.count(name)
    tally.count(f"{name}|{case.feedback_kind or UNCLASSIFIED}")
    tally.ref(name, case.ref)


class Concerned:
    """The synpunkter in a tally per concerned department: count, kinds and references."""

    def __init__(self, tally: Tally, departments: tuple[str, ...] | None = None) -> None:
        self.counts: dict[str | None, int] = {}
        self.kinds: dict[str | None, Counter[str]] = {}
        self.refs: dict[str | None, list[str]] = {}
        for name, n in tally.counts.items():
            if not name.startswith(PREFIX) or not n:
                continue
            department, _, kind = name[len(PREFIX) :].partition("|")
            key = department or None
            if departments is not None and key not in departments:
                continue
            if kind:
                self.kinds.setdefault(key, Counter())[kind] += n
            else:
                self.counts[key] = n
        for name, refs in tally.refs.items():
            if name.startswith(PREFIX) and (name[len(PREFIX) :] or None) in self.counts:
                self.refs[name[len(PREFIX) :] or None] = refs

    @property
    def departments(self) -> list[str | None]:
        return sorted(self.counts, key=lambda d: (d is None, str(d)))

    def of(self, department: str | None) -> dict[str, Any]:
        return figure(
            self.counts.get(department, 0),
            self.kinds.get(department, Counter()),
            self.refs.get(department, []),
        )

    def total(self) -> dict[str, Any]:
        kinds: Counter[str] = Counter()
        for counter in self.kinds.values():
            kinds.update(counter)
        return figure(sum(self.counts.values()), kinds, [r for refs in self.refs.values() for r in refs])


def figure(count: int, kinds: Counter[str], refs: list[str]) -> dict[str, Any]:
    return {"count": count, "by_kind": {kind: kinds[kind] for kind in KINDS}, "refs": sorted(refs)}
