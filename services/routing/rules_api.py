"""The ruleset over HTTP: read the active version and the old ones, activate a new one (admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from lotsen.auth import Admin, Staff
from lotsen.errors import NotFound
from services.routing.dependencies import RoutingDep
from services.routing.rules import Rule, Ruleset, RulesetSummary, validate_rules

router = APIRouter(tags=["rules"])


class RulesetView(BaseModel):
    version: int
    active: bool
    author: str
    activated_at: datetime
    comment: str
    rules: list[Rule]

    @classmethod
    def of(cls, ruleset: Ruleset, *, active: Ruleset) -> RulesetView:
        stored = ruleset.stored
        return cls(
            version=stored.version,
            active=ruleset.version == active.version,
            author=stored.author,
            activated_at=stored.activated_at,
            comment=stored.comment,
            rules=stored.rules,
        )


class RulesetChange(BaseModel):
    """A whole new ruleset: the rules in order, why, and (optionally) the version it was edited from."""

    rules: list[Any] = Field(description="the rules, in evaluation order")
    comment: str = Field("", max_length=500)
    base_version: int | None = Field(
        None, description="refuse (409) if another version was activated since this one was read"
    )


class RulesetVersions(BaseModel):
    active_version: int
    items: list[RulesetSummary]


@router.get(
    "/v1/rules", response_model=RulesetView, response_model_exclude_none=True, summary="The active ruleset"
)
async def get_rules(routing: RoutingDep, principal: Staff) -> RulesetView:
    await routing.rulesets.refresh()
    active = routing.rulesets.active
    return RulesetView.of(active, active=active)


@router.put(
    "/v1/rules",
    response_model=RulesetView,
    response_model_exclude_none=True,
    status_code=201,
    summary="Activate a new ruleset version (validated; the previous versions are kept)",
)
async def put_rules(body: RulesetChange, routing: RoutingDep, principal: Admin) -> RulesetView:
    rules = validate_rules(body.rules, routing.router.directory)
    ruleset = await routing.rulesets.activate(
        rules, author=principal.subject, comment=body.comment, base_version=body.base_version
    )
    return RulesetView.of(ruleset, active=ruleset)


@router.get(
    "/v1/rules/versions", response_model=RulesetVersions, summary="Every ruleset version, newest first"
)
async def list_versions(routing: RoutingDep, principal: Staff) -> RulesetVersions:
    await routing.rulesets.refresh()
    active = routing.rulesets.active
    items = [
        RulesetSummary(
            version=r.version,
            author=r.stored.author,
            activated_at=r.activated_at,
            comment=r.stored.comment,
            rule_count=len(r.stored.rules),
            active=r.version == active.version,
        )
        for r in reversed(routing.rulesets.versions)
    ]
    return RulesetVersions(active_version=active.version, items=items)


@router.get(
    "/v1/rules/versions/{version}",
    response_model=RulesetView,
    response_model_exclude_none=True,
    summary="One ruleset version",
)
async def get_version(version: int, routing: RoutingDep, principal: Staff) -> RulesetView:
    await routing.rulesets.refresh()
    found = routing.rulesets.version(version)
    if found is None:
        raise NotFound(f"there is no ruleset version {version}")
    return RulesetView.of(found, active=routing.rulesets.active)
