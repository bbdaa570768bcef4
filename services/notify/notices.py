"""``notices.events``: crisis notices to the systems that subscribed (the web site, the phone
system's IVR message), and knowledge-bank review reminders to the owning department.

- ``notice.published``, ``notice.withdrawn``, ``notice.expired``: a signed webhook delivery (the
  event envelope, as for case events) to every active subscription of the notice's organisation
  to that event type, whichever department the subscription names: a notice is the organisation's.
- ``kb.review_due``: a webhook delivery to the owning department's subscriptions to it, and an
  e-mail to the department's contact address from the directory (a department without one gets a
  failed, visible delivery, as for handoffs).

Deliveries of one notice (or one article) to one target share a lane, ``notice:<id>`` /
``kb:<article id>``, so the IVR hears "published" before "withdrawn". Their ids derive from the
event id, so a redelivered event records nothing new.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from lotsen.contracts.envelope import Event, InvalidEvent
from lotsen.contracts.notices import KbReviewDue
from services.notify import rendering
from services.notify.deliveries import Document
from services.notify.department import Addressed, addressed, webhook
from services.notify.notifier import Notifier, mail_domain

NOTICE_EVENTS = ("notice.published", "notice.withdrawn", "notice.expired")


def lane_key(event: Event[Any]) -> str:
    if event.type in NOTICE_EVENTS:
        return f"notice:{event.data.notice_id}"
    return f"kb:{event.data.article_id}"


async def subscribers(event: Event[Any], notifier: Notifier, *, department: str | None) -> list[Document]:
    """Active subscriptions of the organisation to the event type (of ``department`` if named)."""
    found = await notifier.subscriptions.list(department=department, organizations=(event.organization,))
    return [s for s in found if s.get("active") and event.type in s.get("event_types", ())]


def knowledge_link(notifier: Notifier, article_id: str) -> str:
    """The article on the workspace's knowledge page, beside the case pages of NOTIFY_WORKSPACE_URL."""
    cases_page = notifier.settings.workspace_url.format(ref="")
    return urljoin(cases_page, f"../kunskapsbank/{article_id}")


def review_email(event: KbReviewDue, notifier: Notifier) -> Document:
    data = event.data
    found = addressed(event, data.department, notifier, lane=lane_key(event), confidential=False)
    if not isinstance(found, Addressed):
        return found
    delivery, org, department, sender = found.delivery, found.org, found.department, found.sender
    context = {
        "organization": org.name,
        "department": department.name,
        "title": data.title,
        "review_date": data.review_date.isoformat(),
        "link": knowledge_link(notifier, data.article_id),
    }
    domain = mail_domain(org, event.organization)
    delivery["email"] = {
        "from": sender,
        "from_name": f"{org.name}, kontaktcenter",
        "to": department.email,
        "to_name": department.name,
        "subject": rendering.render("kb_review.subject", "sv", **context).strip(),
        "body": rendering.render("kb_review", "sv", **context),
        "message_id": f"<kb.{data.article_id}.review.{delivery['_id']}@{domain}>",
        "in_reply_to": None,
        "references": [],
        "auto_submitted": "auto-generated",
        "language": "sv",
    }
    return delivery


async def on_notice_event(event: Event[Any], *, notifier: Notifier) -> None:
    if event.type in NOTICE_EVENTS:
        for subscription in await subscribers(event, notifier, department=None):
            await notifier.record(
                webhook(event, subscription, notifier, confidential=False, lane=lane_key(event))
            )
        return
    if not isinstance(event, KbReviewDue):
        raise InvalidEvent(f"notify does not handle {event.type} on notices.events")
    for subscription in await subscribers(event, notifier, department=event.data.department):
        await notifier.record(
            webhook(event, subscription, notifier, confidential=False, lane=lane_key(event))
        )
    await notifier.record(review_email(event, notifier))
