"""Reminders (*påminnelser*): the contact centre reminds a department until it acts on an errand.

casestore emits ``case.reminder_due`` once when a handed-off errand passes its due time. notify
sends that reminder (webhook subscribers and the department's e-mail), then repeats it every
``reminder_interval_hours`` of the department's agreement in the directory (else
``NOTIFY_REMINDER_INTERVAL_HOURS``) until the case is returned, resolved, closed or handed off
anew. Each repeat is a ``case.reminder_due`` of its own with ``reminder_number`` counting up and
an id derived from the first reminder and the number, so a crash between sending and counting
never sends a repeat twice.

With several replicas the repeats are made by one at a time (:func:`run`, lease
``notify-reminders``); the dispatcher of every replica sends the deliveries they record.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from lotsen.contracts.cases import CaseReminderDue, CaseReminderDueData
from lotsen.contracts.envelope import derived_event_id
from services.notify import department
from services.notify.notifier import Notifier

STOPPED_BY = {
    "case.returned": "returned to first line",
    "case.resolved": "resolved",
    "case.closed": "closed",
    "case.handed_off": "handed off again",
}
BATCH = 100


async def start(event: CaseReminderDue, *, department_id: str | None, notifier: Notifier) -> None:
    """Remember to remind again; a redelivered event changes nothing."""
    data = event.data
    existing = await notifier.reminders.get(data.case_ref)
    if existing is not None and existing["source_event_id"] == str(event.event_id):
        return
    now = notifier.clock()
    await notifier.reminders.start(
        {
            "_id": data.case_ref,
            "active": True,
            "organization": event.organization,
            "department": department_id,
            "due_at": data.due_at,
            "source_event_id": str(event.event_id),
            "sent": data.reminder_number,
            "started_at": now,
            "next_at": now + notifier.reminder_interval(event.organization, department_id),
        }
    )


async def stop(case_ref: str, *, event_type: str, at: datetime, notifier: Notifier) -> None:
    await notifier.reminders.stop(case_ref, why=STOPPED_BY[event_type], at=at)


async def repeat_due(notifier: Notifier) -> int:
    """Send every reminder whose interval has passed; returns how many went out."""
    now = notifier.clock()
    repeated = 0
    for state in await notifier.reminders.due(now, limit=BATCH):
        number = int(state["sent"]) + 1
        event = CaseReminderDue(
            event_id=derived_event_id(state["source_event_id"], f"reminder:{number}"),
            producer="notify",
            organization=state["organization"],
            occurred_at=now,
            data=CaseReminderDueData(
                case_ref=state["_id"],
                department=state["department"],
                due_at=state["due_at"],
                reminder_number=number,
            ),
        )
        await department.announce(event, department=state["department"], notifier=notifier)
        interval = notifier.reminder_interval(state["organization"], state["department"])
        if await notifier.reminders.advance(state["_id"], sent=number - 1, next_at=now + interval):
            repeated += 1
    return repeated


async def run(notifier: Notifier, *, every_seconds: float, stop: asyncio.Event) -> None:
    """Repeat the due reminders every ``every_seconds`` until ``stop``. Two replicas overlapping at a
    lease's hand-over send nothing twice: a repeat's deliveries have ids derived from its event id
    (the same in both), so the second records none, and ``advance`` counts a number only once."""
    while not stop.is_set():
        await repeat_due(notifier)
        try:
            await asyncio.wait_for(stop.wait(), timeout=every_seconds)
        except TimeoutError:
            pass
