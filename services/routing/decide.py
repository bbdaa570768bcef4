"""The routing decision (DESIGN §6), pure computation on the directory.

This first version decides from the category hint (a category id, name or keyword of the
organisation), the IVR digit for phone contacts, and otherwise "övriga ärenden" at first line.
The department's agreement (the category's ``handled_by``) and the ROSA level decide whether first
line or the department handles it.
"""

from __future__ import annotations

from lotsen.contracts.contacts import ContactReceivedData, RoutingDecision
from lotsen.directory import FALLBACK_CATEGORY, Category, Organization

BUILTIN_RULESET_VERSION = 1


def decide(
    contact: ContactReceivedData, org: Organization, *, ruleset_version: int = BUILTIN_RULESET_VERSION
) -> RoutingDecision:
    matched: list[str] = []
    reasons: list[str] = []
    category = _category_from_hint(org, contact.category_hint)
    if category is not None:
        matched.append("category-hint")
        reasons.append(f"the category hint {contact.category_hint!r} names the category {category.name!r}")
    else:
        category = org.category(FALLBACK_CATEGORY)
        assert category is not None  # the directory validates that every organisation has it
        reasons.append("nothing recognised: övriga ärenden at first line")

    answer_group = org.answer_group_for_department(category.department)
    if contact.channel == "phone" and contact.ivr_choice:
        group = org.answer_group_for_digit(contact.ivr_choice)
        if group is not None:
            answer_group = group
            matched.append("ivr-choice")
            reasons.append(f"IVR choice {contact.ivr_choice} → answer group {group.id}")
    if answer_group is None:
        answer_group = org.answer_group_for_digit("5") or (
            org.answer_groups[0] if org.answer_groups else None
        )

    handled_by = (
        "department" if category.handled_by == "department" or category.rosa_level >= 5 else "first_line"
    )
    reasons.append(
        f"agreement: {category.name} (ROSA {category.rosa_level}) is handled by "
        + ("the department" if handled_by == "department" else "first line")
    )
    department = org.department(category.department) if category.department else None
    confidential = category.confidential or bool(department and department.confidential)
    return RoutingDecision(
        handled_by=handled_by,  # type: ignore[arg-type]
        answer_group=answer_group.id if answer_group else None,
        department=category.department,
        category=category.id,
        rosa_level=category.rosa_level,
        priority="normal",
        confidential=confidential,
        ruleset_version=ruleset_version,
        matched_rules=matched,
        explanation="; ".join(reasons),
    )


def _category_from_hint(org: Organization, hint: str | None) -> Category | None:
    if not hint:
        return None
    wanted = hint.strip().lower()
    for category in org.categories:
        if wanted in (category.id, category.name.lower()) or wanted in (k.lower() for k in category.keywords):
            return category
    return None
