"""One e-mail in, one contact per addressed organisation out: shared by SMTP and ``POST /v1/contacts/email``.

Parse → find the organisations of the recipients → accept, idempotent on the Message-ID (or, for a
message without one, a hash of its bytes) per organisation: the MTA's retry never makes a second
contact, and a message to two organisations of the directory becomes one contact for each.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from datetime import UTC, datetime

from lotsen.contracts.contacts import ContactReceived, ContactReceivedData
from lotsen.directory import Directory, Organization
from services.intake.contacts import Intake, accept, contact_id_for
from services.intake.email.parse import ParsedEmail, parse_email
from services.intake.email.refusals import Limits, UnknownRecipient
from services.intake.settings import IntakeSettings

PARSE_INLINE_BYTES = 512 * 1024  # larger messages are parsed off the event loop


@dataclass(frozen=True)
class Received:
    contact_ids: list[str]
    organizations: list[str]
    is_auto_reply: bool


def limits(settings: IntakeSettings) -> Limits:
    return Limits(
        message_bytes=settings.email_max_message_bytes,
        attachment_bytes=settings.attachment_max_bytes,
        attachments=settings.attachments_max_count,
    )


def organizations_for(addresses: list[str], directory: Directory) -> list[tuple[Organization, str]]:
    """Each organisation the addresses reach, once, with the first of its addresses."""
    found: dict[str, tuple[Organization, str]] = {}
    for address in addresses:
        org = directory.organization_for_email(address.strip("<> "))
        if org is not None and org.id not in found:
            found[org.id] = (org, address.strip("<> ").lower())
    return list(found.values())


async def receive_email(
    raw: bytes,
    *,
    intake: Intake,
    settings: IntakeSettings,
    directory: Directory,
    recipients: list[str] | None = None,
    envelope_from: str | None = None,
    via: str,
) -> Received:
    """Accept ``raw`` for the organisations of ``recipients`` (else of its Delivered-To/To/Cc)."""
    parse = functools.partial(
        parse_email, raw, limits(settings), envelope_from=envelope_from, header_recipients=not recipients
    )
    parsed = await asyncio.to_thread(parse) if len(raw) > PARSE_INLINE_BYTES else parse()
    addresses = recipients if recipients else parsed.recipients
    targets = organizations_for(addresses, directory)
    if not targets:
        raise UnknownRecipient(
            "none of the recipients is an address of the organisations served here: "
            + (", ".join(addresses[:10]) or "(no recipient)"),
            details={"recipients": addresses[:10]},
        )
    contact_ids = []
    for org, address in targets:
        event = contact_event(parsed, org, address, via=via)
        contact_ids.append(
            await accept(
                event=event,
                intake=intake,
                scope=f"email:{org.id}",
                idempotency_key=parsed.dedupe_key,
                files=parsed.files,
            )
        )
    return Received(contact_ids, [org.id for org, _ in targets], parsed.auto_reply is not None)


def contact_event(parsed: ParsedEmail, org: Organization, address: str, *, via: str) -> ContactReceived:
    return ContactReceived(
        producer="intake",
        organization=org.id,
        data=ContactReceivedData(
            contact_id=contact_id_for(f"email:{org.id}:{parsed.dedupe_key}"),
            channel="email",
            received_at=datetime.now(UTC),
            sender=parsed.sender,
            subject=parsed.subject,
            text=parsed.text,
            attachments=[f.described() for f in parsed.files],
            thread=parsed.thread,
            language=parsed.language,
            is_auto_reply=parsed.auto_reply is not None,
            # Additions to the contract (DESIGN §3 allows them):
            recipient=address,
            via=via,
            sections=parsed.sections,
            html=parsed.html,
            auto_reply_reason=parsed.auto_reply,
            sent_at=parsed.sent_at,
        ),
    )
