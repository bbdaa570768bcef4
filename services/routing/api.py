"""The routing API: the directory, and the simulator (a contact in, the decision and its explanation out)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lotsen.auth import Staff
from lotsen.contracts.contacts import Channel, ContactReceivedData, RoutingDecision
from lotsen.directory import Directory
from lotsen.errors import DomainError, NotFound
from services.routing.dependencies import RoutingDep
from services.routing.rules import Ruleset, RulesetVersion, validate_rules

router = APIRouter(tags=["routing"])


class UnknownOrganization(DomainError):
    status = 422
    code = "unknown_organization"


class InvalidContact(DomainError):
    status = 422
    code = "invalid_contact"


class SimulationRequest(BaseModel):
    """The ``data`` of a contact.received event (only channel, organization and text are required).

    ``rules`` tries a draft ruleset instead of the stored one (validated, never stored);
    ``ruleset_version`` replays a stored version. Without either, the version active at
    ``received_at`` (default: now) decides, as it would for a real contact.
    """

    model_config = ConfigDict(extra="allow")
    channel: Channel
    organization: str
    text: str
    contact_id: str = "simulation"
    received_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    rules: list[Any] | None = Field(None, description="a draft ruleset to try; nothing is stored")
    ruleset_version: int | None = Field(None, ge=1, description="a stored version to decide with")


class SimulatedRuleset(BaseModel):
    version: int
    draft: bool
    activated_at: datetime | None


class SimulationResult(BaseModel):
    decision: RoutingDecision
    ruleset: SimulatedRuleset


@router.get(
    "/v1/directory", response_model=Directory, summary="Organisations, departments, answer groups, categories"
)
async def get_directory(request: Request, principal: Staff) -> Directory:
    return request.app.state.runtime.directory  # type: ignore[no-any-return]


@router.post(
    "/v1/rules/simulate", response_model=SimulationResult, summary="Route a contact without storing it"
)
async def simulate(body: SimulationRequest, routing: RoutingDep, principal: Staff) -> SimulationResult:
    directory = routing.router.directory
    org = directory.organization(body.organization)
    if org is None:
        raise UnknownOrganization(
            f"unknown organization {body.organization!r}",
            details={"field": "organization", "known": [o.id for o in directory.organizations]},
        )
    try:
        contact = ContactReceivedData.model_validate(
            body.model_dump(exclude={"organization", "rules", "ruleset_version"})
        )
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg")}
            for e in exc.errors()
        ]
        raise InvalidContact(
            f"the contact is not valid: {problems[0]['field']}: {problems[0]['problem']}", details=problems
        ) from exc
    rulesets = routing.rulesets
    await rulesets.refresh()
    if body.rules is not None:
        ruleset = Ruleset(
            RulesetVersion(
                version=rulesets.active.version + 1,
                rules=validate_rules(body.rules, directory),
                author=principal.subject,
                activated_at=datetime.now(UTC),
                comment="draft (simulation)",
            )
        )
    elif body.ruleset_version is not None:
        found = rulesets.version(body.ruleset_version)
        if found is None:
            raise NotFound(f"there is no ruleset version {body.ruleset_version}")
        ruleset = found
    else:
        ruleset = rulesets.active_at(contact.received_at)
    draft = body.rules is not None
    return SimulationResult(
        decision=routing.router.decide(contact, org, ruleset),
        ruleset=SimulatedRuleset(
            version=ruleset.version, draft=draft, activated_at=None if draft else ruleset.activated_at
        ),
    )
