"""E-post besvarad inom 48 timmar (e-mail answered within 48 hours), in two modes.

Over cases whose first contact came by e-mail, counted in the Stockholm day of ``received_at``:
in time if the first outbound message to the citizen that was not automatic (an
acknowledgement is) came at or before the deadline — ``received_at`` + 48 hours (``calendar``), or
``lotsen.calendar.add_working_days(received_at, 2)`` (``working_days``, Swedish public and de facto
holidays, the same function casestore uses for its clock). A reply after the deadline is a miss; an
unanswered case is a miss once *now* is past its deadline and pending until then (pending counts in
neither). Whether an unanswered case is missed depends on *now*, so the tally keeps its two
deadlines as marks and the figure decides at query time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from lotsen.calendar import add_working_days
from services.stats.facts import CaseFacts
from services.stats.figures import Target, met, ratio
from services.stats.settings import EmailMode
from services.stats.tally import Tally
from services.stats.updates import stamp


def deadlines(
    received_at: datetime, *, hours: int, working_days: int, tz: ZoneInfo
) -> tuple[datetime, datetime]:
    """(calendar deadline, working-day deadline) of an e-mail received at ``received_at``."""
    return received_at + timedelta(hours=hours), add_working_days(received_at, working_days, tz=tz)


def email_tally(case: CaseFacts, tally: Tally, *, hours: int, working_days: int, tz: ZoneInfo) -> None:
    if case.channel != "email" or case.received_at is None:
        return
    tally.count("emails")
    calendar, working = deadlines(case.received_at, hours=hours, working_days=working_days, tz=tz)
    if case.first_reply_at is None:
        tally.mark("email_unanswered", f"{stamp(calendar)}|{stamp(working)}")
        return
    for mode, deadline in (("calendar", calendar), ("working_days", working)):
        outcome = "in_time" if case.first_reply_at <= deadline else "late"
        tally.count(f"email_{outcome}_{mode}")


def settle_email(tally: Tally, now: datetime) -> None:
    """Turn the unanswered e-mails' deadlines into counts as of ``now``: past (a miss) or still open."""
    unanswered = tally.marks.pop("email_unanswered", None)
    if not unanswered:
        return
    now_key = stamp(now)
    for key, n in unanswered.items():
        for mode, deadline in zip(("calendar", "working_days"), key.split("|"), strict=True):
            tally.counts[f"email_{'overdue' if deadline < now_key else 'waiting'}_{mode}"] += n


def email_response(tally: Tally, *, mode: EmailMode, now: datetime, target: Target) -> dict[str, Any]:
    settle_email(tally, now)
    in_time = tally.counts[f"email_in_time_{mode}"]
    late = tally.counts[f"email_late_{mode}"]
    overdue = tally.counts[f"email_overdue_{mode}"]
    pending = tally.counts[f"email_waiting_{mode}"]
    missed = late + overdue
    share = ratio(in_time, in_time + missed)
    return {
        "in_time": in_time,
        "missed": missed,
        "pending": pending,
        "share": share,
        "target": target,
        "met": met(share, target),
        "mode": mode,
        "emails": tally.counts["emails"],
        "answered_late": late,
        "unanswered_past_deadline": overdue,
    }
