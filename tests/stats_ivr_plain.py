"""Knappval computed plainly from the calls of a synthetic month (docs/figures.md, "Knappval"):
per organisation and choice, every call once, with the answer rate's outcomes; never imports
``services.stats``."""

from __future__ import annotations

from typing import Any

from tests.stats_views import CallView, ratio

OUTCOMES = ("answered", "callback", "abandoned", "pending")


def choice_order(choice: str) -> tuple[bool, int, str]:
    return choice == "none", len(choice), choice


def counts(calls: list[CallView], short: float) -> dict[str, Any]:
    abandons = [c.wait for c in calls if c.outcome == "abandoned"]
    short_n = sum(1 for w in abandons if w < short)
    answered = sum(1 for c in calls if c.outcome == "answered")
    body: dict[str, Any] = {
        "calls": len(calls),
        "offered": len(calls),  # the generated months put no call through without a queue
        "answered": answered,
        "callbacks": sum(1 for c in calls if c.outcome == "callback"),
        "pending": sum(1 for c in calls if c.outcome == "pending"),
        "transferred": 0,
        "abandoned": len(abandons) - short_n,
        "short_abandoned": short_n,
    }
    body["abandon_rate"] = ratio(body["abandoned"], answered + body["abandoned"])
    body["by_hour"] = [{"hour": h, "calls": sum(1 for c in calls if c.hour == h)} for h in range(24)]
    body["by_weekday"] = [
        {"weekday": d, "calls": sum(1 for c in calls if c.weekday == d)} for d in range(1, 8)
    ]
    return body


def ivr_choices(calls: list[CallView], params: dict[str, Any]) -> dict[str, Any]:
    short = float(params.get("short_abandon_seconds", 5))
    rows = [
        {"organization": org, "choice": choice, **counts(mine, short)}
        for org in sorted({c.organization for c in calls})
        for choice in sorted({c.choice for c in calls if c.organization == org}, key=choice_order)
        if (mine := [c for c in calls if c.organization == org and c.choice == choice])
    ]
    return {
        "choices": rows,
        "total": counts(calls, short),
        "short_abandon_seconds": short,
        "answer_group": None,
        "organization": params.get("organization"),
    }


REPORT = (
    "choice",
    "calls",
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "transferred",
    "abandon_rate",
)


def report_choices(calls: list[CallView]) -> list[dict[str, Any]]:
    """An organisation's choices in the tertial report: no hours."""
    return [{name: row[name] for name in REPORT} for row in ivr_choices(calls, {})["choices"]]
