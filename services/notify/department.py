"""Telling a department (*förvaltning*) about its errands: signed webhooks and e-mail to its contact address.

Every subscription of the case's department to the event type gets a webhook delivery carrying the
event envelope. A handoff and every reminder also go by e-mail to the department's contact
address from the directory. A department without one gets a failed, visible delivery instead of
silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lotsen.contracts.envelope import Event
from lotsen.directory import Department, Organization
from services.notify import rendering
from services.notify.deliveries import Document, delivery_id, failed_at_once, new_delivery
from services.notify.notifier import Notifier, mail_domain, sender_address

EMAILED = ("case.handed_off", "case.reminder_due")


async def announce(event: Event[Any], *, department: str | None, notifier: Notifier) -> int:
    """Record the deliveries ``event`` causes for ``department``; returns how many were new."""
    if not department:
        return 0
    recorded = 0
    confidential = await notifier.confidential(event.data.case_ref)
    for subscription in await notifier.subscriptions.matching(
        organization=event.organization, department=department, event_type=event.type
    ):
        recorded += await notifier.record(webhook(event, subscription, notifier, confidential=confidential))
    if event.type in EMAILED:
        delivery = await department_email(event, department, notifier, confidential=confidential)
        recorded += await notifier.record(delivery)
    return recorded


def webhook(
    event: Event[Any],
    subscription: Document,
    notifier: Notifier,
    *,
    confidential: bool,
    lane: str | None = None,
) -> Document:
    """The signed webhook delivery of ``event`` to a subscription; ``lane`` orders it among the
    deliveries of the same key (the case's reference unless given)."""
    target_key = f"webhook:{subscription['_id']}"
    return new_delivery(
        id=delivery_id(event.event_id, target_key),
        target="webhook",
        target_key=target_key,
        case_ref=lane or event.data.case_ref,
        organization=event.organization,
        event_type=event.type,
        event_id=str(event.event_id),
        now=notifier.clock(),
        confidential=confidential,
        subscription_id=subscription["_id"],
        department=subscription["department"],
        recipient=subscription["url"],
        payload=event.model_dump_json(),
    )


@dataclass(frozen=True)
class Addressed:
    """A department e-mail delivery with what its message is written from."""

    delivery: Document
    org: Organization
    department: Department
    sender: str


def addressed(
    event: Event[Any], department_id: str, notifier: Notifier, *, lane: str, confidential: bool
) -> Addressed | Document:
    """The e-mail delivery of ``event`` to the department's contact address; a delivery failed at
    once, saying why, when the directory cannot address it (an unknown department, no address)."""
    now = notifier.clock()
    org = notifier.organization(event.organization)
    department = org.department(department_id) if org is not None else None
    delivery = new_delivery(
        id=delivery_id(event.event_id, "department_email"),
        target="department_email",
        target_key="department_email",
        case_ref=lane,
        organization=event.organization,
        event_type=event.type,
        event_id=str(event.event_id),
        now=now,
        confidential=confidential,
        department=department_id,
        recipient=department.email if department is not None else None,
    )
    sender = sender_address(org)
    if org is None or department is None:
        unknown = f"department {department_id!r} of {event.organization!r} is not in the directory"
        return failed_at_once(delivery, unknown, now=now)
    if not department.email:
        return failed_at_once(delivery, f"department {department_id} has no contact e-mail address", now=now)
    if sender is None:
        return failed_at_once(delivery, f"organisation {org.id} has no e-mail address to send from", now=now)
    return Addressed(delivery, org, department, sender)


async def department_email(
    event: Event[Any], department_id: str, notifier: Notifier, *, confidential: bool
) -> Document:
    data = event.data
    found = addressed(event, department_id, notifier, lane=data.case_ref, confidential=confidential)
    if not isinstance(found, Addressed):
        return found
    delivery, org, department, sender = found.delivery, found.org, found.department, found.sender
    facts = await notifier.facts.get(data.case_ref) or {}
    extra = data.model_extra or {}
    category_id = extra.get("category") or facts.get("category")
    category = org.category(category_id) if category_id else None
    confidential_text = bool(extra.get("confidential") or confidential or department.confidential)
    reminder = event.type == "case.reminder_due"
    context = {
        "organization": org.name,
        "department": department.name,
        "ref": data.case_ref,
        "category": category.name if category is not None else (category_id or "okänd kategori"),
        "reason": getattr(data, "reason", None) or facts.get("reason") or "",
        "due": rendering.local_time(data.due_at, "sv"),
        "handed_off_by": getattr(data, "handed_off_by", None),
        "workspace_link": notifier.settings.workspace_url.format(ref=data.case_ref),
        "confidential": confidential_text,
        "excerpt": None if confidential_text else extra.get("text"),
        "number": getattr(data, "reminder_number", 1),
        "interval_hours": rendering.hours(
            notifier.reminder_interval(event.organization, department.id).total_seconds() / 3600
        ),
    }
    template = "reminder" if reminder else "handoff"
    domain = mail_domain(org, event.organization)
    delivery["email"] = {
        "from": sender,
        "from_name": f"{org.name}, kontaktcenter",
        "to": department.email,
        "to_name": department.name,
        "subject": rendering.render(f"{template}.subject", "sv", **context).strip(),
        "body": rendering.render(template, "sv", **context),
        "message_id": f"<{data.case_ref}.{template}.{delivery['_id']}@{domain}>",
        "in_reply_to": None,
        "references": [],
        "auto_submitted": "auto-generated",
        "language": "sv",
    }
    return delivery
