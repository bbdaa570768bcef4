"""Nöjdhet (NKI, satisfaction): the mean score 1–5 per question, with the number of answers.

The questions are ``bemotande`` (treatment), ``kunskap`` (knowledge) and ``tillganglighet``
(accessibility). A case has one answer: the first ``case.survey_answered`` by event time; a later
one changes nothing. The answer counts in the period of the case's ``received_at``, like every case
figure. Scores outside 1–5 and unknown questions are left out. Targets from the settings (Östersund:
bemötande 4,3, kunskap 4,0; tillgänglighet has no NKI target there, it is measured by svarsfrekvens).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.stats.facts import CaseFacts
from services.stats.figures import met
from services.stats.tally import Tally

QUESTIONS = ("bemotande", "kunskap", "tillganglighet")


def satisfaction_tally(case: CaseFacts, tally: Tally) -> None:
    if not case.survey:
        return
    tally.count("survey_responses")
    for question in QUESTIONS:
        score = case.survey.get(question)
        if isinstance(score, int) and not isinstance(score, bool) and 1 <= score <= 5:
            tally.count(f"survey_{question}_sum", score)
            tally.count(f"survey_{question}_count")


def satisfaction(tally: Tally, *, targets: Mapping[str, float | None]) -> dict[str, Any]:
    figure: dict[str, Any] = {"responses": tally.counts["survey_responses"]}
    for question in QUESTIONS:
        count = tally.counts[f"survey_{question}_count"]
        mean = tally.counts[f"survey_{question}_sum"] / count if count else None
        target = targets.get(question)
        figure[question] = {"mean": mean, "count": count, "target": target, "met": met(mean, target)}
    return figure
