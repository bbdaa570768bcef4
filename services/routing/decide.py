"""The routing decision (DESIGN §6): pure computation on the directory and one ruleset version.

For one contact, in this order:

1. **Rules** of the ruleset version, in order (:mod:`services.routing.rules.evaluation`): they may
   set category, department, answer group, priority, confidential and the decision.
2. **Category** (unless a rule set it): the category hint, when it names a category; else the
   classifier's best category (within the rule's department, if a rule set one) if it reaches the
   threshold; else *övriga ärenden*.
3. **Department**: the rule's, else the category's.
4. **First line or department** (unless a rule decided): ROSA 5–6 → the department; ROSA ≤ 4 and
   listed in the department's agreement → first line; no department → first line.
5. **Answer group**: a callback keeps its group; else the rule's; else the caller's IVR choice;
   else the department's (when a rule set it) or the category's; else the group of övriga ärenden.
6. **Confidential**, **priority**: the rule's, else the category's (and a confidential department).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lotsen.calendar import is_open
from lotsen.contracts.contacts import CategoryScore, ContactReceivedData, RoutingDecision
from lotsen.directory import (
    FALLBACK_CATEGORY,
    FIRST_LINE_MAX_ROSA,
    AnswerGroup,
    Category,
    Directory,
    Organization,
)
from services.routing.classifier import Classifier, Score
from services.routing.explanation import Explanation, agreement_text
from services.routing.language import detect_language
from services.routing.rules import Facts, Ruleset
from services.routing.text import ContactText

TOP_SCORES = 5


class Router:
    """Decides for the organisations of one directory; the classifiers are built once, here."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self._classifiers = {o.id: Classifier(o, directory.classifier) for o in directory.organizations}
        self._hints = {o.id: hint_index(o) for o in directory.organizations}

    def classifier(self, org: Organization) -> Classifier:
        return self._classifiers[org.id]

    def decide(self, contact: ContactReceivedData, org: Organization, ruleset: Ruleset) -> RoutingDecision:
        text = ContactText.of(contact.subject, contact.text)
        language = contact.language or detect_language(contact.subject, contact.text)
        callback_group = org.answer_group(contact.answer_group) if contact.answer_group else None
        facts = Facts(
            contact=contact,
            organization=org.id,
            text=text,
            candidates=text.candidates(),
            out_of_hours=is_out_of_hours(
                org, contact.received_at, callback_group or _ivr_group(org, contact)
            ),
            callback=callback_group is not None
            or bool((contact.model_extra or {}).get("callback_requested")),
            language=language,
        )
        outcome = ruleset.evaluate(facts)
        ruled: dict[str, tuple[Any, str]] = outcome.actions
        why = Explanation(ruleset.version)
        why.rules(outcome.matched, ruled, outcome.stopped_by)

        ivr_group = _ivr_group(org, contact)
        boosted = callback_group or ivr_group
        scores = self.classifier(org).scores(text, answer_group=boosted.id if boosted else None)
        ruled_department = ruled["department"][0] if "department" in ruled else None
        category, source = self._category(contact, org, ruled, scores, ruled_department, why)

        department_id = ruled_department if ruled_department is not None else category.department
        handled_by, agreement = _handled_by(org, category, department_id, ruled, why)

        group, group_reason = _answer_group(
            org, category, ruled, callback=callback_group, ivr=ivr_group, ruled_department=ruled_department
        )
        why.answer_group(group.id if group else None, group_reason)

        department = org.department(department_id) if department_id else None
        if "confidential" in ruled:
            confidential = bool(ruled["confidential"][0])
        else:
            confidential = org.confidential(category, department_id)
            if confidential:
                why.confidential(category, department)
        priority = ruled["priority"][0] if "priority" in ruled else category.priority
        why.language(language)
        return RoutingDecision(
            handled_by=handled_by,
            answer_group=group.id if group else None,
            department=department_id,
            category=category.id,
            rosa_level=category.rosa_level,
            priority=priority,
            confidential=confidential,
            ruleset_version=ruleset.version,
            matched_rules=list(outcome.matched),
            explanation=why.text(),
            category_source=source,
            scores=[
                CategoryScore(category=s.category.id, score=s.score, evidence=list(s.evidence[:6]))
                for s in scores[:TOP_SCORES]
            ],
            agreement=agreement,
            language=language,
            out_of_hours=is_out_of_hours(org, contact.received_at, group),
        )

    def _category(
        self,
        contact: ContactReceivedData,
        org: Organization,
        ruled: dict[str, tuple[Any, str]],
        scores: list[Score],
        ruled_department: str | None,
        why: Explanation,
    ) -> tuple[Category, str]:
        if "category" in ruled:
            category = org.category(ruled["category"][0])
            if category is not None:
                why.category_by_rule(category, ruled["category"][1], scores)
                return category, "rule"
        hint = (contact.category_hint or "").strip().lower()
        hinted = self._hints[org.id].get(hint) if hint else None
        if hinted is not None and (ruled_department is None or hinted.department == ruled_department):
            why.category_by_hint(hinted, contact.category_hint or "", scores)
            return hinted, "category_hint"
        eligible = [
            s for s in scores if ruled_department is None or s.category.department == ruled_department
        ]
        best = self.classifier(org).recognised(eligible)
        if best is not None:
            why.category_by_classifier(best, eligible)
            return best.category, "classifier"
        fallback = org.category(FALLBACK_CATEGORY)
        assert fallback is not None  # the directory validates that every organisation has it
        why.nothing_recognised(eligible, self.classifier(org).settings.threshold, ruled_department)
        return fallback, "fallback"


