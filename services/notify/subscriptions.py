"""``/v1/subscriptions``: how each department wants to hear of errands (admin only).

A subscription names its organisation and department: department ids repeat across organisations
(each has its confidential ``social``), so a subscription matches handoffs of that organisation's
department only. An administrator whose token lists organisations sees and manages the
subscriptions of those only; one listing none manages all, and those stored without an
organisation (:mod:`unassigned`), which match nothing until given one.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from fastapi import APIRouter, Request, Response
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, model_validator

from lotsen.auth import Admin, Principal
from lotsen.directory import Directory
from lotsen.errors import DomainError, Forbidden, NotFound
from services.notify.repository import SubscriptionRepository
from services.notify.webhook_targets import WebhookTargets

router = APIRouter(tags=["subscriptions"])


class UnknownDepartment(DomainError):
    status = 422
    code = "unknown_department"


class OrganizationRequired(DomainError):
    status = 422
    code = "organization_required"


EventType = Literal[
    "case.handed_off",
    "case.reminder_due",
    "case.returned",
    "case.resolved",
    "case.created",
    "case.closed",
    "case.recategorised",
    "case.registered",
    "case.feedback_classified",
]
NoticeEventType = Literal["notice.published", "notice.withdrawn", "notice.expired", "kb.review_due"]
"""Notices are the organisation's: a subscription to them gets every notice of its organisation,
whichever department it names (the web site's, the phone system's). ``kb.review_due`` goes to the
owning department's subscriptions only."""
ReportEventType = Literal["report.monthly", "report.tertial"]
"""The department's monthly or tertial report (``report.ready`` of that kind): an e-mail to the
department's contact address with the report as HTML and CSV, and the event to the subscription's
webhook."""
SubscribableEvent = Literal[EventType, NoticeEventType, ReportEventType]


class SubscriptionCreate(BaseModel):
    department: str = Field(min_length=1, max_length=64)
    organization: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="whose department; may be left out when the administrator's token lists exactly "
        "one organisation",
    )
    url: AnyHttpUrl | None = Field(
        None,
        description="https, to a public address (or one in NOTIFY_WEBHOOK_ALLOWED_NETWORKS); http in dev "
        "mode. Left out (with the secret): e-mail only, for the reports (report.monthly, "
        "report.tertial), which go to the department's address in the directory",
    )
    secret: str | None = Field(
        None, min_length=16, max_length=200, description="shared secret for X-Lotsen-Signature"
    )
    event_types: list[SubscribableEvent] = Field(min_length=1)
    active: bool = True

    @model_validator(mode="after")
    def _a_webhook_or_reports_by_email(self) -> SubscriptionCreate:
        if (self.url is None) != (self.secret is None):
            raise ValueError("give both 'url' and 'secret' for a webhook, or neither for reports by e-mail")
        by_email_only = set(get_args(ReportEventType))
        if self.url is None and not set(self.event_types) <= by_email_only:
            raise ValueError(
                "without a webhook 'url' a subscription takes only the reports by e-mail "
                f"({', '.join(sorted(by_email_only))}); the other events go to a webhook"
            )
        return self


class SubscriptionChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization: str | None = Field(
        None, min_length=1, max_length=64, description="the organisation, for one stored without it"
    )
    active: bool | None = None


class SubscriptionRead(BaseModel):
    id: str
    department: str
    organization: str | None = Field(
        None, description="null only for a subscription stored without one: it matches nothing"
    )
    url: str | None = Field(None, description="null: reports by e-mail only")
    event_types: list[str]
    active: bool
    created_at: datetime


def _repo(request: Request) -> SubscriptionRepository:
    return SubscriptionRepository(request.app.state.runtime.db)


def _directory(request: Request) -> Directory:
    return request.app.state.runtime.directory  # type: ignore[no-any-return]


