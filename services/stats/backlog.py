"""Ärendebalans (backlog): the cases still open *now*, by status and age, and handoffs past due.

Open means the latest status (by event time) is ``new``, ``open``, ``pending_citizen`` or
``handed_off``; ``resolved`` and ``closed`` are not open (a reopened case is open again). Age is
counted in calendar days from the Stockholm day the case was received to today: 0–2, 3–7, 8–30 and
over 30 days. A handed-off case is past due when its latest handoff's ``due_at`` has passed and the
case is still with the department. With ``from``/``to`` the backlog is that of the cases received in
the period. Failure demand (onödig efterfrågan) is reported beside it for the same cases.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from services.stats.facts import CaseFacts
from services.stats.resolution import failure_demand
from services.stats.tally import Tally
from services.stats.updates import stamp

STATUSES = ("new", "open", "pending_citizen", "handed_off")
AGE_BANDS = (("0-2", 0, 2), ("3-7", 3, 7), ("8-30", 8, 30), ("over-30", 31, None))


def backlog_tally(case: CaseFacts, day: date, tally: Tally) -> None:
    if not case.is_open:
        return
    tally.mark("open", f"{day.isoformat()}|{case.status}")
    if case.status == "handed_off" and case.due_at is not None:
        tally.mark("handed_off_due", stamp(case.due_at))


def age_band(age_days: int) -> str:
    for name, lowest, highest in AGE_BANDS:
        if age_days >= lowest and (highest is None or age_days <= highest):
            return name
    return AGE_BANDS[0][0]  # received "after" today (a clock set in the past): the youngest band


@lru_cache(maxsize=4096)
def _open_counts(mark: str, today: date) -> tuple[str, str]:
    """The counts an open-case mark ``"<day>|<status>"`` adds to, as of ``today``."""
    day, status = mark.split("|")
    return f"open_{status}", f"open_age_{age_band((today - date.fromisoformat(day)).days)}"


def settle_backlog(tally: Tally, now: datetime, tz: ZoneInfo) -> None:
    """Turn the open cases' days and the handoffs' due times into counts as of ``now``."""
    opened = tally.marks.pop("open", None)
    due = tally.marks.pop("handed_off_due", None)
    if opened:
        today = now.astimezone(tz).date()
        for key, n in opened.items():
            status_count, age_count = _open_counts(key, today)
            tally.counts[status_count] += n
            tally.counts[age_count] += n
    if due:
        now_key = stamp(now)
        tally.counts["handed_off_past_due"] += sum(n for at, n in due.items() if at < now_key)


def backlog(tally: Tally, *, now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    settle_backlog(tally, now, tz)
    by_status = {status: tally.counts[f"open_{status}"] for status in STATUSES}
    by_age = {name: tally.counts[f"open_age_{name}"] for name, _, _ in AGE_BANDS}
    past_due = tally.counts["handed_off_past_due"]
    return {
        "open": sum(by_status.values()),
        "by_status": by_status,
        "by_age": by_age,
        "handed_off": by_status["handed_off"],
        "handed_off_past_due": past_due,
        "failure_demand": failure_demand(tally),
        "as_of": now.isoformat(),
    }
