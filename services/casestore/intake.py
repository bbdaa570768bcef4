"""From a routed contact to a case (DESIGN §7): a new case, or a message on the case it belongs to."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from lotsen.contracts import topics
from lotsen.contracts.cases import CaseCreated, CaseCreatedData, CaseMessageAdded, CaseMessageAddedData
from lotsen.contracts.contacts import ContactRouted
from lotsen.contracts.envelope import Event, InvalidEvent, derived_event_id
from lotsen.directory import Directory
from lotsen.kafka.publisher import Publisher
from services.casestore.repository import CaseRepository, Document


def make_reference(org_code: str, year: int, sequence: int) -> str:
    """``KGA-2026-000123``: organisation code, year, sequence per organisation and year."""
    return f"{org_code}-{year}-{sequence:06d}"


def new_access_code() -> str:
    """What the citizen types with the reference to follow the errand: 10 characters, no look-alikes."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def make_handler(
    *, cases: CaseRepository, publisher: Publisher, directory: Directory, first_response_hours: int
):  # type: ignore[no-untyped-def]
    async def on_contact_routed(event: Event[Any]) -> None:
        if not isinstance(event, ContactRouted):
            raise InvalidEvent(f"casestore does not handle {event.type} on {topics.CONTACTS_ROUTED}")
        if event.data.is_auto_reply:
            return  # auto-replies and bounces never open a case
        case = await open_case(
            event, cases=cases, directory=directory, first_response_hours=first_response_hours
        )
        await record_inbound_message(event, case, cases=cases)
        await publish_opened(event, case, publisher=publisher)

    return on_contact_routed


async def open_case(
    event: ContactRouted, *, cases: CaseRepository, directory: Directory, first_response_hours: int
) -> Document:
    contact = event.data
    existing = await cases.find_by_origin_contact(contact.contact_id)
    if existing is not None:
        return existing
    org = directory.organization(event.organization)
    if org is None:
        raise InvalidEvent(f"unknown organisation {event.organization!r}")
    received = contact.received_at
    sequence = await cases.next_sequence(org.code, received.year)
    decision = contact.decision
    case: Document = {
        "ref": make_reference(org.code, received.year, sequence),
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
        "received_at": received,
        "created_at": event.occurred_at,
        "updated_at": event.occurred_at,
        "first_response_due": received + timedelta(hours=first_response_hours),
        "due_at": None,
        "origin_contact_id": contact.contact_id,
        "access_code": new_access_code(),
        "citizen": contact.sender.model_dump(),
        "language": contact.language,
        "routing": decision.model_dump(),
    }
    return await cases.insert_case(case)


async def record_inbound_message(event: ContactRouted, case: Document, *, cases: CaseRepository) -> None:
    contact = event.data
    await cases.add_message(
        {
            "_id": contact.contact_id,
            "case_ref": case["ref"],
            "direction": "inbound",
            "channel": contact.channel,
            "at": contact.received_at,
            "subject": contact.subject,
            "text": contact.text,
            "sender": contact.sender.model_dump(),
            "attachments": [a.model_dump() for a in contact.attachments],
            "thread": contact.thread.model_dump(),
        }
    )


async def publish_opened(event: ContactRouted, case: Document, *, publisher: Publisher) -> None:
    """Publish case.created and the first message; ids derived from the contact make repeats harmless."""
    contact = event.data
    created = CaseCreated(
        event_id=derived_event_id(event.event_id, "case.created"),
        producer="casestore",
        organization=case["organization"],
        occurred_at=case["created_at"],
        data=CaseCreatedData(
            case_ref=case["ref"],
            channel=case["channel"],
            received_at=case["received_at"],
            category=case["category"],
            department=case["department"],
            answer_group=case["answer_group"],
            handled_by=case["handled_by"],
            rosa_level=case["rosa_level"],
            confidential=case["confidential"],
        ),
    )
    message = CaseMessageAdded(
        event_id=derived_event_id(event.event_id, "case.message_added"),
        producer="casestore",
        organization=case["organization"],
        occurred_at=case["created_at"],
        data=CaseMessageAddedData(
            case_ref=case["ref"],
            message_id=contact.contact_id,
            direction="inbound",
            channel=contact.channel,
            at=contact.received_at,
            automatic=False,
        ),
    )
    await publisher.publish(topics.CASES_EVENTS, created, key=case["ref"])
    await publisher.publish(topics.CASES_EVENTS, message, key=case["ref"])
