"""The rules a resolved organisation must keep: references resolve, agreements respect ROSA.

The agreement (*överenskommelse*) and the ROSA level together decide who handles a category:
ROSA 1–4 listed in the department's agreement → first line; ROSA 5 (investigation) and 6
(judgement) always stay with the department; a category without department → first line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lotsen.directory.models import Agreement, Category, Organization

FALLBACK_CATEGORY = "ovriga-arenden"
FIRST_LINE_MAX_ROSA = 4
"""ROSA 1–4 may move to first line; 5 (investigation) and 6 (judgement) stay with the department."""


def first_line_by_agreement(category: Category | None, agreement: Agreement | None) -> bool:
    """ROSA ≤ 4 and listed in the department's agreement → first line; no department → first line."""
    if category is None:
        return True
    if category.department is None:
        return True
    return (
        agreement is not None
        and category.id in agreement.first_line
        and category.rosa_level <= FIRST_LINE_MAX_ROSA
    )


def reference_problems(org: Organization) -> list[str]:
    problems: list[str] = []
    departments = {d.id for d in org.departments}
    groups = {g.id for g in org.answer_groups}
    categories = {c.id: c for c in org.categories}
    for kind, ids in (
        ("department", [d.id for d in org.departments]),
        ("answer group", [g.id for g in org.answer_groups]),
        ("category", [c.id for c in org.categories]),
        ("form", [f.id for f in org.forms]),
    ):
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            problems.append(f"{kind} ids must be unique: {duplicates}")
    for department in org.departments:
        if department.answer_group and department.answer_group not in groups:
            problems.append(
                f"department {department.id} names unknown answer group {department.answer_group}"
            )
    for group in org.answer_groups:
        unknown = set(group.departments) - departments
        if unknown:
            problems.append(f"answer group {group.id} serves unknown departments {sorted(unknown)}")
    for cat in org.categories:
        if cat.department is not None and cat.department not in departments:
            problems.append(f"category {cat.id} names unknown department {cat.department}")
        if cat.answer_group is not None and cat.answer_group not in groups:
            problems.append(f"category {cat.id} names unknown answer group {cat.answer_group}")
        agreed = first_line_by_agreement(cat, org.agreement(cat.department))
        if (cat.handled_by == "first_line") != agreed:
            problems.append(
                f"category {cat.id}: handled_by {cat.handled_by} contradicts "
                f"the agreement with {cat.department}"
            )
    for agreement in org.agreements:
        if agreement.department not in departments:
            problems.append(f"an agreement names unknown department {agreement.department}")
        for category_id in agreement.first_line:
            listed = categories.get(category_id)
            if listed is None:
                problems.append(
                    f"the agreement with {agreement.department} lists unknown category {category_id}"
                )
            elif listed.department != agreement.department:
                problems.append(
                    f"the agreement with {agreement.department} lists {category_id}, "
                    f"which belongs to {listed.department}"
                )
            elif listed.rosa_level > FIRST_LINE_MAX_ROSA:
                problems.append(
                    f"the agreement with {agreement.department} lists {category_id} "
                    f"(ROSA {listed.rosa_level}); ROSA 5–6 stays with the department"
                )
    for form in org.forms:
        if form.category_hint and form.category_hint not in categories:
            problems.append(f"form {form.id} hints unknown category {form.category_hint}")
    if FALLBACK_CATEGORY not in categories:
        problems.append(f"the fallback category {FALLBACK_CATEGORY} is missing")
    return problems
