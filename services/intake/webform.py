"""``POST /v1/contacts/webform``: the municipality's web forms and e-service platforms."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Request

from lotsen.auth import OptionalPrincipal
from lotsen.contracts.contacts import ContactReceived, ContactReceivedData, Sender
from lotsen.errors import DomainError
from services.intake import contacts
from services.intake.models import Accepted, WebformSubmission
from services.intake.repository import IdempotencyRecords

router = APIRouter(tags=["contacts"])


class InvalidSubmission(DomainError):
    status = 422
    code = "invalid_submission"


@router.post(
    "/v1/contacts/webform",
    status_code=202,
    response_model=Accepted,
    summary="Receive a web form submission",
    description=(
        "Public (citizens post from the browser) or with a connector key (`X-Connector-Key`). "
        "Answers 202 only after Kafka acknowledged the contact. `Idempotency-Key` makes a retry "
        "return the first answer."
    ),
)
async def receive_webform(
    submission: WebformSubmission,
    request: Request,
    principal: OptionalPrincipal,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Accepted:
    if submission.website:
        raise InvalidSubmission("the field 'website' must be left empty", details={"field": "website"})
    runtime = request.app.state.runtime
    directory = runtime.directory
    org = (
        directory.organization(submission.organization)
        if submission.organization
        else (directory.default_organization)
    )
    if org is None:
        raise InvalidSubmission(
            f"unknown organization {submission.organization!r}",
            details={"field": "organization", "known": [o.id for o in directory.organizations]},
        )
    form = org.form(submission.form_id)
    if form is None:
        raise InvalidSubmission(
            f"organization {org.id!r} has no form {submission.form_id!r}",
            details={"field": "form_id", "known": [f.id for f in org.forms]},
        )
    if not form.anonymous_allowed and not (submission.email or submission.phone):
        raise InvalidSubmission(
            f"the form {form.id!r} needs an e-mail address or a phone number so we can answer",
            details={"field": "email"},
        )
    event = ContactReceived(
        producer="intake",
        organization=org.id,
        data=ContactReceivedData(
            contact_id=contacts.new_contact_id(),
            channel="webform",
            received_at=datetime.now(UTC),
            sender=Sender(name=submission.name, email=submission.email, phone=submission.phone),
            subject=submission.subject or form.name,
            text=submission.message,
            form_id=form.id,
            category_hint=submission.category_hint or form.category_hint,
            location=submission.location,
        ),
    )
    scope = f"webform:{principal.subject if principal else 'public'}"
    contact_id = await contacts.accept(
        event=event,
        publisher=runtime.publisher,
        records=IdempotencyRecords(runtime.db),
        scope=scope,
        idempotency_key=idempotency_key,
        request_fingerprint=contacts.fingerprint(submission.model_dump(mode="json")),
    )
    return Accepted(contact_id=contact_id)
