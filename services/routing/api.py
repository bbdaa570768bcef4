"""The routing API: the directory, the ruleset and the simulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from lotsen.auth import Staff
from lotsen.contracts.contacts import ContactReceivedData, RoutingDecision
from lotsen.directory import Directory
from lotsen.errors import DomainError
from services.routing.decide import BUILTIN_RULESET_VERSION, decide

router = APIRouter(tags=["routing"])


class UnknownOrganization(DomainError):
    status = 422
    code = "unknown_organization"


class SimulationRequest(BaseModel):
    """The ``data`` of a contact.received event; only channel, organization and text are required."""

    model_config = ConfigDict(extra="allow")
    channel: str
    organization: str
    text: str
    contact_id: str = "simulation"
    received_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class SimulationResult(BaseModel):
    decision: RoutingDecision


@router.get(
    "/v1/directory", response_model=Directory, summary="Organisations, departments, answer groups, categories"
)
async def get_directory(request: Request, principal: Staff) -> Directory:
    return request.app.state.runtime.directory  # type: ignore[no-any-return]


@router.get("/v1/rules", summary="The active ruleset")
async def get_rules(principal: Staff) -> dict[str, Any]:
    return {"version": BUILTIN_RULESET_VERSION, "rules": [], "active": True}


@router.post(
    "/v1/rules/simulate", response_model=SimulationResult, summary="Route a contact without storing it"
)
async def simulate(body: SimulationRequest, request: Request, principal: Staff) -> SimulationResult:
    org = request.app.state.runtime.directory.organization(body.organization)
    if org is None:
        raise UnknownOrganization(f"unknown organization {body.organization!r}")
    contact = ContactReceivedData.model_validate(body.model_dump())
    return SimulationResult(decision=decide(contact, org))
