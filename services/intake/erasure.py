"""``case.erased`` on ``cases.events`` → the case's files are deleted from intake's attachment store.

casestore erases a case on a person's request (GDPR art. 17) and when its retention ends; either way
it publishes ``case.erased`` with the contact ids of the case's messages and the SHA-256 of its
files. Each file drops those contacts' references and is deleted once no contact refers to it (a file
another, unerased case also carries stays until that case is erased too). Other case events are
not intake's business and pass.
"""

from __future__ import annotations

from typing import Any

from lotsen.contracts.cases import CaseErased
from lotsen.contracts.envelope import Event
from lotsen.errors import Unavailable
from lotsen.kafka import RetryLater
from services.intake.repository import AttachmentStore

HANDLES = (CaseErased.event_type,)  # the rest of cases.events passes without a look-up per event


def make_handler(files: AttachmentStore):  # type: ignore[no-untyped-def]
    async def on_case_event(event: Event[Any]) -> None:
        if not isinstance(event, CaseErased):
            return
        try:
            for sha256 in event.data.attachments:
                for contact_id in event.data.contacts:
                    await files.release(sha256=sha256, contact_id=contact_id)
        except Unavailable as exc:
            raise RetryLater(f"attachments of {event.data.case_ref} stay until MongoDB answers") from exc

    return on_case_event
