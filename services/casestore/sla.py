"""SLA clocks: first response due, handoff due, automatic closing.

A scheduler scans for deadlines that passed and emits ``case.sla_breached`` and
``case.reminder_due`` once per case and deadline; the "done" flag is written in the same update as
the event, so a restart neither repeats nor forgets one. Resolved cases close by themselves after
``auto_close_days``, and closed cases lose their personal data after ``retention_days``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from lotsen.contracts.cases import CaseReminderDue, CaseSlaBreached
from services.casestore import actions, privacy
from services.casestore.changes import Cases, Change, Entry, Plan, case_event
from services.casestore.repository import Document
from services.casestore.settings import CasestoreSettings

log = logging.getLogger(__name__)

FIRST_RESPONSE_FLAG = "sla_first_response_breached"
HANDOFF_FLAG = "reminder_sent"


def first_response_breached(case: Document, *, at: datetime) -> Change:
    if (
        case.get(FIRST_RESPONSE_FLAG)
        or case.get("first_response_at")
        or case["status"] not in ("new", "open")
    ):
        return Change()
    due = case["first_response_due"]
    change = Change(updates={FIRST_RESPONSE_FLAG: True})
    change.entries.append(
        Entry("lotsen", "sla_breached", {"clock": "first_response", "due_at": due.isoformat()})
    )
    change.events.append(case_event(CaseSlaBreached, case, at, clock="first_response", due_at=due))
    return change


def handoff_overdue(case: Document, *, at: datetime) -> Change:
    if case.get(HANDOFF_FLAG) or case["status"] != "handed_off" or case.get("due_at") is None:
        return Change()
    due = case["due_at"]
    change = Change(updates={HANDOFF_FLAG: True})
    change.entries.append(
        Entry("lotsen", "reminder_due", {"department": case.get("department"), "due_at": due.isoformat()})
    )
    change.events.append(case_event(CaseSlaBreached, case, at, clock="handoff", due_at=due))
    change.events.append(
        case_event(
            CaseReminderDue, case, at, department=case.get("department"), due_at=due, reminder_number=1
        )
    )
    return change


async def scan_once(cases: Cases, settings: CasestoreSettings) -> int:
    """Emit what is due now; returns how many cases changed.

    Each query selects only cases the plan will change, so a batch is never filled by cases that
    cannot breach (an answered, still open case) and the ones behind them are reached.
    """
    now, batch = cases.clock(), settings.sla_scan_batch
    retention = f"retention: {settings.retention_days} days"
    work: list[tuple[list[Document], Plan]] = [
        (
            await cases.repo.unanswered_past_first_response(now, FIRST_RESPONSE_FLAG, limit=batch),
            lambda c: first_response_breached(c, at=now),
        ),
        (
            await cases.repo.due("due_at", now, ["handed_off"], HANDOFF_FLAG, limit=batch),
            lambda c: handoff_overdue(c, at=now),
        ),
        (
            await cases.repo.resolved_before(now - timedelta(days=settings.auto_close_days), limit=batch),
            lambda c: actions.close(c, by="lotsen", at=now) if c["status"] == "resolved" else Change(),
        ),
        (
            await cases.repo.closed_before(now - timedelta(days=settings.retention_days), limit=batch),
            actions.plan(privacy.erase, by="lotsen", at=now, why=retention),
        ),
    ]
    changed = 0
    for found, plan in work:
        for case in found:
            changed += await _apply(cases, case["_id"], plan)
    return changed


async def _apply(cases: Cases, ref: str, plan: Plan) -> bool:
    """Apply ``plan``; whether it changed the case (a case changed meanwhile may need nothing)."""
    planned: list[Change] = []

    def tracked(case: Document) -> Change:
        planned.append(plan(case))
        return planned[-1]

    await cases.apply(ref, tracked)
    last = planned[-1]
    return bool(last.updates or last.entries or last.events)


async def run_scheduler(cases: Cases, settings: CasestoreSettings, *, stop: asyncio.Event) -> None:
    """Scan every ``sla_scan_seconds`` until ``stop``; run by one replica at a time (lease
    ``casestore-sla-scheduler``). Two schedulers overlapping at a hand-over flag nothing twice: each
    flag, close or erasure is planned from the case as read and committed with its event by one
    update conditioned on the case's version, so the second commit is stale, is planned again from
    the changed case, and finds nothing left to do."""
    while not stop.is_set():
        await scan_once(cases, settings)
        try:
            await asyncio.wait_for(stop.wait(), timeout=settings.sla_scan_seconds)
        except TimeoutError:
            pass
