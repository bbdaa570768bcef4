"""From a routed contact to a case (DESIGN §7): a message on the case it belongs to, or a new case.

Threading, in order: the reference tag in the subject (``[KGA-2026-000123]``), our outbound
Message-IDs in ``In-Reply-To``/``References``, and the same Messenger sender with a case that is
not closed. A reference is not a key: the contact joins the case only when its sender is someone
the case has corresponded with (:func:`corresponded_with`), so a stranger who quotes a reference
can neither add to someone else's errand nor reopen it. A contact that refers to a case it may not
join, or to a closed case, opens a new case linked to that one.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from lotsen.contracts.cases import CaseCreated
from lotsen.contracts.contacts import ContactRouted, Sender
from lotsen.contracts.envelope import Event, InvalidEvent, derived_event_id
from lotsen.directory import Directory, Organization
from services.casestore import feedback, messages, people, promises
from services.casestore.changes import Cases, Change, Entry, case_event
from services.casestore.position import of_contact as position_of
from services.casestore.repository import Document
from services.casestore.settings import CasestoreSettings

ACKNOWLEDGEMENT_TEXT = "Vi har tagit emot ditt ärende."
MAX_MERGE_HOPS = 10  # merges chain only when a survivor is merged on later; never this deep


def make_reference(org_code: str, year: int, sequence: int) -> str:
    """``KGA-2026-000123``: organisation code, year, sequence per organisation and year."""
    return f"{org_code}-{year}-{sequence:06d}"


def new_access_code() -> str:
    """What the citizen types with the reference to follow the errand: 10 characters, no look-alikes."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def mail_domain(org: Organization) -> str:
    address = org.email_addresses[0] if org.email_addresses else f"{org.id}.invalid"
    return address.rsplit("@", 1)[-1]


def first_response_due(
    received: datetime,
    settings: CasestoreSettings,
    org: Organization | None = None,
    category_id: str | None = None,
) -> datetime:
    """The first-response deadline: the errand type's own (:mod:`promises`), else the default."""
    return promises.first_response_due(org, category_id, received, settings)


def make_handler(*, cases: Cases, directory: Directory, settings: CasestoreSettings):  # type: ignore[no-untyped-def]
    async def on_contact_routed(event: Event[Any]) -> None:
        if not isinstance(event, ContactRouted):
            raise InvalidEvent(f"casestore does not handle {event.type}")
        if event.data.is_auto_reply:
            return  # auto-replies and bounces never open a case nor get an acknowledgement
        org = directory.organization(event.organization)
        if org is None:
            raise InvalidEvent(f"unknown organisation {event.organization!r}")
        existing = await thread_of(event, cases)
        joins = existing is not None and corresponded_with(existing, event.data.sender)
        if existing is not None and joins and existing["status"] != "closed":
            await cases.apply(existing["_id"], lambda case: messages.inbound(case, event, at=cases.clock()))
            return
        await open_case(event, org, cases=cases, settings=settings, follows=existing)

    return on_contact_routed


async def thread_of(event: ContactRouted, cases: Cases) -> Document | None:
    """The case the contact continues; a duplicate merged into another case hands over to that one."""
    case = await _threaded_case(event, cases)
    for _ in range(MAX_MERGE_HOPS):
        if case is None or not case.get("merged_into"):
            break
        case = await cases.repo.get(case["merged_into"])
    return case


def corresponded_with(case: Document, sender: Sender) -> bool:
    """Whether ``sender`` is the case's citizen or has written on the case before, by the keys a
    privacy look-up uses (:mod:`people`): e-mail in any letter case, phone in E.164, Messenger id."""
    inbound = [m for m in case.get("messages", []) if m.get("direction") == "inbound"]
    known = people.of_case(case.get("citizen"), inbound)
    theirs = people.keys(email=sender.email, phone=sender.phone, facebook_psid=sender.facebook_psid)
    return not set(known).isdisjoint(theirs)


async def _threaded_case(event: ContactRouted, cases: Cases) -> Document | None:
    contact = event.data
    ref = contact.thread.case_ref
    if ref:
        case = await cases.repo.get(ref)
        if case is not None and case["organization"] == event.organization:
            return case
    ids = [i for i in (contact.thread.in_reply_to, *contact.thread.references) if i]
    ref = await cases.repo.case_ref_of_message(ids)
    if ref:
        return await cases.repo.get(ref)
    if contact.channel == "facebook" and contact.sender.facebook_psid:
        return await cases.repo.open_case_of_facebook_sender(event.organization, contact.sender.facebook_psid)
    return None


