"""Public records (allmänna handlingar): register a case or a message, read a case's registrations,
export the diary for the municipality's diarium (docs/cases.md, "Public records")."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from lotsen.auth import Principal, Staff, require_roles
from lotsen.calendar import STOCKHOLM
from lotsen.directory import Organization
from lotsen.errors import DomainError
from services.casestore import actions, permissions
from services.casestore.deps import CasesDep, DirectoryDep
from services.casestore.records import entries, numbering
from services.casestore.records.repository import RegistryStore
from services.casestore.repository import Document

router = APIRouter(tags=["public records"])

EXPORT_LIMIT = 10_000
CSV_COLUMNS = (
    "diary_number",
    "registered_date",
    "registered_at",
    "organization",
    "case_ref",
    "kind",
    "message_id",
    "direction",
    "subject",
    "senders",
    "recipients",
    "confidential",
    "osl",
    "department",
    "registered_by",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class UnknownOrganization(DomainError):
    status = 422
    code = "unknown_organization"


class InvalidRange(DomainError):
    status = 422
    code = "invalid_range"


class TooMany(DomainError):
    status = 422
    code = "too_many"


class SecrecyMarking(BaseModel):
    model_config = ConfigDict(extra="forbid")
    osl: str = Field(min_length=1, max_length=100, description="the OSL provision, e.g. `26 kap. 1 § OSL`")


class Party(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["sender", "recipient"]
    name: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=320)


class RegisterRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"message_id": "c-123", "secrecy": {"osl": "26 kap. 1 § OSL"}}, {}],
        },
    )
    message_id: str | None = Field(
        None,
        min_length=1,
        max_length=998,
        description="a message's key or Message-ID; the whole case if absent",
    )
    subject: str | None = Field(
        None, min_length=1, max_length=300, description="the message's or case's if absent"
    )
    parties: list[Party] | None = Field(None, max_length=10, description="sender and recipient if absent")
    secrecy: SecrecyMarking | None = Field(
        None, description="a secrecy marking; needed on a confidential case"
    )


class Registration(BaseModel):
    diary_number: str
    sequence: int
    year: int
    organization: str
    case_ref: str
    kind: Literal["case", "message"]
    message_id: str | None
    direction: Literal["incoming", "outgoing", "internal"]
    subject: str
    parties: list[Party]
    confidential: bool
    osl: str | None
    department: str | None
    registered_at: datetime
    registered_by: str
    masked: bool = Field(description="subject and parties replaced by `[sekretess]` for this reader")


def _store(request: Request) -> RegistryStore:
    return request.app.state.registry  # type: ignore[no-any-return]


StoreDep = Annotated[RegistryStore, Depends(_store)]
Exporter = Annotated[Principal, Depends(require_roles("supervisor", "admin"))]


@router.post(
    "/v1/cases/{ref}/register",
    response_model=Registration,
    status_code=201,
    summary="Register the case or one of its messages as a public record; 200 with the entry it already has",
)
async def register(
    ref: str,
    principal: Staff,
    cases: CasesDep,
    directory: DirectoryDep,
    store: StoreDep,
    response: Response,
    body: RegisterRequest | None = None,
) -> dict[str, Any]:
    body = body or RegisterRequest()
    case = permissions.ensure_visible(await cases.repo.get(ref), ref, principal)
    permissions.ensure_may("register", case, principal)
    org = _organization(directory.organization(case["organization"]), case["organization"])
    existing = await store.get(entries.key_of(case, body.message_id))
    if existing is not None and existing.get(
        "diary_number"
    ):  # asked again: the same entry, whatever the body
        await cases.apply(ref, actions.plan(entries.on_case, entry=existing, by=principal))
        response.status_code = 200
        return entries.view(existing, masked=False)
    draft = entries.draft(
        case,
        org,
        message_key=body.message_id,
        subject=body.subject,
        parties=[p.model_dump() for p in body.parties] if body.parties is not None else None,
        osl=body.secrecy.osl if body.secrecy else None,
        by=principal,
        at=cases.clock(),
    )
    entry, created = await numbering.numbered(store, draft, org_code=org.code, now=cases.clock)
    await cases.apply(ref, actions.plan(entries.on_case, entry=entry, by=principal))
    response.status_code = 201 if created else 200
    return entries.view(entry, masked=False)


@router.get(
    "/v1/cases/{ref}/registrations",
    response_model=list[Registration],
    summary="The case's registrations with their diary numbers",
)
async def of_case(ref: str, principal: Staff, cases: CasesDep, store: StoreDep) -> list[dict[str, Any]]:
    permissions.ensure_visible(await cases.repo.get(ref), ref, principal)
    return [entries.view(entry, masked=False) for entry in await store.of_case(ref)]


@router.get(
    "/v1/registry",
    summary="The diary export: registrations by organisation and local date, JSON or CSV",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
async def export(
    principal: Exporter,
    cases: CasesDep,
    store: StoreDep,
    organization: Annotated[
        str | None, Query(max_length=64, description="one organisation; all you serve")
    ] = None,
    from_: Annotated[date | None, Query(alias="from", description="first local date; 1 January")] = None,
    to: Annotated[date | None, Query(description="last local date (inclusive); today if absent")] = None,
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv")] = "json",
) -> Response:
    scope = permissions.scope_of(principal)
    if organization is not None:
        permissions.ensure_serves(organization, principal)
    today = cases.clock().astimezone(STOCKHOLM).date()
    first, last = from_ or date(today.year, 1, 1), to or today
    if first > last or (last - first).days > 366:
        raise InvalidRange(
            "'from' must not be after 'to', and a range spans at most 366 days",
            details={"from": str(first), "to": str(last)},
        )
    organizations = (organization,) if organization else scope.organizations
    found = await store.between(
        organizations, _local_start(first), _local_start(last + timedelta(days=1)), limit=EXPORT_LIMIT
    )
    if len(found) > EXPORT_LIMIT:
        raise TooMany(
            f"more than {EXPORT_LIMIT} registrations: ask for a shorter range",
            details={"limit": EXPORT_LIMIT},
        )
    now_cases = await store.cases_now(sorted({entry["case_ref"] for entry in found}))
    rows = [
        entries.view(entry, masked=not scope.covers(_readers(entry, now_cases.get(entry["case_ref"]))))
        for entry in found
    ]
    name = f"lotsen-diarium-{organization or 'alla'}-{first}--{last}"
    if format == "json":
        body = {"organization": organization, "from": str(first), "to": str(last), "items": rows}
        return JSONResponse(
            _jsonable(body), headers={"Content-Disposition": f'attachment; filename="{name}.json"'}
        )
    return Response(
        to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _organization(org: Organization | None, organization: str) -> Organization:
    if org is None:
        raise UnknownOrganization(f"no organisation {organization!r} in the directory")
    return org


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=STOCKHOLM)


def _readers(entry: Document, case_now: Document | None) -> Document:
    """What decides who may read the registration in full: the case as it is now (a case that became
    confidential later is masked from then on), and the marking the registration was made with."""
    case = case_now or entry
    return {
        "organization": case.get("organization"),
        "department": case.get("department"),
        "confidential": bool(entry.get("confidential")) or bool(case.get("confidential")),
    }


def _jsonable(body: dict[str, Any]) -> dict[str, Any]:
    for row in body["items"]:
        row["registered_at"] = row["registered_at"].isoformat().replace("+00:00", "Z")
    return body


def to_csv(rows: list[dict[str, Any]]) -> str:
    """One row per registration in ``CSV_COLUMNS`` order; a cell a spreadsheet would run as a
    formula starts with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        at: datetime = row["registered_at"]
        cells = {
            **row,
            "registered_date": at.astimezone(STOCKHOLM).date().isoformat(),
            "registered_at": at.isoformat().replace("+00:00", "Z"),
            "senders": _party_cell(row["parties"], "sender"),
            "recipients": _party_cell(row["parties"], "recipient"),
            "confidential": "true" if row["confidential"] else "false",
        }
        writer.writerow([_safe(cells.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()


def _party_cell(parties: list[Document], role: str) -> str:
    named = []
    for party in parties:
        if party["role"] == role:
            name, address = party.get("name") or "", party.get("address")
            named.append(f"{name} <{address}>".strip() if address else name)
    return "; ".join(named)


def _safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