def _handled_by(
    org: Organization,
    category: Category,
    department_id: str | None,
    ruled: dict[str, tuple[Any, str]],
    why: Explanation,
) -> tuple[str, str | None]:
    agreement = agreement_text(org, category) if category.department == department_id else None
    if "handled_by" in ruled:
        handled_by, rule_id = ruled["handled_by"]
        why.handled_by(handled_by, f"rule {rule_id} decided")
        return str(handled_by), agreement
    if department_id is None:
        why.handled_by("first_line", "no department")
        return "first_line", agreement
    if category.department != department_id:
        why.handled_by("department", f"a rule sent the contact to {department_id}")
        return "department", agreement
    handled_by = category.handled_by
    if category.rosa_level > FIRST_LINE_MAX_ROSA:
        handled_by = "department"
    why.handled_by(handled_by, agreement or "")
    return handled_by, agreement


def _answer_group(
    org: Organization,
    category: Category,
    ruled: dict[str, tuple[Any, str]],
    *,
    callback: AnswerGroup | None,
    ivr: AnswerGroup | None,
    ruled_department: str | None,
) -> tuple[AnswerGroup | None, str]:
    if callback is not None:
        return callback, "a callback keeps the answer group it queued in"
    if "answer_group" in ruled:
        group_id, rule_id = ruled["answer_group"]
        return org.answer_group(group_id), f"rule {rule_id}"
    if ivr is not None:
        return ivr, f"IVR choice {ivr.ivr_digit}"
    if ruled_department is not None:
        group = org.answer_group_for_department(ruled_department) or org.fallback_answer_group
        return group, f"the answer group of {ruled_department}"
    return org.answer_group_for_category(category), f"the answer group of {category.id}"


def hint_index(org: Organization) -> dict[str, Category]:
    """What a category hint may say, lower-cased: a category's id, its name or one of its keywords."""
    index: dict[str, Category] = {}
    for category in org.categories:  # ids and names first, then keywords; the first category listed wins
        index.setdefault(category.id, category)
        index.setdefault(category.name.lower(), category)
    for category in org.categories:
        for keyword in category.keywords:
            index.setdefault(keyword.lower(), category)
    return index


def is_out_of_hours(org: Organization, at: datetime, group: AnswerGroup | None = None) -> bool:
    """Outside the answer group's opening hours (the contact centre's when no group is known yet),
    in the organisation's time zone; public and de facto holidays (midsommarafton, julafton,
    nyårsafton) are closed all day. Rules see the group a contact already has (a callback's, the
    caller's IVR choice); the decision says whether the group it chose is closed."""
    hours = group.opening_hours if group is not None else org.opening_hours
    return not is_open(hours, at, tz=ZoneInfo(org.timezone))


def _ivr_group(org: Organization, contact: ContactReceivedData) -> AnswerGroup | None:
    if contact.channel == "phone" and contact.ivr_choice:
        return org.answer_group_for_digit(contact.ivr_choice)
    return None
