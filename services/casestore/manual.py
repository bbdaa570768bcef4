"""`POST /v1/cases`: an agent opens a case at once — on the phone, at the desk, from a letter.

Intake's ``POST /v1/contacts/manual`` registers a contact that routing classifies and casestore
numbers a moment later (202). Here the agent has already decided what the errand is and needs the
reference *now*, to tell the citizen: the case is opened in the request and answered with its
reference and access code (201).

The case is opened exactly as a routed contact opens one — the same document, timeline entries and
``case.created``/``case.message_added`` events — from a ``contact.routed`` whose decision is the
agent's choice: the category from the organisation's catalogue, and with it the department, answer
group, ROSA level, confidentiality and first line or department, unless the request says otherwise.
An ``Idempotency-Key`` makes a retried request answer with the same case; the same key with another
body is refused (``idempotency.py``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header
from pydantic import BaseModel, ConfigDict, Field

from lotsen.auth import Principal, Staff
from lotsen.contracts.contacts import ContactRouted, ContactRoutedData, RoutingDecision, Sender
from lotsen.directory import Category, Organization
from lotsen.email_address import EmailAddress
from lotsen.errors import DomainError, Forbidden
from services.casestore import idempotency, permissions
from services.casestore.deps import CasesDep, DirectoryDep, SettingsDep
from services.casestore.intake import open_case
from services.casestore.models import CASE_EXAMPLE, CaseDetail

router = APIRouter(tags=["cases"])

_MANUAL_NAMESPACE = uuid.UUID("6f0d2a4e-8b1c-4f7a-9e35-2c8d1b7f4a60")


class UnknownInDirectory(DomainError):
    status = 422
    code = "unknown_in_directory"


class ManualCase(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organization": "karlskoga",
                    "channel": "phone",
                    "category": "bygglov",
                    "subject": "Bygglov för altan",
                    "message": "Ringde och frågade om bygglov för en altan på 25 kvm. Vill bli uppringd.",
                    "name": "Sara Öberg",
                    "phone": "+46701234567",
                }
            ]
        },
    )

    organization: str = Field(min_length=1, max_length=64)
    channel: Literal["phone", "visit", "letter"] = Field(description="how the citizen reached us")
    category: str = Field(min_length=1, max_length=64, description="an errand type of the organisation")
    subject: str | None = Field(None, max_length=300)
    message: str = Field(min_length=1, max_length=20_000, description="what the citizen asked or wrote")
    name: str | None = Field(None, max_length=200)
    email: EmailAddress | None = None
    phone: str | None = Field(None, max_length=40)
    department: str | None = Field(None, max_length=64, description="overrides the category's department")
    handled_by: Literal["first_line", "department"] | None = Field(
        None, description="overrides the category's agreement: who works the errand"
    )
    priority: Literal["low", "normal", "high", "urgent"] | None = None
    confidential: bool | None = Field(
        None, description="the category's or department's confidentiality when absent; true can only add"
    )
    call_id: str | None = Field(None, max_length=200, description="the call this errand came from")
    no_survey: bool = Field(False, description="the citizen does not want the satisfaction survey")


class ManualCaseCreated(CaseDetail):
    access_code: str = Field(description="what the citizen types with the reference to follow the errand")

    model_config = ConfigDict(json_schema_extra={"examples": [{**CASE_EXAMPLE, "access_code": "K7M2Q9TXAB"}]})


@router.post(
    "/v1/cases",
    response_model=ManualCaseCreated,
    status_code=201,
    summary="Open a case for an errand registered by staff (phone, visit, letter)",
    responses={
        201: {"description": "the case, with its reference and the citizen's access code"},
        403: {
            "description": "administrators, staff of other organisations and handlers outside the "
            "case's department may not"
        },
        409: {"description": "the Idempotency-Key was already used for a different request"},
        422: {"description": "unknown organisation, category or department"},
    },
)
async def create_case(
    body: ManualCase,
    principal: Staff,
    cases: CasesDep,
    settings: SettingsDep,
    directory: DirectoryDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> ManualCaseCreated:
    if principal.role == "admin":
        raise Forbidden("administrators configure Lotsen; opening a case needs a role that works cases")
    org = directory.organization(body.organization)
    if org is None:
        raise UnknownInDirectory(
            f"no organisation {body.organization!r}",
            details={"field": "organization", "known": [o.id for o in directory.organizations]},
        )
    permissions.ensure_serves(org.id, principal)
    category = org.category(body.category)
    if category is None:
        raise UnknownInDirectory(f"{org.id} has no category {body.category!r}", details={"field": "category"})
    decision = manual_decision(body, org, category, by=principal)
    if principal.role == "handler" and decision.department not in principal.departments:
        raise Forbidden("a department handler opens cases for their own departments only")
    if idempotency_key:
        await idempotency.claim(
            cases.repo, principal=principal, key=idempotency_key, endpoint="POST /v1/cases", body=body
        )
    event = routed_event(
        body,
        category,
        decision,
        org=org,
        contact_id=_contact_id(principal, idempotency_key),
        registered_by=principal.subject,
    )
    case = await open_case(event, org, cases=cases, settings=settings, follows=None)
    return ManualCaseCreated.model_validate(case)


def manual_decision(
    body: ManualCase, org: Organization, category: Category, *, by: Principal
) -> RoutingDecision:
    department_id = body.department or category.department
    department = org.department(department_id) if department_id else None
    if department_id and department is None:
        raise UnknownInDirectory(
            f"{org.id} has no department {department_id!r}",
            details={"field": "department", "known": [d.id for d in org.departments]},
        )
    if body.department:
        group = org.answer_group_for_department(body.department) or org.answer_group_for_category(category)
    else:
        group = org.answer_group_for_category(category)
    confidential = org.confidential(category, department_id) or bool(body.confidential)
    handled_by = body.handled_by or category.handled_by
    return RoutingDecision(
        handled_by=handled_by,
        answer_group=group.id if group else None,
        department=department_id,
        category=category.id,
        rosa_level=category.rosa_level,
        priority=body.priority or category.priority,
        confidential=confidential,
        ruleset_version=0,
        explanation=f"Registrerat av {by.subject} ({by.role}): {category.name}, "
        + ("första linjen" if handled_by == "first_line" else f"förvaltningen {department_id}"),
    )


def routed_event(
    body: ManualCase,
    category: Category,
    decision: RoutingDecision,
    *,
    org: Organization,
    contact_id: str,
    registered_by: str = "staff",
) -> ContactRouted:
    received = datetime.now(UTC)
    data: dict[str, Any] = {
        "contact_id": contact_id,
        "channel": body.channel,
        "received_at": received,
        "sender": Sender(name=body.name, email=body.email, phone=body.phone),
        "subject": body.subject or category.name,
        "text": body.message,
        "decision": decision,
        "registered_by": registered_by,  # as intake's manual contacts say it: who registered it
        "survey_opt_out": body.no_survey,
    }
    if body.call_id:
        data["call_id"] = body.call_id
    event = ContactRouted(producer="casestore", organization=org.id, data=ContactRoutedData(**data))
    # One request, one event id: a retry with the same Idempotency-Key derives the same ids.
    return event.model_copy(
        update={"event_id": uuid.uuid5(_MANUAL_NAMESPACE, f"contact.routed:{contact_id}")}
    )


def _contact_id(principal: Principal, idempotency_key: str | None) -> str:
    if idempotency_key:
        return str(uuid.uuid5(_MANUAL_NAMESPACE, f"{principal.subject}:{idempotency_key}"))
    return str(uuid.uuid4())
