"""What happened to each call and case of a synthetic month, and the Swedish working days.

Part of :mod:`tests.stats_expected`, which never imports ``services.stats``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

import holidays

from tests.stats_generator import STHLM, Call, Case, ms

TARGETS = {
    "answer_rate": 0.95,
    "service_level": 0.80,
    "email": 0.94,
    "resolution": 0.60,
    "bemotande": 4.3,
    "kunskap": 4.0,
}
QUESTIONS = ("bemotande", "kunskap", "tillganglighet")
OPEN = ("new", "open", "pending_citizen", "handed_off")
STATUS_AFTER = {
    "created": "new",
    "assign": "open",
    "pending": "pending_citizen",
    "handoff": "handed_off",
    "return": "open",
    "resolve": "resolved",
    "close": "closed",
}


@cache
def _holidays(year: int) -> frozenset[date]:
    return frozenset(
        holidays.country_holidays("SE", years=year, include_sundays=False, categories=("public", "de_facto"))
    )


def working(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def two_working_days(received: datetime) -> datetime:
    """Two working days later, same local time (from a day off: from the next working day's start)."""
    local = received.astimezone(STHLM)
    day, clock = local.date(), local.time()
    if not working(day):
        while not working(day):
            day += timedelta(days=1)
        clock = time(0)
    for _ in range(2):
        day += timedelta(days=1)
        while not working(day):
            day += timedelta(days=1)
    return datetime.combine(day, clock, STHLM).astimezone(UTC)


def ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def met(value: float | None, target: float | None) -> bool | None:
    return None if value is None or target is None else value >= target


# --- what happened, per call and per case ------------------------------------------------------


@dataclass(frozen=True)
class CallView:
    organization: str
    answer_group: str
    day: date
    outcome: str  # answered | callback | abandoned | pending
    wait: float
    talk: float | None = None  # of an answered call
    wrap_up: float | None = None
    choice: str = "none"  # knappval: the first digit the call named
    hour: int = 0  # local hour and ISO weekday it was offered
    weekday: int = 0


@dataclass(frozen=True)
class CaseView:
    ref: str
    organization: str
    channel: str
    day: date
    received_at: datetime
    category: str
    department: str | None
    answer_group: str
    handled_by: str
    rosa_level: int
    first_reply: datetime | None
    handed_off: bool
    due_at: datetime | None
    resolved: bool
    first_line_flag: bool
    failure_demand: bool
    status: str
    survey: dict[str, int] | None
    synpunkt: bool
    opened_at: datetime | None = None  # first assigned, or first made open
    first_handoff: datetime | None = None
    feedback_kind: str | None = None  # the generator classifies no synpunkt: all unclassified
    feedback_department: str | None = None

    @property
    def synpunkt_department(self) -> str | None:
        return self.feedback_department or self.department


def call_view(call: Call) -> CallView | None:
    if call.outcome == "no_offered":
        return None  # its call.offered never came: not counted
    outcome = "answered" if call.outcome == "answered_and_abandoned" else call.outcome
    day = call.offered_at.astimezone(STHLM).date()
    local = call.offered_at.astimezone(STHLM)
    choice = call.ivr_choice or call.ivr_later or "none"  # the first one known
    timing = (90.0, call.wrap_up) if outcome == "answered" else (None, None)
    return CallView(
        call.organization,
        call.group,
        day,
        outcome,
        call.wait,
        *timing,
        choice,
        local.hour,
        local.isoweekday(),
    )


def case_view(case: Case) -> CaseView:
    steps = sorted(case.steps, key=lambda s: ms(s.at))
    replies = [ms(s.at) for s in steps if s.kind == "reply"]
    handoffs = [s for s in steps if s.kind == "handoff"]
    resolutions = [s for s in steps if s.kind == "resolve"]
    surveys = [s for s in steps if s.kind == "survey"]
    status = "new"
    opened_at = None
    for step in steps:
        if step.kind == "reply" and status == "new":
            status = "open"
        elif step.kind == "citizen" and status in ("resolved", "pending_citizen"):
            status = "open"
        else:
            status = STATUS_AFTER.get(step.kind, status)
        if opened_at is None and (step.kind == "assign" or status == "open"):
            opened_at = ms(step.at)
    # The latest correction decides the category; the department is the one of the latest handoff or
    # correction, whichever came last.
    corrections = [s for s in steps if s.kind == "recategorise"]
    moves = sorted(handoffs + corrections, key=lambda s: ms(s.at))
    department = moves[-1].data["department"] if moves else case.department
    category, answer_group, rosa_level = case.category, case.answer_group, case.rosa_level
    if corrections:
        last = corrections[-1].data
        category, answer_group, rosa_level = last["category"], last["answer_group"], last["rosa"]
    return CaseView(
        ref=case.ref,
        organization=case.organization,
        channel=case.channel,
        day=case.received_at.astimezone(STHLM).date(),
        received_at=case.received_at,
        category=category,
        department=department,
        answer_group=answer_group,
        handled_by=case.handled_by,
        rosa_level=rosa_level,
        first_reply=min(replies) if replies else None,
        handed_off=bool(handoffs) or case.handled_by == "department",
        due_at=handoffs[-1].data["due_at"] if handoffs else None,
        resolved=bool(resolutions),
        first_line_flag=bool(resolutions) and resolutions[-1].data["first_line"],
        failure_demand=bool(resolutions) and resolutions[-1].data["failure_demand"],
        status=status,
        survey=surveys[0].data["answers"] if surveys else None,
        synpunkt=category == "synpunkt" or (case.form_id == "synpunkt" and not corrections),
        opened_at=opened_at,
        first_handoff=min(ms(s.at) for s in handoffs) if handoffs else None,
    )