def organization_for(named: str | None, principal: Principal) -> str:
    """The organisation named, or the administrator's only one; 403 for one they do not work for."""
    served = principal.organization_scope
    if named is None:
        if served is None or len(served) != 1:
            raise OrganizationRequired(
                "name the organisation in 'organization': department ids repeat across organisations",
                details={"field": "organization", "yours": list(served) if served else None},
            )
        return served[0]
    if not principal.serves(named):
        raise Forbidden(f"you do not work for {named}", details={"organization": named})
    return named


def check_known(directory: Directory, *, department: str, organization: str) -> None:
    org = directory.organization(organization)
    if org is None:
        raise UnknownDepartment(
            f"no organisation {organization!r} in the directory",
            details={"field": "organization", "known": [o.id for o in directory.organizations]},
        )
    if org.department(department) is None:
        raise UnknownDepartment(
            f"no department {department!r} of {organization} in the directory",
            details={"field": "department", "known": [d.id for d in org.departments]},
        )


def _read(doc: dict[str, Any]) -> SubscriptionRead:
    return SubscriptionRead(
        id=doc["_id"],
        organization=doc.get("organization"),
        url=doc.get("url"),
        **{k: doc[k] for k in ("department", "event_types", "active", "created_at")},
    )


async def _visible(request: Request, subscription_id: str, principal: Principal) -> dict[str, Any]:
    """The subscription, if the administrator manages it; another organisation's answers 404."""
    doc = await _repo(request).get(subscription_id)
    served = principal.organization_scope
    if doc is None or (served is not None and doc.get("organization") not in served):
        raise NotFound(f"no subscription {subscription_id}")
    return doc


@router.get("/v1/subscriptions", response_model=list[SubscriptionRead])
async def list_subscriptions(
    request: Request, principal: Admin, department: str | None = None
) -> list[SubscriptionRead]:
    found = await _repo(request).list(department=department, organizations=principal.organization_scope)
    return [_read(d) for d in found]


@router.post("/v1/subscriptions", response_model=SubscriptionRead, status_code=201)
async def create_subscription(
    body: SubscriptionCreate, request: Request, principal: Admin
) -> SubscriptionRead:
    organization = organization_for(body.organization, principal)
    check_known(_directory(request), department=body.department, organization=organization)
    targets: WebhookTargets = request.app.state.webhook_targets
    if body.url is not None:
        await targets.check(str(body.url))  # 422 saying why: not https, not public, does not resolve
    doc = {
        "_id": str(uuid.uuid4()),
        "department": body.department,
        "organization": organization,
        "url": str(body.url) if body.url is not None else None,
        "secret": body.secret,
        "event_types": list(body.event_types),
        "active": body.active,
        "created_at": datetime.now(UTC),
        "created_by": principal.subject,
    }
    await _repo(request).insert(doc)
    return _read(doc)


@router.patch(
    "/v1/subscriptions/{subscription_id}",
    response_model=SubscriptionRead,
    summary="Set the organisation of a subscription stored without one, or pause and resume it",
)
async def change_subscription(
    subscription_id: str, body: SubscriptionChange, request: Request, principal: Admin
) -> SubscriptionRead:
    doc = await _visible(request, subscription_id, principal)
    changes: dict[str, Any] = {}
    if body.organization is not None:
        organization = organization_for(body.organization, principal)
        check_known(_directory(request), department=doc["department"], organization=organization)
        changes["organization"] = organization
    if body.active is not None:
        changes["active"] = body.active
    if not changes:
        return _read(doc)
    changes |= {"changed_at": datetime.now(UTC), "changed_by": principal.subject}
    updated = await _repo(request).update(subscription_id, changes)
    if updated is None:
        raise NotFound(f"no subscription {subscription_id}")
    return _read(updated)


@router.delete("/v1/subscriptions/{subscription_id}", status_code=204)
async def delete_subscription(subscription_id: str, request: Request, principal: Admin) -> Response:
    await _visible(request, subscription_id, principal)
    if not await _repo(request).delete(subscription_id):
        raise NotFound(f"no subscription {subscription_id}")
    return Response(status_code=204)
