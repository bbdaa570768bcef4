"""``GET services.{json,xml}`` and ``GET services/{service_code}.{json,xml}``: an organisation's
fault-report categories as GeoReport v2 services.

A category is a service when the directory gives it an ``open311`` block (group, keywords,
description, attributes); its ``service_code`` is the category id, so a request routes to that
category. ``jurisdiction_id`` is the organisation id; without it, the directory's default organisation.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lotsen.directory import Category, Directory, Open311Attribute, Organization
from services.intake.open311.formats import InvalidField, NotFound, answer, answering

router = APIRouter(prefix="/open311/v2", tags=["open311"])
ID_MAX_CHARS = 100


def jurisdiction(directory: Directory, jurisdiction_id: str | None) -> Organization:
    if not jurisdiction_id:
        return directory.default_organization
    if len(jurisdiction_id) > ID_MAX_CHARS:
        raise InvalidField(f"jurisdiction_id is longer than {ID_MAX_CHARS} characters")
    org = directory.organization(jurisdiction_id)
    if org is None:
        known = ", ".join(o.id for o in directory.organizations)
        raise NotFound(f"unknown jurisdiction_id {jurisdiction_id!r}; this server serves {known}")
    return org


def services_of(org: Organization) -> list[Category]:
    return [c for c in org.categories if c.open311 is not None]


def service(org: Organization, service_code: str | None) -> Category:
    category = org.category(service_code) if service_code and len(service_code) <= ID_MAX_CHARS else None
    if category is None or category.open311 is None:
        raise NotFound(f"{org.id} has no service {str(service_code)[:ID_MAX_CHARS]!r}: see services.json")
    return category


def service_entry(category: Category) -> dict[str, Any]:
    offered = category.open311
    assert offered is not None
    return {
        "service_code": category.id,
        "service_name": category.name,
        "description": offered.description or category.description or category.name,
        "metadata": bool(offered.attributes),
        "type": "realtime",
        "keywords": ", ".join(offered.keywords),
        "group": offered.group,
    }


def attribute_entry(attribute: Open311Attribute) -> dict[str, Any]:
    return {
        "variable": True,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": attribute.datatype_description,
        "order": attribute.order,
        "description": attribute.description,
        "values": [{"key": v.key, "name": v.name} for v in attribute.values],
    }


def definition(category: Category) -> dict[str, Any]:
    offered = category.open311
    assert offered is not None
    ordered = sorted(offered.attributes, key=lambda a: a.order)
    return {"service_code": category.id, "attributes": [attribute_entry(a) for a in ordered]}


@router.get("/services.{fmt}", summary="Open311: the services (fault-report categories)")
async def list_services(request: Request, fmt: str) -> Response:
    async def work(fmt: str) -> Response:
        org = jurisdiction(request.app.state.runtime.directory, request.query_params.get("jurisdiction_id"))
        entries = [service_entry(c) for c in services_of(org)]
        return answer(fmt, entries, root="services", item="service")

    return await answering(fmt, work)


@router.get("/services/{service_code}.{fmt}", summary="Open311: a service definition with its attributes")
async def service_definition(request: Request, service_code: str, fmt: str) -> Response:
    async def work(fmt: str) -> Response:
        org = jurisdiction(request.app.state.runtime.directory, request.query_params.get("jurisdiction_id"))
        return answer(fmt, definition(service(org, service_code)), root="service_definition")

    return await answering(fmt, work)
