"""Debitering: the invoice basis — what each department is charged for, per month and unit.

Five units are counted per department (docs/figures.md, *Debitering per förvaltning*), all in the
month the call or case belongs to (the day of ``call.offered``, the day of ``received_at``):

- ``first_line`` — cases of the department resolved at first line (:mod:`services.stats.resolution`);
- ``handed_off`` — cases that went to the department: handed off (it is the department of the latest
  handoff or correction), routed straight to it, or resolved by someone not of first line — the
  *handed off* of the resolution rate;
- ``calls_answered`` — calls answered in the department's answer group. An answer group serves the
  departments it lists and those that name it as theirs (the directory); a group serving one
  department counts for it, a group serving several gets a line of its own naming the group and its
  departments (nobody splits its calls by guesswork), a group serving none counts for no department;
- ``calls_transferred`` — calls the switchboard put through to the department's staff
  (``call.transferred``, where it went last); put through to a number with no department, no one;
- ``synpunkter`` — feedback concerning the department (:func:`synpunkt_credits`, the one place
  that says which department a synpunkt is credited to).

*Pending* is the cases received and neither resolved nor handed off yet: their count can still move.
A line without a department (cases with none, calls of a group serving none or of no group, calls
put through to a number) is shown but charged to no one. Merged duplicates are neither first-line
nor handed-off work (the errand is counted once, on the case it was merged into).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lotsen.directory import Organization
from services.stats.aggregates import CASE_DIMENSIONS
from services.stats.calls import UNKNOWN_DEPARTMENT
from services.stats.feedback import Concerned
from services.stats.prices import UNITS, Schedule, sek
from services.stats.query import Slice
from services.stats.tally import Tally

LineKey = tuple[str, str | None]  # ("department", id) | ("answer_group", id) | ("none", None)
NO_DEPARTMENT: LineKey = ("none", None)
ORDER = {"department": 0, "answer_group": 1, "none": 2}


def synpunkt_credits(tally: Tally) -> Iterator[tuple[str | None, int]]:
    """The synpunkter of a cell per department credited: the one each concerns
    (:func:`services.stats.feedback.synpunkt_department`), whichever department holds the case."""
    concerned = Concerned(tally)
    for credited in concerned.departments:
        yield credited, concerned.counts[credited]


def months_of(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def group_departments(organization: Organization | None) -> dict[str, list[str]]:
    """Answer group → the departments it serves: those it lists and those naming it as theirs."""
    if organization is None:
        return {}
    served: dict[str, set[str]] = {g.id: set(g.departments) for g in organization.answer_groups}
    for department in organization.departments:
        if department.answer_group:
            served.setdefault(department.answer_group, set()).add(department.id)
    return {group: sorted(departments) for group, departments in served.items()}


@dataclass
class Counts:
    """unit → month → count, and month → pending, per line."""

    units: dict[LineKey, dict[str, Counter[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Counter))
    )
    pending: dict[LineKey, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, line: LineKey, unit: str, month: str, n: int) -> None:
        if n:
            self.units[line][unit][month] += n


def department_line(department: str | None) -> LineKey:
    return ("department", department) if department else NO_DEPARTMENT


def count_cases(counts: Counts, slices: Iterable[Slice]) -> None:
    at = CASE_DIMENSIONS.index("department")
    for piece in slices:
        for key, tally in piece.cells.items():
            line = department_line(key[at])
            counts.add(line, "first_line", piece.month, tally.counts["resolved_first_line"])
            counts.add(line, "handed_off", piece.month, tally.counts["handed_off"])
            if tally.counts["resolution_pending"]:
                counts.pending[line][piece.month] += tally.counts["resolution_pending"]
            for credited, n in synpunkt_credits(tally):
                counts.add(department_line(credited), "synpunkter", piece.month, n)


def count_calls(counts: Counts, slices: Iterable[Slice], served: dict[str, list[str]]) -> None:
    for piece in slices:
        for (group,), tally in piece.cells.items():
            departments = served.get(group, []) if group else []
            if len(departments) == 1:
                line = department_line(departments[0])
            elif departments:
                line = ("answer_group", group)
            else:
                line = NO_DEPARTMENT
            counts.add(line, "calls_answered", piece.month, tally.counts["answered"])
            for department, n in tally.marked("transferred_to").items():
                where = None if department == UNKNOWN_DEPARTMENT else department
                counts.add(department_line(where), "calls_transferred", piece.month, n)


def unit_entry(
    unit: str, by_month: Counter[str], months: list[str], schedule: Schedule | None
) -> tuple[dict[str, Any], int]:
    """One unit of a line — its count, its price (when one price held all period), its amount, per
    month — and its amount in öre (0 without a price)."""
    prices = {m: schedule.price(unit, m) if schedule else None for m in months}
    parts = []
    amount, priced, unpriced = 0, False, 0
    for month in months:
        n, price = by_month.get(month, 0), prices[month]
        if price is not None:
            priced = True
            amount += n * price
        elif n:
            unpriced += n
        if n:
            part_amount = sek(n * price) if price is not None else None
            parts.append({"month": month, "count": n, "price": sek(price), "amount": part_amount})
    single = set(prices.values())
    entry = {
        "unit": unit,
        "count": sum(by_month.get(m, 0) for m in months),
        "price": sek(single.pop()) if len(single) == 1 else None,
        "amount": sek(amount) if priced else None,
        "unpriced": unpriced,
        "months": parts,
    }
    return entry, amount


def invoice_lines(
    organization: str,
    directory: Organization | None,
    cases: list[Slice],
    calls: list[Slice],
    months: list[str],
    schedule: Schedule,
    departments: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """The invoice basis of one organisation over ``months``; with ``departments``, only their lines."""
    counts = Counts()
    count_cases(counts, cases)
    served = group_departments(directory)
    count_calls(counts, calls, served)
    names = {d.id: d.name for d in directory.departments} if directory else {}
    groups = {g.id: g.name for g in directory.answer_groups} if directory else {}
    lines = []
    total, unpriced = 0, 0
    for line in sorted(set(counts.units) | set(counts.pending), key=lambda k: (ORDER[k[0]], k[1] or "")):
        kind, ident = line
        covers: list[str] = {"department": [ident or ""], "answer_group": served.get(ident or "", [])}.get(
            kind, []
        )
        if departments is not None and not set(covers) & set(departments):
            continue
        charged = kind != "none"
        priced = [
            unit_entry(unit, counts.units[line].get(unit, Counter()), months, schedule if charged else None)
            for unit in UNITS
        ]
        units = [entry for entry, _ in priced]
        amount = sum(ore for _, ore in priced)
        if charged:
            total += amount
            unpriced += sum(u["unpriced"] for u in units)
        lines.append(
            {
                "department": ident if kind == "department" else None,
                "answer_group": ident if kind == "answer_group" else None,
                "departments": covers,
                "name": (names.get(ident or "") if kind == "department" else groups.get(ident or "")),
                "in_directory": kind == "none" or ident in (names if kind == "department" else groups),
                "charged": charged,
                "units": units,
                "amount": sek(amount) if charged else None,
                "pending": sum(counts.pending[line].values()),
            }
        )
    return {
        "organization": organization,
        "lines": lines,
        "amount": sek(total),
        "unpriced": unpriced,
        "pending": sum(line["pending"] for line in lines),
    }
