"""Messages on a case: the citizen's, our replies, internal notes and automatic acknowledgements.

Replies and acknowledgements become ``outbound.requested`` for notify, with what it needs to reach
the citizen on the channel they used and to thread their answer back: our ``Message-ID``
(``<KGA-2026-000123.7.outbound@karlskoga.example>``), the citizen's message ids for
``In-Reply-To``/``References``, and the reference tag in the subject.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lotsen.auth import Principal
from lotsen.contracts import topics
from lotsen.contracts.cases import CaseMessageAdded, CaseReopened
from lotsen.contracts.contacts import ContactRouted
from lotsen.contracts.envelope import derived_event_id
from lotsen.contracts.outbound import OutboundRequested, OutboundRequestedData
from lotsen.errors import DomainError
from services.casestore import lifecycle
from services.casestore.changes import Change, Entry, case_event, status_change
from services.casestore.repository import Document

ACKNOWLEDGED_CHANNELS = ("email", "webform", "facebook", "open311")


class NoWayToReply(DomainError):
    status = 422
    code = "no_channel"


def next_seq(case: Document) -> int:
    return len(case.get("timeline", [])) + 1


def reply_channel(case: Document, requested: str | None) -> str:
    """The channel to answer on: the one asked for, else the one the citizen used if we can answer there."""
    citizen = case.get("citizen") or {}
    if requested:
        return requested
    if case["channel"] == "facebook" and citizen.get("facebook_psid"):
        return "facebook"
    if citizen.get("email"):
        return "email"
    return "phone" if citizen.get("phone") else "none"


def last_inbound_at(case: Document) -> datetime | None:
    """When the citizen last wrote (Messenger allows standard replies for 24 hours after it)."""
    times = [m["at"] for m in case.get("messages", []) if m["direction"] == "inbound"]
    return max(times) if times else None


def citizen_message_ids(case: Document) -> list[str]:
    return [
        m["message_id"]
        for m in case.get("messages", [])
        if m["direction"] == "inbound" and m.get("message_id")
    ]


def inbound(case: Document, event: ContactRouted, *, at: datetime) -> Change:
    """A citizen's message on an existing case; a reply reopens a resolved case (DESIGN §7)."""
    contact = event.data
    if any(m["key"] == contact.contact_id for m in case.get("messages", [])):
        return Change()  # already here: a redelivered contact
    new_status = lifecycle.next_status("citizen_reply", case["status"])
    change = Change(pushes={"messages": [inbound_message(event)]})
    change.entries.append(
        Entry(
            "citizen",
            "message",
            {"key": contact.contact_id, "direction": "inbound", "channel": contact.channel},
        )
    )
    change.events.append(inbound_added(case, event))
    if case["status"] == "resolved":
        change.entries.append(Entry("citizen", "reopened", {"reason": "the citizen wrote again"}))
        change.events.append(case_event(CaseReopened, case, at, reason="the citizen wrote again"))
        change.updates.update({"resolved_at": None, "resolution_code": None})
    status_change(case, new_status, at, change)
    return change


def inbound_added(case: Document, event: ContactRouted) -> tuple[str, Any]:
    """``case.message_added`` for the citizen's message, its id derived from the contact's event."""
    contact = event.data
    return message_added(
        case,
        contact.contact_id,
        "inbound",
        contact.channel,
        contact.received_at,
        automatic=False,
        event_id=derived_event_id(event.event_id, "case.message_added"),
    )


def inbound_message(event: ContactRouted) -> Document:
    contact = event.data
    return {
        "key": contact.contact_id,
        "direction": "inbound",
        "channel": contact.channel,
        "at": contact.received_at,
        "subject": contact.subject,
        "text": contact.text,
        "sender": contact.sender.model_dump(),
        "attachments": [a.model_dump() for a in contact.attachments],
        "message_id": contact.thread.message_id,
        "automatic": False,
    }


def reply(
    case: Document, *, text: str, channel: str | None, by: Principal, at: datetime, domain: str
) -> Change:
    new_status = lifecycle.next_status("reply", case["status"])
    chosen = reply_channel(case, channel)
    if chosen == "none":
        raise NoWayToReply(
            "the citizen left no e-mail address, phone number or Messenger id; call or write, then add a note"
        )
    change = outbound(
        case, text=text, channel=chosen, kind="reply", automatic=False, actor=by.subject, at=at, domain=domain
    )
    if not case.get("first_response_at"):
        change.updates["first_response_at"] = at
    status_change(case, new_status, at, change)
    return change


