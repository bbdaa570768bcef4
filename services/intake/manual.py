"""``POST /v1/contacts/manual``: visits, letters and phone errands an agent registers.

A letter's scans come as files in a ``multipart/form-data`` post; a phone errand may name the
``call_id`` of the call it came from.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import TypeAdapter

from lotsen.auth import Principal, Staff
from lotsen.contracts.contacts import ContactReceived, ContactReceivedData, Sender
from lotsen.directory import Directory, Organization
from lotsen.errors import DomainError, Forbidden
from services.intake import contacts
from services.intake.bodies import (
    UnsupportedMediaType,
    inline_schema,
    media_type,
    parse_fields,
    parse_json,
    read_limited,
    read_multipart,
)
from services.intake.contacts import FileContent
from services.intake.deps import DirectoryDep, IntakeDep, SettingsDep
from services.intake.language import guess_language
from services.intake.models import Accepted, ManualRegistration
from services.intake.settings import IntakeSettings

router = APIRouter(tags=["contacts"])
_REGISTRATION = TypeAdapter(ManualRegistration)
_BODY = inline_schema(ManualRegistration)
SUBJECTS = {"visit": "Besök", "letter": "Brev", "phone": "Telefonärende"}


class InvalidRegistration(DomainError):
    status = 422
    code = "invalid_registration"


@router.post(
    "/v1/contacts/manual",
    status_code=202,
    response_model=Accepted,
    summary="Register a visit, a letter or a phone errand",
    description=(
        "For staff who work cases (bearer token; an administrator is refused with 403). JSON, or "
        "`multipart/form-data` with the same fields and the letter's scans as files. Answers 202 "
        "only after Kafka acknowledged the contact; `Idempotency-Key` makes a retry return the "
        "first answer; the same key with a different registration is refused with 409 "
        "`idempotency_key_reused`."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _BODY},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            **{k: {"type": "string"} for k in _BODY["properties"]},
                            "attachments": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        },
                        "required": ["channel", "message"],
                    }
                },
            },
        }
    },
)
async def register_contact(
    request: Request,
    agent: Staff,
    intake: IntakeDep,
    settings: SettingsDep,
    directory: DirectoryDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Accepted:
    if agent.role == "admin":
        # As casestore refuses opening a case: a registered contact becomes one.
        raise Forbidden("administrators configure Lotsen; opening a case needs a role that works cases")
    registration, files = await read_registration(request, settings)
    org = organization_of(registration, agent, directory)
    now = datetime.now(UTC)
    received_at = registration.received_at or now
    if received_at > now + timedelta(minutes=5):
        raise InvalidRegistration("received_at lies in the future", details={"field": "received_at"})
    event = ContactReceived(
        producer="intake",
        organization=org.id,
        data=ContactReceivedData(
            contact_id=contacts.new_contact_id(),
            channel=registration.channel,
            received_at=received_at,
            sender=Sender(name=registration.name, email=registration.email, phone=registration.phone),
            subject=registration.subject or SUBJECTS[registration.channel],
            text=registration.message,
            attachments=[f.described() for f in files],
            category_hint=registration.category_hint,
            language=guess_language(registration.subject, registration.message),
            call_id=registration.call_id,
            registered_by=agent.subject,
            # casestore keeps the citizen's no on the case and sends them no survey invitation
            **({"survey_opt_out": True} if registration.no_survey else {}),
        ),
    )
    contact_id = await contacts.accept(
        event=event,
        intake=intake,
        scope=f"manual:{agent.subject}",
        idempotency_key=idempotency_key,
        request_fingerprint=contacts.fingerprint(
            [registration.model_dump(mode="json"), [f.sha256 for f in files]]
        )
        if idempotency_key
        else None,
        files=files,
    )
    return Accepted(contact_id=contact_id)


def organization_of(registration: ManualRegistration, agent: Principal, directory: Directory) -> Organization:
    """The organisation the contact is for: the one named, else the caller's only one, else the
    directory's default; refused (403, as casestore refuses opening a case) unless the caller works
    for it. A handler works only for the organisations the token lists: none listed, none served."""
    served = agent.organization_scope
    if registration.organization:
        wanted = registration.organization
    elif served is not None and len(served) == 1:
        wanted = served[0]
    else:
        wanted = directory.default_organization.id
    org = directory.organization(wanted)
    if org is None:
        raise InvalidRegistration(
            f"unknown organization {wanted!r}",
            details={"field": "organization", "known": [o.id for o in directory.organizations]},
        )
    if served == ():
        raise Forbidden(
            f"your account lists no organisation, so you may not register contacts for {org.id!r}; "
            "a handler's account must name the organisations the handler works for",
            details={"organization": org.id},
        )
    if not agent.serves(org.id):
        raise Forbidden(f"you may not register contacts for {org.id!r}", details={"organization": org.id})
    return org


async def read_registration(
    request: Request, settings: IntakeSettings
) -> tuple[ManualRegistration, list[FileContent]]:
    kind = media_type(request)
    if kind == "application/json":
        return parse_json(_REGISTRATION, await read_limited(request, settings.json_max_bytes)), []
    if kind == "multipart/form-data":
        fields, files = await read_multipart(
            request,
            body=await read_limited(request, settings.upload_max_bytes),
            max_files=settings.attachments_max_count,
            max_file_bytes=settings.attachment_max_bytes,
        )
        return parse_fields(ManualRegistration, {k: v for k, v in fields.items() if v.strip()}), files
    raise UnsupportedMediaType(
        "send the registration as application/json or multipart/form-data",
        details={"content_type": request.headers.get("content-type")},
    )
