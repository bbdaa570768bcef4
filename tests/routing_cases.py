"""The labelled contacts of ``tests/data/routing/labelled_contacts.yaml``, ready for ``Router.decide``.

Shared by the accuracy test and ``bench.routing``. Every contact is received on a Tuesday morning
(inside opening hours) unless the entry says otherwise.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from lotsen.contracts.contacts import ContactReceivedData, RoutingDecision

LABELLED_FILE = Path(__file__).parent / "data" / "routing" / "labelled_contacts.yaml"
RECEIVED_AT = datetime(2026, 3, 3, 10, 15, tzinfo=ZoneInfo("Europe/Stockholm"))
FIRST_LINE = "(first line)"


@dataclass(frozen=True)
class LabelledContact:
    id: str
    organization: str
    contact: ContactReceivedData
    department: str | None
    handled_by: str
    category: str | None


def load_labelled(path: Path = LABELLED_FILE) -> list[LabelledContact]:
    with open(path, encoding="utf-8") as fh:
        entries: list[dict[str, Any]] = yaml.safe_load(fh)["contacts"]
    cases = []
    for entry in entries:
        expected = entry["expected"]
        data = {
            "contact_id": entry["id"],
            "channel": entry["channel"],
            "received_at": entry.get("received_at", RECEIVED_AT),
            "subject": entry.get("subject"),
            "text": entry.get("text", ""),
            "ivr_choice": entry.get("ivr_choice"),
            "form_id": entry.get("form_id"),
            "category_hint": entry.get("category_hint"),
            "sender": {"email": entry.get("from")},
        }
        cases.append(
            LabelledContact(
                id=entry["id"],
                organization=entry["organization"],
                contact=ContactReceivedData.model_validate(data),
                department=expected["department"],
                handled_by=expected["handled_by"],
                category=expected.get("category"),
            )
        )
    return cases


@dataclass
class Report:
    total: int
    department_correct: int
    handled_by_correct: int
    category_correct: int
    category_labelled: int
    per_department: dict[str, tuple[float, float, int]]  # precision, recall, support
    misses: list[str]

    @property
    def department_accuracy(self) -> float:
        return self.department_correct / self.total

    @property
    def handled_by_accuracy(self) -> float:
        return self.handled_by_correct / self.total

    def render(self) -> str:
        lines = [
            f"{self.total} labelled contacts: department accuracy {self.department_accuracy:.1%}, "
            f"handled_by accuracy {self.handled_by_accuracy:.1%}, category accuracy "
            f"{self.category_correct}/{self.category_labelled}",
            f"{'department':<18} {'precision':>9} {'recall':>7} {'support':>8}",
        ]
        for department, (precision, recall, support) in sorted(self.per_department.items()):
            lines.append(f"{department:<18} {precision:>9.2f} {recall:>7.2f} {support:>8}")
        if self.misses:
            lines.append("misses:")
            lines.extend(f"  {m}" for m in self.misses)
        return "\n".join(lines)


def evaluate(cases: list[LabelledContact], decisions: list[RoutingDecision]) -> Report:
    predicted: Counter[str] = Counter()
    actual: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    department_correct = handled_correct = category_correct = category_labelled = 0
    misses = []
    for case, decision in zip(cases, decisions, strict=True):
        want, got = case.department or FIRST_LINE, decision.department or FIRST_LINE
        actual[want] += 1
        predicted[got] += 1
        if want == got:
            hits[want] += 1
            department_correct += 1
        handled_correct += case.handled_by == decision.handled_by
        if case.category is not None:
            category_labelled += 1
            category_correct += case.category == decision.category
        if want != got or case.handled_by != decision.handled_by:
            scores = ", ".join(f"{s.category} {s.score:g}" for s in decision.scores[:3])
            misses.append(
                f"{case.id}: expected {want}/{case.handled_by}, got {got}/{decision.handled_by} "
                f"({decision.category}; {scores})"
            )
    per_department = {
        d: (
            hits[d] / predicted[d] if predicted[d] else 0.0,
            hits[d] / actual[d] if actual[d] else 0.0,
            actual[d],
        )
        for d in set(actual) | set(predicted)
    }
    return Report(
        total=len(cases),
        department_correct=department_correct,
        handled_by_correct=handled_correct,
        category_correct=category_correct,
        category_labelled=category_labelled,
        per_department=per_department,
        misses=misses,
    )
