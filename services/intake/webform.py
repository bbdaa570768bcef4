"""``POST /v1/contacts/webform``: the municipality's web forms and e-service platforms.

Public: citizens post straight from the browser (JSON, ``multipart/form-data`` with files, or a
plain HTML form), so each address has a rate limit and robots a honeypot. E-service platforms
send ``X-Connector-Key`` and skip the rate limit. Forms come from the directory.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter

from lotsen.addresses import request_client
from lotsen.auth import principal_of
from lotsen.contracts.contacts import ContactReceived, ContactReceivedData, Sender
from lotsen.direct_routes import direct_route
from lotsen.directory import Directory, Form, Organization
from lotsen.errors import DomainError
from lotsen.ratelimit import RateLimiter, WindowLimit
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
from services.intake.language import guess_language
from services.intake.models import Accepted, WebformSubmission
from services.intake.settings import IntakeSettings

router = APIRouter(tags=["contacts"])
_SUBMISSION = TypeAdapter(WebformSubmission)
_STANDARD_FIELDS = frozenset(WebformSubmission.model_fields)
MAX_FORM_FIELD_CHARS = 5_000
HOUR = 3600.0
DAY = 24 * HOUR


class InvalidSubmission(DomainError):
    status = 422
    code = "invalid_submission"


def limiter_for(settings: IntakeSettings) -> RateLimiter:
    return RateLimiter(
        [
            WindowLimit(settings.webform_per_hour, HOUR, "an hour"),
            WindowLimit(settings.webform_per_day, DAY, "a day"),
        ],
        what="submissions",
        advice="or call or e-mail the municipality",
    )


_BODY = inline_schema(WebformSubmission)


IDEMPOTENCY_KEY_MAX = 200


@router.post(
    "/v1/contacts/webform",
    status_code=202,
    response_model=None,
    responses={202: {"model": Accepted, "description": "accepted: Kafka acknowledged the contact"}},
    summary="Receive a web form submission",
    description=(
        "Public (citizens post from the browser) or with a connector key (`X-Connector-Key`, no rate "
        "limit). JSON, `multipart/form-data` (the same fields, `location` as JSON or `lat`/`lon`, "
        "files in any file field) or `application/x-www-form-urlencoded`. Answers 202 only after "
        "Kafka acknowledged the contact; `Idempotency-Key` makes a retry return the first answer, and "
        "the same key with a different body is refused with 409 `idempotency_key_reused`. 422 names "
        "the field that is not valid, 429 with `Retry-After` over the rate limit, 413 over the size "
        "limits, 503 with `Retry-After` when it cannot be stored right now."
    ),
    openapi_extra={
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX},
                "description": "the same key makes a retry answer with the first contact id",
            }
        ],
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
                        "required": ["form_id", "message"],
                    }
                },
            },
        },
    },
)
async def receive_webform(request: Request) -> JSONResponse:
    # The channel that takes bursts, answered as a direct route (lotsen/direct_routes.py): it reads
    # its header itself and returns its own response; the OpenAPI text is in the decorator.
    state = request.app.state
    intake, settings, directory = state.intake, state.settings, state.runtime.directory
    idempotency_key = request.headers.get("Idempotency-Key")
    if idempotency_key is not None and len(idempotency_key) > IDEMPOTENCY_KEY_MAX:
        raise InvalidSubmission(
            f"the Idempotency-Key header is longer than {IDEMPOTENCY_KEY_MAX} characters",
            details={"field": "Idempotency-Key"},
        )
    principal = principal_of(request)
    if principal is None or not principal.is_connector:
        state.webform_limiter.hit(request_client(request, settings.trusted_proxies))
    submission, files = await read_submission(request, settings)
    org, form = check(submission, directory)
    contact_id = contacts.new_contact_id()
    event = ContactReceived(
        event_id=contacts.event_id_for(contact_id),
        producer="intake",
        organization=org.id,
        data=ContactReceivedData(
            contact_id=contact_id,
            channel="webform",
            received_at=datetime.now(UTC),
            sender=Sender(name=submission.name, email=submission.email, phone=submission.phone),
            subject=submission.subject or form.name,
            text=submission.message,
            attachments=[f.described() for f in files],
            form_id=form.id,
            category_hint=submission.category_hint or form.category_hint,
            location=submission.location,
            address=submission.address,
            language=submission.language or guess_language(submission.subject, submission.message),
            form_fields=form_fields(
                submission, form, connector=principal is not None and principal.is_connector
            ),
        ),
    )
    scope = f"webform:{principal.subject if principal else 'public'}"
    contact_id = await contacts.accept(
        event=event,
        intake=intake,
        scope=scope,
        idempotency_key=idempotency_key,
        request_fingerprint=contacts.fingerprint(
            [submission.model_dump(mode="json"), [f.sha256 for f in files]]
        )
        if idempotency_key
        else None,
        files=files,
    )
    return JSONResponse({"contact_id": contact_id}, status_code=202)


DIRECT_ROUTE = direct_route(router, receive_webform)


async def read_submission(
    request: Request, settings: IntakeSettings
) -> tuple[WebformSubmission, list[FileContent]]:
    kind = media_type(request)
    if kind == "application/json" or kind.endswith("+json"):
        raw = await read_limited(request, settings.json_max_bytes)
        return parse_json(_SUBMISSION, raw), []
    if kind == "multipart/form-data":
        raw = await read_limited(request, settings.upload_max_bytes)
        fields, files = await read_multipart(
            request,
            body=raw,
            max_files=settings.attachments_max_count,
            max_file_bytes=settings.attachment_max_bytes,
        )
        return parse_fields(WebformSubmission, form_values(fields)), files
    if kind == "application/x-www-form-urlencoded":
        raw = await read_limited(request, settings.json_max_bytes)
        pairs = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=200)
        return parse_fields(WebformSubmission, form_values(dict(reversed(pairs)))), []
    raise UnsupportedMediaType(
        "send the form as application/json, multipart/form-data or application/x-www-form-urlencoded",
        details={"content_type": request.headers.get("content-type")},
    )


def form_values(fields: dict[str, str]) -> dict[str, Any]:
    """Form fields as the JSON shape: ``location`` from JSON or from ``lat``/``lon``."""
    values: dict[str, Any] = dict(fields)
    location = values.pop("location", None)
    lat = values.pop("lat", None) or values.pop("location.lat", None)
    lon = values.pop("lon", None) or values.pop("location.lon", None)
    if isinstance(location, str) and location.strip():
        try:
            values["location"] = json.loads(location)
        except ValueError:
            values["location"] = location  # refused by validation with the field named
    elif lat or lon:
        values["location"] = {"lat": lat, "lon": lon}
    return values


def check(submission: WebformSubmission, directory: Directory) -> tuple[Organization, Form]:
    """The organisation and form of a submission that the directory's rules accept."""
    if submission.website:
        raise InvalidSubmission("the field 'website' must be left empty", details={"field": "website"})
    org = (
        directory.organization(submission.organization)
        if submission.organization
        else directory.default_organization
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
    for field in form.fields:
        if field.required and not _value(submission, field.name):
            raise InvalidSubmission(
                f"the form {form.id!r} needs the field {field.name!r}", details={"field": field.name}
            )
    for field in form.fields:
        chosen = _value(submission, field.name)
        if field.options is not None and chosen not in (None, "") and chosen not in field.options:
            raise InvalidSubmission(
                f"the field {field.name!r} is one of {', '.join(field.options)}, not {chosen!r}",
                details={"field": field.name, "options": field.options},
            )
    if not form.anonymous_allowed and not (submission.email or submission.phone):
        raise InvalidSubmission(
            f"the form {form.id!r} needs an e-mail address or a phone number so we can answer",
            details={"field": "email"},
        )
    return org, form


def _value(submission: WebformSubmission, name: str) -> object:
    if name in _STANDARD_FIELDS:
        return getattr(submission, name)
    value = (submission.model_extra or {}).get(name)
    return value.strip() if isinstance(value, str) else value


def form_fields(submission: WebformSubmission, form: Form, *, connector: bool) -> dict[str, str]:
    """Values of the form's own fields (defined in the directory beyond the standard ones); a field
    only a connector may fill is left out of a public post (a citizen does not credit a department)."""
    kept: dict[str, str] = {}
    for field in form.fields:
        if field.name in _STANDARD_FIELDS or (field.connector_only and not connector):
            continue
        value = _value(submission, field.name)
        if value is None or isinstance(value, dict | list):
            continue
        text = str(value)
        if len(text) > MAX_FORM_FIELD_CHARS:
            raise InvalidSubmission(
                f"the field {field.name!r} is longer than {MAX_FORM_FIELD_CHARS} characters",
                details={"field": field.name},
            )
        kept[field.name] = text
    return kept
