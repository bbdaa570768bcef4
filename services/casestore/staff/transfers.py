"""Calls connected to a person or a department (*kopplat samtal*): recorded, and announced on
``calls.events`` as ``call.transferred`` through an outbox.

A transfer is one document in ``call_transfers`` carrying its event; the event is published right
after the write, and one that Kafka did not take stays in the document's outbox for the relay (lease
``casestore-transfer-relay``) to publish later with the same event id, as a case's events do
(changes.py). The transfer's id comes from the call and where it went, so a second click on
"Kopplad" for the same call and person records nothing new and publishes the same event id again
at most, which consumers skip.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from lotsen.contracts import topics
from lotsen.contracts.calls import CallTransferred, CallTransferredData
from lotsen.kafka.publisher import Publisher
from services.casestore.changes import outbox_item
from services.casestore.staff.call_outbox import CallOutbox
from services.casestore.staff.repository import Document, StaffRepository

_TRANSFERS = uuid.UUID("6f1d2c1e-8a51-4c33-9d7e-3b0f5a7c2e10")


def transfer_id(call_id: str, organization: str, department: str, staff_id: str | None) -> str:
    return str(uuid.uuid5(_TRANSFERS, f"{call_id}|{organization}|{department}|{staff_id or ''}"))


def new_transfer(
    *,
    call_id: str,
    organization: str,
    department: str,
    staff_id: str | None,
    to: str | None,
    by: str,
    at: datetime | None = None,
) -> Document:
    at = at or datetime.now(UTC)
    ident = transfer_id(call_id, organization, department, staff_id)
    event = CallTransferred(
        event_id=uuid.uuid5(_TRANSFERS, ident),
        producer="casestore",
        organization=organization,
        occurred_at=at,
        data=CallTransferredData(
            call_id=call_id, at=at, to=to, department=department, staff_id=staff_id, transferred_by=by
        ),
    )
    return {
        "_id": ident,
        "call_id": call_id,
        "organization": organization,
        "department": department,
        "staff_id": staff_id,
        "by": by,
        "at": at,
        "outbox": [outbox_item(topics.CALLS_EVENTS, event, call_id)],
    }


class Transfers(CallOutbox):
    def __init__(self, repo: StaffRepository, publisher: Publisher) -> None:
        super().__init__(
            "transfer", publisher, forget=repo.forget_published, waiting=repo.with_unpublished_events
        )
        self.repo = repo

    async def record(self, transfer: Document) -> Document:
        stored = await self.repo.insert_transfer(transfer)
        await self.flush(stored)
        return stored
