"""``/v1/deliveries``: every delivery with its attempts, and redelivery of failed ones (admin only).

An administrator whose token lists organisations sees and retries the deliveries of those only;
another organisation's delivery answers 404, as if it did not exist. Administrators never see
confidential cases (*sekretess*, docs/cases.md), so a delivery to the citizen of a confidential case
is read without the citizen's address and attempt texts (:func:`deliveries.withheld`); a delivery
recorded before deliveries carried ``confidential`` is judged by the case facts notify keeps.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from lotsen.auth import Admin, Principal
from services.notify.deliveries import DeliveryNotFound, Status, Target, redelivery, withheld
from services.notify.notifier import Notifier

router = APIRouter(tags=["deliveries"])


class Attempt(BaseModel):
    at: datetime
    outcome: Literal["delivered", "failed", "retry_requested"]
    detail: str | None = None
    status_code: int | None = None


class DeliveryRead(BaseModel):
    id: str = Field(description="the X-Lotsen-Delivery id; the same on every repeat")
    target: Target
    status: Status
    case_ref: str
    organization: str
    confidential: bool = Field(
        False,
        description="the case is confidential (sekretess): a delivery to the citizen is shown without "
        "the citizen's address or Messenger id, and its texts read 'withheld: …'",
    )
    event_type: str
    event_id: str
    subscription_id: str | None = None
    department: str | None = None
    recipient: str | None = Field(None, description="webhook URL, e-mail address or Messenger id")
    outbound_id: str | None = None
    channel: str | None = None
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    failed_at: datetime | None = None
    give_up_at: datetime | None = None
    reason: str | None = Field(None, description="why it failed, once failed")
    last_error: str | None = None
    history: list[Attempt]


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    next_cursor: str | None


def _notifier(request: Request) -> Notifier:
    return request.app.state.notifier  # type: ignore[no-any-return]


def read(doc: dict[str, Any]) -> DeliveryRead:
    """``doc`` as an administrator may read it; ``confidential`` decided (:func:`confidential_marked`)."""
    if doc.get("confidential"):
        doc = withheld(doc)
    fields = {name: doc.get(name) for name in DeliveryRead.model_fields if name != "id"}
    return DeliveryRead.model_validate({**fields, "id": doc["_id"], "history": doc.get("history", [])})


async def confidential_marked(notifier: Notifier, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``docs`` with ``confidential`` true where their case is, by their own flag or, for one
    recorded without it or before notify heard, by the case facts."""
    unsure = sorted({d["case_ref"] for d in docs if not d.get("confidential")})
    secret = await notifier.facts.confidential_among(unsure) if unsure else set()
    return [d | {"confidential": bool(d.get("confidential")) or d["case_ref"] in secret} for d in docs]


@router.get("/v1/deliveries", response_model=DeliveryPage, summary="Deliveries, newest first")
async def list_deliveries(
    request: Request,
    principal: Admin,
    status: Status | None = None,
    target: Target | None = None,
    case_ref: Annotated[str | None, Query(max_length=40)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    subscription_id: Annotated[str | None, Query(max_length=64)] = None,
    event_type: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[int | None, Query(ge=0, description="next_cursor of the previous page")] = None,
) -> DeliveryPage:
    filters = {
        "status": status,
        "target": target,
        "case_ref": case_ref,
        "department": department,
        "subscription_id": subscription_id,
        "event_type": event_type,
    }
    docs = await _notifier(request).deliveries.find(
        filters, before_seq=cursor, limit=limit, organizations=principal.organization_scope
    )
    next_cursor = str(docs[-1]["seq"]) if len(docs) == limit else None
    marked = await confidential_marked(_notifier(request), docs)
    return DeliveryPage(items=[read(d) for d in marked], next_cursor=next_cursor)


async def _visible(notifier: Notifier, delivery_id: str, principal: Principal) -> dict[str, Any]:
    """The delivery, if it is of an organisation the administrator works for; else 404."""
    doc = await notifier.deliveries.get(delivery_id)
    if doc is None or not principal.serves(doc.get("organization")):
        raise DeliveryNotFound(f"no delivery {delivery_id}")
    [marked] = await confidential_marked(notifier, [doc])
    return marked


@router.get("/v1/deliveries/{delivery_id}", response_model=DeliveryRead)
async def get_delivery(delivery_id: str, request: Request, principal: Admin) -> DeliveryRead:
    return read(await _visible(_notifier(request), delivery_id, principal))


@router.post(
    "/v1/deliveries/{delivery_id}/retry",
    response_model=DeliveryRead,
    summary="Send a failed delivery again, now (same id, history kept)",
)
async def retry_delivery(delivery_id: str, request: Request, principal: Admin) -> DeliveryRead:
    notifier = _notifier(request)
    doc = await _visible(notifier, delivery_id, principal)
    changes = redelivery(doc, now=notifier.clock(), by=principal.subject)
    if not await notifier.deliveries.update(delivery_id, changes, status="failed"):
        # Someone retried it a moment ago: answer with what it is now.
        doc = await _visible(notifier, delivery_id, principal)
        return read(doc)
    notifier.wake()
    return read({**doc, **changes})
