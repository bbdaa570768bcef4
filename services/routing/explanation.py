"""The decision explained as a supervisor reads it: one sentence per step, in the order of the steps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lotsen.directory import FIRST_LINE_MAX_ROSA, Category, Department, Organization
from services.routing.classifier import Score


def agreement_text(org: Organization, category: Category) -> str | None:
    """What the department's agreement (and the ROSA level) says about this category."""
    if category.department is None:
        return None
    department = category.department
    agreement = org.agreement(department)
    named = f"agreement with {department}" + (
        f" ({agreement.reference})" if agreement and agreement.reference else ""
    )
    level = f"ROSA {category.rosa_level}"
    if category.rosa_level > FIRST_LINE_MAX_ROSA:
        return f"{category.id} is {level}: ROSA 5–6 stays with {department}"
    if agreement is None:
        return f"{department} has no agreement with the contact centre: it handles {category.id} ({level})"
    if category.id in agreement.first_line:
        return f"{named}: first line handles {category.id} ({level})"
    return f"{named}: {category.id} ({level}) is not among the errands first line handles"


def _scores(scores: Sequence[Score], limit: int = 3) -> str:
    return ", ".join(f"{s.category.id} {s.score:g}" for s in scores[:limit])


class Explanation:
    def __init__(self, version: int) -> None:
        self._parts = [f"Ruleset version {version}"]

    def text(self) -> str:
        return ". ".join(self._parts) + "."

    def rules(
        self, matched: Sequence[str], ruled: dict[str, tuple[Any, str]], stopped_by: str | None
    ) -> None:
        if not matched:
            self._parts.append("No rule matched")
            return
        settings = []
        for rule_id in matched:
            fields = [f"{name} {value}" for name, (value, by) in ruled.items() if by == rule_id]
            settings.append(f"{rule_id} ({', '.join(fields) if fields else 'nothing left to set'})")
        stop = f"; {stopped_by} stopped the evaluation" if stopped_by else ""
        self._parts.append("Rules matched: " + "; ".join(settings) + stop)

    def category_by_rule(self, category: Category, rule_id: str, scores: Sequence[Score]) -> None:
        classifier = f" (classifier: {_scores(scores)})" if scores else ""
        self._parts.append(f"Category {category.id} ({category.name}) set by rule {rule_id}{classifier}")

    def category_by_hint(self, category: Category, hint: str, scores: Sequence[Score]) -> None:
        classifier = f" (classifier: {_scores(scores)})" if scores else ""
        self._parts.append(
            f"Category {category.id} ({category.name}): the category hint '{hint}' names it{classifier}"
        )

    def category_by_classifier(self, best: Score, scores: Sequence[Score]) -> None:
        words = ", ".join(f"'{w}'" for w in best.evidence[:5])
        others = [s for s in scores if s is not best]
        runner_up = f"; next: {_scores(others)}" if others else ""
        self._parts.append(
            f"Category {best.category.id} ({best.category.name}) by the classifier, score {best.score:g} "
            f"from {words}{runner_up}"
        )

    def nothing_recognised(self, scores: Sequence[Score], threshold: float, department: str | None) -> None:
        below = f" (best: {_scores(scores)}, below the threshold {threshold:g})" if scores else ""
        if department is None:
            self._parts.append(f"Nothing recognised{below}: övriga ärenden at first line")
        else:
            self._parts.append(f"No category of {department} recognised{below}: category övriga ärenden")

    def handled_by(self, handled_by: str, reason: str) -> None:
        who = "first line" if handled_by == "first_line" else "the department"
        self._parts.append(f"Handled by {who}" + (f": {reason}" if reason else ""))

    def answer_group(self, group: str | None, reason: str) -> None:
        self._parts.append(f"Answer group {group or 'none'} ({reason})")

    def confidential(self, category: Category, department: Department | None) -> None:
        why = (
            "the category" if category.confidential else f"{department.id if department else '?'} by default"
        )
        self._parts.append(f"Confidential ({why})")

    def language(self, language: str | None) -> None:
        if language:
            self._parts.append(f"Language {language}")
