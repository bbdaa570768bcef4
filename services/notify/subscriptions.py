"""``/v1/subscriptions``: how each department wants to hear of errands (admin only)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import AnyHttpUrl, BaseModel, Field

from lotsen.auth import Admin
from lotsen.directory import Directory
from lotsen.errors import DomainError, NotFound
from services.notify.repository import SubscriptionRepository
from services.notify.webhook_targets import WebhookTargets

router = APIRouter(tags=["subscriptions"])


class UnknownDepartment(DomainError):
    status = 422
    code = "unknown_department"


EventType = Literal[
    "case.handed_off", "case.reminder_due", "case.returned", "case.resolved", "case.created", "case.closed"
]


class SubscriptionCreate(BaseModel):
    department: str = Field(min_length=1, max_length=64)
    organization: str | None = Field(
        None, max_length=64, description="only errands of this organisation; any organisation if absent"
    )
    url: AnyHttpUrl = Field(
        description="https, to a public address (or one in NOTIFY_WEBHOOK_ALLOWED_NETWORKS); http in dev mode"
    )
    secret: str = Field(min_length=16, max_length=200, description="shared secret for X-Lotsen-Signature")
    event_types: list[EventType] = Field(min_length=1)
    active: bool = True


class SubscriptionRead(BaseModel):
    id: str
    department: str
    organization: str | None = None
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime


def _repo(request: Request) -> SubscriptionRepository:
    return SubscriptionRepository(request.app.state.runtime.db)


def _check_known(directory: Directory, *, department: str, organization: str | None) -> None:
    organizations = (
        [o for o in directory.organizations if o.id == organization]
        if organization
        else directory.organizations
    )
    if organization and not organizations:
        raise UnknownDepartment(f"no organisation {organization!r} in the directory")
    if not any(o.department(department) for o in organizations):
        where = f" of {organization}" if organization else ""
        raise UnknownDepartment(f"no department {department!r}{where} in the directory")


def _read(doc: dict[str, Any]) -> SubscriptionRead:
    return SubscriptionRead(
        id=doc["_id"],
        organization=doc.get("organization"),
        **{k: doc[k] for k in ("department", "url", "event_types", "active", "created_at")},
    )


@router.get("/v1/subscriptions", response_model=list[SubscriptionRead])
async def list_subscriptions(
    request: Request, principal: Admin, department: str | None = None
) -> list[SubscriptionRead]:
    return [_read(d) for d in await _repo(request).list(department=department)]


@router.post("/v1/subscriptions", response_model=SubscriptionRead, status_code=201)
async def create_subscription(
    body: SubscriptionCreate, request: Request, principal: Admin
) -> SubscriptionRead:
    _check_known(
        request.app.state.runtime.directory, department=body.department, organization=body.organization
    )
    targets: WebhookTargets = request.app.state.webhook_targets
    await targets.check(str(body.url))  # 422 saying why: not https, not public, does not resolve
    doc = {
        "_id": str(uuid.uuid4()),
        "department": body.department,
        "organization": body.organization,
        "url": str(body.url),
        "secret": body.secret,
        "event_types": list(body.event_types),
        "active": body.active,
        "created_at": datetime.now(UTC),
        "created_by": principal.subject,
    }
    await _repo(request).insert(doc)
    return _read(doc)


@router.delete("/v1/subscriptions/{subscription_id}", status_code=204)
async def delete_subscription(subscription_id: str, request: Request, principal: Admin) -> Response:
    if not await _repo(request).delete(subscription_id):
        raise NotFound(f"no subscription {subscription_id}")
    return Response(status_code=204)
