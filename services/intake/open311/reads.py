"""``GET requests.{json,xml}``, ``GET requests/{id}.{json,xml}`` and ``GET tokens/{token}.{json,xml}``:
public, as the spec has them, read from the read model (:mod:`readmodel`) and rate-limited per address.

Privacy: what is public never names the citizen (no name, e-mail, phone, device or account). The
``description`` is the citizen's text only for a case known not to be confidential whose category is
still an Open311 service (a fault report about a public place, which the service's description says
is shown openly); otherwise it is empty. For a confidential case the address, position and photo are
left out as well: they may point to a person's home.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from lotsen.addresses import request_client
from lotsen.directory import Organization
from lotsen.ratelimit import RateLimiter, WindowLimit
from services.intake.open311.catalogue import jurisdiction, router
from services.intake.open311.formats import InvalidField, NotFound, answer, answering
from services.intake.open311.repository import Requests
from services.intake.settings import IntakeSettings

MAX_RESULTS = 1000
DEFAULT_DAYS = 90
MAX_IDS = 100


def read_limiter(settings: IntakeSettings) -> RateLimiter:
    return RateLimiter([WindowLimit(settings.open311_reads_per_hour, 3600.0, "an hour")], what="requests")


def _hit(request: Request) -> None:
    request.app.state.open311_read_limiter.hit(
        request_client(request, request.app.state.settings.trusted_proxies)
    )


def public(doc: dict[str, Any], org: Organization) -> dict[str, Any]:
    category = org.category(doc.get("service_code") or "")
    now_category = org.category(doc.get("category") or doc.get("service_code") or "")
    open_report = (
        doc.get("confidential") is False and now_category is not None and now_category.open311 is not None
    )
    shown = doc.get("confidential") is False
    return {
        "service_request_id": doc.get("service_request_id"),
        "status": doc.get("status", "open"),
        "status_notes": doc.get("status_notes"),
        "service_name": category.name if category else None,
        "service_code": doc.get("service_code"),
        "description": (doc.get("description_text") if open_report else None) or "",
        "agency_responsible": doc.get("agency_responsible"),
        "service_notice": None,
        "requested_datetime": doc.get("requested_datetime"),
        "updated_datetime": doc.get("updated_datetime"),
        "expected_datetime": doc.get("expected_datetime"),
        "address": doc.get("address") if shown else None,
        "address_id": doc.get("address_id") if shown else None,
        "zipcode": None,
        "lat": doc.get("lat") if shown else None,
        "long": doc.get("long") if shown else None,
        "media_url": doc.get("media_url") if shown else None,
    }


def _date(name: str, value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value[:40].replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidField(f"{name} is a W3C date-time, e.g. 2026-03-02T09:00:00Z") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _list(name: str, value: str | None, *, most: int = MAX_IDS) -> list[str] | None:
    if value is None or not value.strip():
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if len(items) > most or any(len(v) > 100 for v in items):
        raise InvalidField(f"{name} lists at most {most} values of at most 100 characters")
    return items


@router.get("/requests.{fmt}", summary="Open311: requests (public)")
async def list_requests(request: Request, fmt: str) -> Response:
    async def work(fmt: str) -> Response:
        _hit(request)
        query = request.query_params
        org = jurisdiction(request.app.state.runtime.directory, query.get("jurisdiction_id"))
        ids = _list("service_request_id", query.get("service_request_id"))
        status = _list("status", query.get("status"), most=2)
        if status is not None and not set(status) <= {"open", "closed"}:
            raise InvalidField("status is open, closed or open,closed")
        start, end = _date("start_date", query.get("start_date")), _date("end_date", query.get("end_date"))
        if ids is None and start is None and end is None:
            start = datetime.now(UTC) - timedelta(days=DEFAULT_DAYS)
        if start is not None and end is not None and start > end:
            raise InvalidField("start_date is after end_date")
        docs = await Requests(request.app.state.runtime.db).search(
            organization=org.id,
            ids=ids,
            service_codes=None if ids else _list("service_code", query.get("service_code")),
            start=None if ids else start,
            end=None if ids else end,
            status=None if ids else status,
            limit=MAX_RESULTS,
        )
        return answer(fmt, [public(d, org) for d in docs], root="service_requests", item="request")

    return await answering(fmt, work)


@router.get("/requests/{service_request_id}.{fmt}", summary="Open311: one request (public)")
async def get_request(request: Request, service_request_id: str, fmt: str) -> Response:
    async def work(fmt: str) -> Response:
        _hit(request)
        org = jurisdiction(request.app.state.runtime.directory, request.query_params.get("jurisdiction_id"))
        docs = await Requests(request.app.state.runtime.db).search(
            organization=org.id,
            ids=[service_request_id[:100]],
            service_codes=None,
            start=None,
            end=None,
            status=None,
            limit=1,
        )
        if not docs:
            raise NotFound(f"no request {service_request_id[:100]!r} of {org.id}")
        return answer(fmt, [public(docs[0], org)], root="service_requests", item="request")

    return await answering(fmt, work)


@router.get("/tokens/{token}.{fmt}", summary="Open311: the request id of a token, once the case exists")
async def get_token(request: Request, token: str, fmt: str) -> Response:
    async def work(fmt: str) -> Response:
        _hit(request)
        doc = await Requests(request.app.state.runtime.db).by_token(token[:100])
        if doc is None:
            raise NotFound(f"no request has the token {token[:100]!r}")
        entry = {"token": token, "service_request_id": doc.get("service_request_id")}
        return answer(fmt, [entry], root="service_requests", item="request")

    return await answering(fmt, work)