def acknowledgement(
    case: Document,
    *,
    text: str,
    at: datetime,
    domain: str,
    event_id_seed: str,
    seq: int,
    answering: str | None,
    received: datetime,
) -> Change:
    """The automatic receipt (never counted as an answer); ``seq`` is its place in the timeline and
    ``answering`` the Message-ID of the citizen's first message, not yet on the case."""
    return outbound(
        case,
        text=text,
        channel=reply_channel(case, None),
        kind="acknowledgement",
        automatic=True,
        actor="lotsen",
        at=at,
        domain=domain,
        event_id_seed=event_id_seed,
        seq=seq,
        references=[answering] if answering else [],
        last_inbound=received,
    )


def outbound(
    case: Document,
    *,
    text: str,
    channel: str,
    kind: str,
    automatic: bool,
    actor: str,
    at: datetime,
    domain: str,
    event_id_seed: str | None = None,
    seq: int | None = None,
    references: list[str] | None = None,
    last_inbound: datetime | None = None,
) -> Change:
    seq = seq or next_seq(case)
    key = f"{case['_id']}.{seq}.outbound"
    message_id = f"<{key}@{domain}>"
    references = citizen_message_ids(case) + (references or [])
    citizen = case.get("citizen") or {}
    subject = f"{case.get('subject') or 'Ditt ärende'} [{case['_id']}]"
    message = {
        "key": key,
        "direction": "outbound",
        "channel": channel,
        "at": at,
        "subject": subject,
        "text": text,
        "message_id": message_id,
        "automatic": automatic,
        "kind": kind,
        "author": actor,
        "delivery": {"status": "requested"},
    }
    request_data: dict[str, Any] = {
        "case_ref": case["_id"],
        "outbound_id": key,
        "channel": channel,
        "kind": kind,
        "automatic": automatic,
        "text": text,
        "to": {k: citizen.get(k) for k in ("name", "email", "phone", "facebook_psid")},
        "subject": subject,
        "message_id": message_id,
        "in_reply_to": references[-1] if references else None,
        "references": references,
        "language": case.get("language"),
        "last_inbound_at": last_inbound_at(case) or last_inbound,
    }
    if kind == "acknowledgement":
        request_data.update(
            access_code=case.get("access_code"),
            first_response_due=case.get("first_response_due"),
            group_opens_at=case.get("group_opens_at"),
        )
    if kind in ("acknowledgement", "reply", "survey"):  # an SMS links to the status page
        request_data["access_code"] = case.get("access_code")
    request = OutboundRequested(
        producer="casestore",
        organization=case["organization"],
        occurred_at=at,
        data=OutboundRequestedData.model_validate(request_data),
        **(
            {"event_id": derived_event_id(event_id_seed, "outbound.acknowledgement")} if event_id_seed else {}
        ),
    )
    change = Change(pushes={"messages": [message]})
    change.entries.append(
        Entry(
            actor,
            "message",
            {"key": key, "direction": "outbound", "channel": channel, "kind": kind, "automatic": automatic},
        )
    )
    change.events.append(
        message_added(
            case,
            key,
            "outbound",
            channel,
            at,
            automatic=automatic,
            event_id=derived_event_id(event_id_seed, "outbound.message") if event_id_seed else None,
        )
    )
    change.events.append((topics.OUTBOUND_REQUESTS, request))
    return change


def note(case: Document, *, text: str, by: Principal, at: datetime) -> Change:
    lifecycle.check("note", case["status"])
    key = f"{case['_id']}.{next_seq(case)}.note"
    change = Change(
        pushes={
            "messages": [
                {
                    "key": key,
                    "direction": "internal",
                    "channel": "internal",
                    "at": at,
                    "text": text,
                    "author": by.subject,
                    "automatic": False,
                }
            ]
        }
    )
    change.entries.append(Entry(by.subject, "message", {"key": key, "direction": "internal"}))
    change.events.append(message_added(case, key, "internal", "internal", at, automatic=False))
    return change


def message_added(
    case: Document,
    key: str,
    direction: str,
    channel: str,
    at: datetime,
    *,
    automatic: bool,
    event_id: Any = None,
) -> tuple[str, Any]:
    topic, event = case_event(
        CaseMessageAdded,
        case,
        at,
        message_id=key,
        direction=direction,
        channel=channel,
        at=at,
        automatic=automatic,
    )
    if event_id is not None:
        event = event.model_copy(update={"event_id": event_id})
    return topic, event
