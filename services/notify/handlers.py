"""notify's consumers. They only *record* deliveries (fast and idempotent); the dispatcher sends them.

``cases.events`` → webhooks for the departments' subscriptions, e-mail to a department on handoff
and reminders, reminder bookkeeping, the few case facts the department texts need, and the erasure
of all of it when a case is erased.
``outbound.requests`` → a delivery to the citizen on the channel they used.
``notices.events`` → crisis notices to the organisation's subscribers, review reminders to the
owning department (:mod:`services.notify.notices`).
``reports.events`` → a department's monthly or tertial report, by e-mail and webhook, to the
departments that subscribed to it (:mod:`services.notify.reports`).
"""

from __future__ import annotations

from typing import Any, get_args

from lotsen.contracts.cases import CaseCreated, CaseHandedOff, CaseRecategorised, CaseReminderDue
from lotsen.contracts.envelope import Event, InvalidEvent
from lotsen.contracts.outbound import OutboundRequested
from lotsen.kafka.processing import Handler
from services.notify import citizen, department, notices, reminders, reports
from services.notify.notifier import Notifier
from services.notify.subscriptions import EventType

STOPS_REMINDERS = ("case.returned", "case.resolved", "case.closed")
ANNOUNCED = frozenset(get_args(EventType))


async def erase_case(case_ref: str, *, notifier: Notifier) -> None:
    """``case.erased``: the case's messages and addresses, its facts and its reminders go."""
    await notifier.deliveries.erase_personal_data(case_ref)
    await notifier.facts.forget(case_ref)
    await notifier.reminders.forget(case_ref)


def case_events(notifier: Notifier) -> Handler:
    async def on_case_event(event: Event[Any]) -> None:
        ref = event.data.case_ref
        if event.type == "case.erased":
            await erase_case(ref, notifier=notifier)
            return
        if event.type not in ANNOUNCED:
            return
        facts = await notifier.facts.get(ref) or {}
        target = getattr(event.data, "department", None) or facts.get("department")
        if isinstance(event, CaseCreated):
            await notifier.facts.remember(
                ref,
                {
                    "organization": event.organization,
                    "department": event.data.department,
                    "category": event.data.category,
                    "confidential": event.data.confidential,
                },
            )
        elif isinstance(event, CaseHandedOff):
            await reminders.stop(ref, event_type=event.type, at=event.occurred_at, notifier=notifier)
            data = event.data
            changes = {
                "organization": event.organization,
                "department": data.department,
                "reason": data.reason,
            }
            # Older casestores did not say these: keep what case.created told.
            changes |= data.model_dump(include={"category", "confidential"}, exclude_none=True)
            await notifier.facts.remember(ref, changes)
        elif isinstance(event, CaseRecategorised):
            # A corrected case belongs to its new department from now on, and may have become
            # confidential: what notify sends about it follows.
            correction = event.data
            target = correction.department or target
            await notifier.facts.remember(
                ref,
                {
                    "organization": event.organization,
                    "department": correction.department,
                    "category": correction.category,
                    "confidential": correction.confidential,
                },
            )
        elif isinstance(event, CaseReminderDue):
            await reminders.start(event, department_id=target, notifier=notifier)
        elif event.type in STOPS_REMINDERS:
            await reminders.stop(ref, event_type=event.type, at=event.occurred_at, notifier=notifier)
        if isinstance(event, CaseCreated | CaseHandedOff | CaseRecategorised) and event.data.confidential:
            # The citizen's messages may have been recorded before notify heard the case is confidential.
            await notifier.deliveries.mark_confidential(ref)
        await department.announce(event, department=target, notifier=notifier)

    return on_case_event


def outbound_requests(notifier: Notifier) -> Handler:
    async def on_outbound_requested(event: Event[Any]) -> None:
        if not isinstance(event, OutboundRequested):
            raise InvalidEvent(f"notify does not handle {event.type} on outbound.requests")
        await citizen.request(event, notifier=notifier)

    return on_outbound_requested


def everything(notifier: Notifier) -> Handler:
    """One consumer for every topic: each consumer group costs a join at start-up, and order only
    matters within a case, which each topic keeps by its key."""
    on_case_event, on_outbound_requested = case_events(notifier), outbound_requests(notifier)

    async def on_event(event: Event[Any]) -> None:
        if event.type.startswith("case."):
            await on_case_event(event)
        elif event.type.startswith(("notice.", "kb.")):
            await notices.on_notice_event(event, notifier=notifier)
        elif event.type.startswith("report."):
            await reports.on_report_event(event, notifier=notifier)
        else:
            await on_outbound_requested(event)

    return on_event
