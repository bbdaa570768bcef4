"""``POST /v1/contacts/email``: a raw message over HTTP, for MTAs that pipe mail to a command."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel

from lotsen.auth import Connector
from services.intake.bodies import UnsupportedMediaType, media_type, read_limited
from services.intake.contacts import fingerprint, hold_key
from services.intake.deps import DirectoryDep, IntakeDep, SettingsDep
from services.intake.email.receive import receive_email

router = APIRouter(tags=["e-mail"])


class EmailAccepted(BaseModel):
    contact_id: str
    contact_ids: list[str]
    organizations: list[str]
    is_auto_reply: bool


@router.post(
    "/v1/contacts/email",
    status_code=202,
    response_model=EmailAccepted,
    summary="Receive one e-mail message (RFC 5322) over HTTP",
    description=(
        "The body is the message exactly as delivered (`Content-Type: message/rfc822`). Connector key "
        "required. The organisation is found from `recipient` (the envelope recipients; repeat the "
        "parameter), else from `Delivered-To`, `X-Original-To`, `To` and `Cc`. Idempotent on the "
        "Message-ID: posting the same message again answers with the same contact; an optional "
        "`Idempotency-Key` reused with a different message or recipients is refused with 409 "
        "`idempotency_key_reused`. Answers 202 only after Kafka acknowledged the contact; 413 too "
        "large, 415 not `message/rfc822`, 422 not a message or no known recipient, 503 (with "
        "`Retry-After`) when it cannot be stored right now."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def receive_email_over_http(
    request: Request,
    connector: Connector,
    intake: IntakeDep,
    settings: SettingsDep,
    directory: DirectoryDep,
    recipient: Annotated[list[str] | None, Query(max_length=100, description="envelope recipient")] = None,
    x_envelope_from: Annotated[str | None, Header(max_length=500)] = None,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> EmailAccepted:
    if media_type(request) != "message/rfc822":
        raise UnsupportedMediaType(
            "send the raw message with 'Content-Type: message/rfc822'",
            details={"content_type": request.headers.get("content-type")},
        )
    raw = await read_limited(request, settings.email_max_message_bytes, what="the message")
    recipients = [r for r in recipient or [] if r.strip()][:100]
    if idempotency_key:
        request_fingerprint = fingerprint([hashlib.sha256(raw).hexdigest(), recipients, x_envelope_from])
        await hold_key(intake, f"email-key:{connector.subject}", idempotency_key, request_fingerprint)
    received = await receive_email(
        raw,
        intake=intake,
        settings=settings,
        directory=directory,
        recipients=recipients,
        envelope_from=x_envelope_from,
        via="http",
    )
    return EmailAccepted(
        contact_id=received.contact_ids[0],
        contact_ids=received.contact_ids,
        organizations=received.organizations,
        is_auto_reply=received.is_auto_reply,
    )
