"""The agent's own "done" after a call (*klar med efterarbete*): ``POST /v1/calls/{call_id}/wrap-up``
announces ``call.wrapped_up`` (``source: "agent"``) on ``calls.events`` through an outbox.

For telephony platforms that do not report the after-call work themselves. A wrap-up is one document
in ``call_wrap_ups`` carrying its event; the event is published right after the write, and one that
Kafka did not take stays in the outbox for the relay (lease ``casestore-wrap-up-relay``) to publish
later with the same event id, as transfers do (transfers.py). The wrap-up's id comes from the call
and its organisation, so a second click for the same call records nothing new and answers the first
one (200 instead of 201); its event, published again at most, has the same id, which consumers skip.

Who: an agent or a supervisor (both answer the queue) who works for the call's organisation. Which
organisation: ``organization`` in the body, else the caller's only one; a caller working for several
(or, with no list, for all) must name it, since a call's figures count under its organisation.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from lotsen.auth import Principal, require_roles
from lotsen.contracts import topics
from lotsen.contracts.calls import CallWrappedUp, CallWrappedUpData
from lotsen.errors import DomainError, NotFound
from lotsen.kafka.publisher import Publisher
from services.casestore import permissions
from services.casestore.changes import outbox_item
from services.casestore.deps import DirectoryDep
from services.casestore.staff.api import CallId
from services.casestore.staff.call_outbox import CallOutbox
from services.casestore.staff.repository import Document, StaffRepository

router = APIRouter(tags=["switchboard"])
_WRAP_UPS = uuid.UUID("0b9a4c52-3d7e-4f61-a2c8-5e1f7d3b9a40")
MAX_WRAP_UP_SECONDS = 4 * 3600
CallAgent = Annotated[Principal, Depends(require_roles("agent", "supervisor"))]


class InvalidWrapUp(DomainError):
    status = 422
    code = "invalid_wrap_up"


class WrapUpWrite(BaseModel):
    wrap_up_seconds: float = Field(
        ge=0,
        le=MAX_WRAP_UP_SECONDS,
        allow_inf_nan=False,
        description="seconds of after-call work, hang-up to done (at most 4 hours)",
    )
    organization: str | None = Field(
        None, max_length=64, description="the call's organisation; needed if you work for several"
    )


class WrapUpRead(BaseModel):
    id: str
    call_id: str
    organization: str
    wrap_up_seconds: float
    agent: str
    at: datetime


def wrap_up_id(call_id: str, organization: str) -> str:
    return str(uuid.uuid5(_WRAP_UPS, f"{call_id}|{organization}"))


def new_wrap_up(
    *, call_id: str, organization: str, wrap_up_seconds: float, agent: str, at: datetime | None = None
) -> Document:
    at = at or datetime.now(UTC)
    ident = wrap_up_id(call_id, organization)
    event = CallWrappedUp(
        event_id=uuid.uuid5(_WRAP_UPS, ident),
        producer="casestore",
        organization=organization,
        occurred_at=at,
        data=CallWrappedUpData(
            call_id=call_id, at=at, wrap_up_seconds=wrap_up_seconds, agent=agent, source="agent"
        ),
    )
    return {
        "_id": ident,
        "call_id": call_id,
        "organization": organization,
        "wrap_up_seconds": wrap_up_seconds,
        "agent": agent,
        "at": at,
        "outbox": [outbox_item(topics.CALLS_EVENTS, event, call_id)],
    }


class WrapUps(CallOutbox):
    def __init__(self, repo: StaffRepository, publisher: Publisher) -> None:
        super().__init__(
            "wrap-up",
            publisher,
            forget=repo.forget_published_wrap_up,
            waiting=repo.wrap_ups_with_unpublished_events,
        )
        self.repo = repo

    async def record(self, wrap_up: Document) -> tuple[Document, bool]:
        stored, new = await self.repo.insert_wrap_up(wrap_up)
        await self.flush(stored)
        return stored, new


def _wrap_ups(request: Request) -> WrapUps:
    return request.app.state.wrap_ups  # type: ignore[no-any-return]


WrapUpsDep = Annotated[WrapUps, Depends(_wrap_ups)]


def organization_of_call(principal: Principal, named: str | None, directory: DirectoryDep) -> str:
    scope = permissions.scope_of(principal)
    if named is None:
        if scope.organizations is not None and len(scope.organizations) == 1:
            return scope.organizations[0]
        raise InvalidWrapUp(
            "name the call's organization: you work for more than one", details={"field": "organization"}
        )
    if directory.organization(named) is None or not scope.serves(named):
        raise NotFound(f"no organisation {named} that you work for")
    return named


@router.post(
    "/v1/calls/{call_id}/wrap-up",
    response_model=WrapUpRead,
    status_code=201,
    summary="Mark the after-call work of a call done ('Klar med efterarbete')",
    responses={200: {"description": "already marked done: the first wrap-up, unchanged"}},
)
async def wrap_up_call(
    call_id: CallId,
    body: WrapUpWrite,
    principal: CallAgent,
    wrap_ups: WrapUpsDep,
    directory: DirectoryDep,
    response: Response,
) -> WrapUpRead:
    organization = organization_of_call(principal, body.organization, directory)
    stored, new = await wrap_ups.record(
        new_wrap_up(
            call_id=call_id,
            organization=organization,
            wrap_up_seconds=body.wrap_up_seconds,
            agent=principal.subject,
        )
    )
    if not new:
        response.status_code = 200
    return WrapUpRead(id=stored["_id"], **{k: stored[k] for k in WrapUpRead.model_fields if k != "id"})