async def open_case(
    event: ContactRouted,
    org: Organization,
    *,
    cases: Cases,
    settings: CasestoreSettings,
    follows: Document | None,
) -> Document:
    """The contact's case, inserted once (unique per contact) with its opening change in the same
    write. A redelivered contact finds its case before it takes a reference number, and publishes
    what its case still has in the outbox."""
    contact = event.data
    domain = mail_domain(org)

    def opened(case: Document) -> Change:
        return opening(case, event, at=cases.clock(), domain=domain) if case["version"] == 0 else Change()

    case = await cases.repo.find_by_origin_contact(contact.contact_id)
    if case is None:
        year = contact.received_at.year
        ref = make_reference(org.code, year, await cases.repo.next_sequence(org.code, year))
        case = await cases.create(skeleton(event, org, ref, settings, follows), opened)
    else:
        await cases.flush(case)
    if case["version"] == 0:  # inserted without its opening by an earlier Lotsen, which then stopped
        case = await cases.apply(case["_id"], opened)
    if follows is not None:
        cause = "closed" if follows["status"] == "closed" else "other_sender"
        await cases.apply(follows["_id"], lambda c: link_back(c, case["_id"], cause))
    return case


def skeleton(
    event: ContactRouted, org: Organization, ref: str, settings: CasestoreSettings, follows: Document | None
) -> Document:
    contact, decision = event.data, event.data.decision
    sender = contact.sender
    extra = contact.model_extra or {}
    received, group = contact.received_at, decision.answer_group
    callback = bool((contact.model_extra or {}).get("callback_requested"))
    if callback:
        due = promises.callback_due(org, decision.category, group, received, settings)
    else:
        due = promises.first_response_due(org, decision.category, received, settings)
    return {
        "_id": ref,
        "ref": ref,
        "version": 0,
        "organization": org.id,
        "status": "new",
        "channel": contact.channel,
        "subject": contact.subject,
        "category": decision.category,
        "department": decision.department,
        "answer_group": decision.answer_group,
        "handled_by": decision.handled_by,
        "rosa_level": decision.rosa_level,
        "priority": decision.priority,
        "confidential": decision.confidential,
        "assignee": None,
        "received_at": contact.received_at,
        "created_at": event.occurred_at,
        "updated_at": event.occurred_at,
        "first_response_due": due,
        "group_opens_at": promises.group_opens_at(org, group, received),
        **({"callback_requested": True} if callback else {}),
        "first_response_at": None,
        "due_at": None,
        "origin_contact_id": contact.contact_id,
        "access_code": new_access_code(),
        "registered_by": extra.get("registered_by"),
        "survey_opt_out": bool(extra.get("survey_opt_out")),
        "form_id": contact.form_id,
        "position": position_of(contact),
        "feedback": feedback.from_contact(event, org),
        "citizen": sender.model_dump(),
        "language": contact.language,
        "routing": decision.model_dump(),
        "links": [follows["_id"]] if follows else [],
        "messages": [],
        "timeline": [],
        "outbox": [],
        "ever_handed_off": False,
    }


def opening(case: Document, event: ContactRouted, *, at: datetime, domain: str) -> Change:
    contact = event.data
    change = Change(pushes={"messages": [messages.inbound_message(event)]})
    change.entries.append(
        Entry(
            "lotsen",
            "created",
            {"channel": contact.channel, "decision": case["routing"], "links": case.get("links", [])},
        )
    )
    change.entries.append(
        Entry(
            "citizen",
            "message",
            {"key": contact.contact_id, "direction": "inbound", "channel": contact.channel},
        )
    )
    topic, created = case_event(
        CaseCreated,
        case,
        case["created_at"],
        channel=case["channel"],
        received_at=case["received_at"],
        category=case["category"],
        department=case["department"],
        answer_group=case["answer_group"],
        handled_by=case["handled_by"],
        rosa_level=case["rosa_level"],
        confidential=case["confidential"],
        form_id=contact.form_id,
        contact_id=contact.contact_id,
        feedback_kind=(case.get("feedback") or {}).get("kind"),
        feedback_department=(case.get("feedback") or {}).get("department"),
        first_response_due=case.get("first_response_due"),
    )
    created = created.model_copy(update={"event_id": derived_event_id(event.event_id, "case.created")})
    change.events.append((topic, created))
    change.events.append(messages.inbound_added(case, event))
    # A citizen who gave only a phone number gets the receipt by SMS, whatever the channel.
    if contact.channel in messages.ACKNOWLEDGED_CHANNELS or messages.reply_channel(case, None) == "phone":
        ack = messages.acknowledgement(
            case,
            text=ACKNOWLEDGEMENT_TEXT,
            at=at,
            domain=domain,
            event_id_seed=str(event.event_id),
            seq=len(change.entries) + 1,
            answering=contact.thread.message_id,
            received=contact.received_at,
        )
        change.pushes["messages"] += ack.pushes["messages"]
        change.entries += ack.entries
        change.events += ack.events
    return change


def link_back(case: Document, new_ref: str, cause: str) -> Change:
    """``cause``: ``closed`` (the citizen wrote again after the case closed) or ``other_sender`` (a
    contact from someone the case never corresponded with referred to it)."""
    if new_ref in case.get("links", []):
        return Change()
    return Change(
        pushes={"links": [new_ref]}, entries=[Entry("citizen", "linked", {"ref": new_ref, "cause": cause})]
    )
