"""Targets (mål) per organisation and answer group: ``GET /v1/stats/targets``, ``GET`` and ``PUT
/v1/stats/targets/{organization}``. Who may do what is in :mod:`services.stats.targets.service`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from lotsen.auth import OptionalPrincipal, Principal
from services.stats.targets.model import OrganizationTargets
from services.stats.targets.service import TargetStore, readable, settable

router = APIRouter(tags=["stats"])
Organization = Annotated[str, Path(description="an organisation id of the directory, e.g. degerfors")]


def _store(request: Request) -> TargetStore:
    store: TargetStore = request.app.state.targets
    return store


StoreDep = Annotated[TargetStore, Depends(_store)]


@router.get("/v1/stats/targets", summary="Mål: the targets of every organisation you read, and the defaults")
async def list_targets(request: Request, principal: OptionalPrincipal, store: StoreDep) -> dict[str, Any]:
    yours = readable(principal, None, require_token=request.app.state.settings.require_token)
    organizations = [o for o in store.organizations if yours is None or o in yours]
    book = await store.book()
    return {
        "defaults": store.defaults(),
        "organizations": [await store.read(o, book) for o in organizations],
    }


@router.get("/v1/stats/targets/{organization}", summary="Mål: one organisation's targets")
async def get_targets(
    request: Request, organization: Organization, principal: OptionalPrincipal, store: StoreDep
) -> dict[str, Any]:
    readable(principal, organization, require_token=request.app.state.settings.require_token)
    return await store.read(organization)


async def _administrator(organization: Organization, principal: OptionalPrincipal) -> Principal:
    """Checked before the body is read: a caller who may not set targets learns that first."""
    return settable(principal, organization)


@router.put("/v1/stats/targets/{organization}", summary="Mål: set an organisation's targets (administrators)")
async def put_targets(
    request: Request,
    organization: Organization,
    body: OrganizationTargets,
    principal: Annotated[Principal, Depends(_administrator)],
    store: StoreDep,
) -> dict[str, Any]:
    return await store.put(organization, body, by=principal, at=request.app.state.clock())
