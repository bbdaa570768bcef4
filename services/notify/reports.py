"""``reports.events``: a department's monthly or tertial report (``report.ready``, from stats) to the
department, when it subscribed.

A department subscribes with ``report.monthly`` and/or ``report.tertial`` in a subscription's
``event_types`` (``/v1/subscriptions``). For a report of a kind its department subscribed to:

- one e-mail to the department's contact address from the directory (however many subscriptions
  list the kind): the report's HTML page as the body, a plain-text part with the same text and
  numbers, and the CSV attached (``<org>-<department>-<period>.csv``). A department without an
  address gets a failed, visible delivery, as for handoffs;
- a signed webhook delivery carrying the event (the HTML and CSV in it) to each of those
  subscriptions.

Deliveries of one report share a lane, ``report:<report id>``; their ids derive from the event id,
so a redelivered event records nothing new. A failed send is retried like every other mail.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from lotsen.contracts.envelope import Event, InvalidEvent
from lotsen.contracts.reports import ReportReady
from services.notify.deliveries import Document
from services.notify.department import Addressed, addressed, webhook
from services.notify.notifier import Notifier, mail_domain

NAMES = {"monthly": "Månadsrapport", "tertial": "Tertialrapport"}
BLOCKS = frozenset({"p", "h1", "h2", "h3", "tr", "caption", "li", "table", "ul", "div", "br", "title"})


def lane_key(event: ReportReady) -> str:
    return f"report:{event.data.report_id}"


def subscription_type(event: ReportReady) -> str:
    return f"report.{event.data.kind}"


class PlainText(HTMLParser):
    """The page's text: a line per block, table cells separated by `` | ``; the charts' drawing is
    left out (their numbers are in the tables), and so are the head's title and style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("svg", "style", "head"):
            self._skip += 1
        elif tag in ("td", "th") and self._line:
            self._line.append(" | ")
        elif tag in BLOCKS:
            self._break()
        if tag == "li":
            self._line.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("svg", "style", "head"):
            self._skip -= 1
        elif tag in BLOCKS:
            self._break()
            if tag in ("p", "h1", "h2", "table", "ul"):
                self.lines.append("")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._line.append(data)

    def _break(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._line)).strip()
        if text:
            self.lines.append(text)
        self._line = []

    def text(self) -> str:
        self._break()
        return re.sub(r"\n{3,}", "\n\n", "\n".join(self.lines)).strip() + "\n"


def plain_text(html: str) -> str:
    parser = PlainText()
    parser.feed(html)
    parser.close()
    return parser.text()


def report_email(event: ReportReady, notifier: Notifier) -> Document:
    data = event.data
    found = addressed(event, data.department, notifier, lane=lane_key(event), confidential=False)
    if not isinstance(found, Addressed):
        return found
    delivery, org, department, sender = found.delivery, found.org, found.department, found.sender
    attachments = []
    if data.csv is not None:
        attachments.append(
            {
                "filename": f"{event.organization}-{data.department}-{data.period}.csv",
                "content_type": "text/csv",
                "content": data.csv,
            }
        )
    domain = mail_domain(org, event.organization)
    delivery["email"] = {
        "from": sender,
        "from_name": f"{org.name}, kontaktcenter",
        "to": department.email,
        "to_name": department.name,
        "subject": f"{NAMES[data.kind]} {data.period}: {department.name}",
        "body": plain_text(data.html),
        "html": data.html,
        "attachments": attachments,
        "message_id": f"<report.{data.period}.{data.department}.{delivery['_id']}@{domain}>",
        "in_reply_to": None,
        "references": [],
        "auto_submitted": "auto-generated",
        "language": "sv",
    }
    return delivery


async def on_report_event(event: Event[Any], *, notifier: Notifier) -> None:
    if not isinstance(event, ReportReady):
        raise InvalidEvent(f"notify does not handle {event.type} on reports.events")
    subscriptions = await notifier.subscriptions.matching(
        organization=event.organization, department=event.data.department, event_type=subscription_type(event)
    )
    if not subscriptions:
        return
    for subscription in subscriptions:
        if not subscription.get("url"):
            continue  # reports by e-mail only: the e-mail below is what it asked for
        await notifier.record(
            webhook(event, subscription, notifier, confidential=False, lane=lane_key(event))
        )
    await notifier.record(report_email(event, notifier))
