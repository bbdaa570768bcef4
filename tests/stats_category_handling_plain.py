"""Kategori × hanterad av computed straight from the case views, in plain Python, as docs/figures.md
defines it (never importing ``services.stats``): per category, routed to first line or to a
department, and the outcome — resolved at first line, handled by a department, pending."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tests.stats_figures_plain import key_of
from tests.stats_views import TARGETS, CaseView, met, ratio


def handling(cases: list[CaseView]) -> dict[str, Any]:
    first_line = [c for c in cases if c.resolved and c.first_line_flag and not c.handed_off]
    department = [c for c in cases if c not in first_line and (c.handed_off or c.resolved)]
    rate = ratio(len(first_line), len(first_line) + len(department))
    return {
        "cases": len(cases),
        "routed_first_line": sum(1 for c in cases if c.handled_by == "first_line"),
        "routed_department": sum(1 for c in cases if c.handled_by == "department"),
        "resolved_first_line": len(first_line),
        "handled_by_department": len(department),
        "handed_off": sum(1 for c in department if c.handled_by == "first_line"),
        "pending": sum(1 for c in cases if not c.resolved and not c.handed_off),
        "rate": rate,
        "target": TARGETS["resolution"],
        "met": met(rate, TARGETS["resolution"]),
    }


def category_rows(cases: list[CaseView]) -> list[dict[str, Any]]:
    """Most handled by departments first, then most cases, then by category."""
    by_category: dict[Any, list[CaseView]] = defaultdict(list)
    for case in cases:
        by_category[case.category].append(case)
    rows = [{"key": key, **handling(mine)} for key, mine in by_category.items()]
    return sorted(
        rows, key=lambda r: (-r["handled_by_department"], -r["cases"], r["key"] is None, str(r["key"]))
    )


def category_handling(cases: list[CaseView], params: dict[str, Any]) -> dict[str, Any]:
    body = {**handling(cases), "categories": category_rows(cases)}
    group = params.get("group_by")
    if group:
        groups: dict[Any, list[CaseView]] = defaultdict(list)
        for case in cases:
            groups[key_of(case, group)].append(case)
        body["groups"] = [
            {"key": key, **handling(mine), "categories": category_rows(mine)}
            for key, mine in sorted(groups.items(), key=lambda kv: (kv[0] is None, str(kv[0])))
        ]
    return body
