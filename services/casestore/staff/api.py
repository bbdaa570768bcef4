"""The staff directory's API and the switchboard's "connected" action (rules: directory.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from lotsen.auth import CurrentPrincipal, Principal, Staff, require_roles
from lotsen.errors import DomainError, Forbidden, NotFound
from services.casestore import permissions
from services.casestore.deps import DirectoryDep
from services.casestore.staff import csv_import
from services.casestore.staff.collation import query_patterns
from services.casestore.staff.directory import (
    AbsenceWrite,
    InvalidStaff,
    StaffConflict,
    StaffRead,
    StaffWrite,
    document,
    ensure_may_keep,
    identity,
    read,
    serves,
    visible,
)
from services.casestore.staff.repository import DuplicateStaff, StaffRepository
from services.casestore.staff.transfers import Transfers, new_transfer

router = APIRouter(tags=["staff directory"])
Keeper = Annotated[Principal, Depends(require_roles("handler", "admin"))]
Switchboard = Annotated[Principal, Depends(require_roles("agent", "handler", "supervisor"))]
CallId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")]


def _staff(request: Request) -> StaffRepository:
    return request.app.state.staff  # type: ignore[no-any-return]


def _transfers(request: Request) -> Transfers:
    return request.app.state.transfers  # type: ignore[no-any-return]


StaffDep = Annotated[StaffRepository, Depends(_staff)]
TransfersDep = Annotated[Transfers, Depends(_transfers)]


def _now() -> datetime:
    return datetime.now(UTC)


class RowError(BaseModel):
    line: int = Field(description="the line of the file, the header being line 1")
    field: str | None
    message: str


class ImportResult(BaseModel):
    created: int
    updated: int
    errors: list[RowError]


class TransferWrite(BaseModel):
    staff_id: str | None = Field(None, max_length=64, description="the person the call was connected to")
    organization: str | None = Field(None, max_length=64, description="with department, for no one person")
    department: str | None = Field(None, max_length=64)


class TransferRead(BaseModel):
    id: str
    call_id: str
    organization: str
    department: str
    staff_id: str | None
    at: datetime


@router.get("/v1/staff", response_model=list[StaffRead], summary="Search the staff directory as you type")
async def search_staff(
    principal: Staff,
    staff: StaffDep,
    directory: DirectoryDep,
    q: Annotated[
        str | None, Query(max_length=200, description="name, department, errand type, number")
    ] = None,
    organization: Annotated[str | None, Query(max_length=64)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[StaffRead]:
    served = permissions.scope_of(principal).organizations
    if organization is not None:
        served = (organization,) if served is None or organization in served else ()
    found = await staff.search(
        patterns=query_patterns(q or ""), organizations_in=served, department=department, limit=limit
    )
    now = _now()
    return [read(doc, directory, now) for doc in found]


@router.get("/v1/staff/{staff_id}", response_model=StaffRead)
async def get_staff(staff_id: str, principal: Staff, staff: StaffDep, directory: DirectoryDep) -> StaffRead:
    return read(visible(await staff.get(staff_id), staff_id, principal), directory, _now())


@router.post("/v1/staff", response_model=StaffRead, status_code=201, summary="Add a person")
async def create_staff(
    body: StaffWrite, principal: Keeper, staff: StaffDep, directory: DirectoryDep
) -> StaffRead:
    ensure_may_keep(principal, body.organization, body.department)
    doc = document(body, staff_id=None, by=principal, directory=directory, now=_now(), kept={})
    try:
        await staff.insert(doc)
    except DuplicateStaff:
        raise StaffConflict(f"{body.organization} already lists {body.email or body.name}") from None
    return read(doc, directory, doc["updated_at"])


@router.put("/v1/staff/{staff_id}", response_model=StaffRead, summary="Edit a person")
async def update_staff(
    staff_id: str, body: StaffWrite, principal: Keeper, staff: StaffDep, directory: DirectoryDep
) -> StaffRead:
    current = visible(await staff.get(staff_id), staff_id, principal)
    ensure_may_keep(principal, current["organization"], current["department"])
    ensure_may_keep(principal, body.organization, body.department)
    doc = document(body, staff_id=staff_id, by=principal, directory=directory, now=_now(), kept=current)
    try:
        replaced = await staff.replace(doc)
    except DuplicateStaff:
        raise StaffConflict(f"{body.organization} already lists {body.email or body.name}") from None
    if not replaced:
        raise NotFound(f"no staff entry {staff_id}")
    return read(doc, directory, doc["updated_at"])


@router.delete("/v1/staff/{staff_id}", status_code=204, response_class=Response, summary="Remove a person")
async def delete_staff(staff_id: str, principal: Keeper, staff: StaffDep) -> Response:
    current = visible(await staff.get(staff_id), staff_id, principal)
    ensure_may_keep(principal, current["organization"], current["department"])
    await staff.delete(staff_id)
    return Response(status_code=204)


@router.post(
    "/v1/staff/import",
    response_model=ImportResult,
    summary="Import people from a CSV file",
    description="The file as the body (text/csv). Columns and rules: docs/cases.md.",
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    },
)
async def import_staff(
    request: Request,
    principal: Keeper,
    staff: StaffDep,
    directory: DirectoryDep,
    organization: Annotated[str, Query(min_length=1, max_length=64)],
) -> ImportResult:
    org = directory.organization(organization)
    if org is None or not serves(principal, organization):
        raise Forbidden(f"you do not work for {organization}", details={"organization": organization})
    raw = await _read_bounded(request)
    try:
        parsed = csv_import.parse(csv_import.decode(raw), org, principal)
    except csv_import.BadFile as exc:
        raise InvalidStaff(str(exc)) from None
    errors = [RowError(line=p.line, field=p.field, message=p.message) for p in parsed.problems]
    created = updated = 0
    now = _now()
    for line, body in parsed.rows:
        current = await staff.by_identity(organization, identity(body))
        doc = document(
            body,
            staff_id=current["_id"] if current else None,
            by=principal,
            directory=directory,
            now=now,
            kept=current or {},
        )
        try:
            if current is None:
                await staff.insert(doc)
                created += 1
            else:
                await staff.replace(doc)
                updated += 1
        except DuplicateStaff:
            errors.append(RowError(line=line, field="email", message="the file lists this person twice"))
    return ImportResult(created=created, updated=updated, errors=sorted(errors, key=lambda e: e.line))


async def _read_bounded(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > csv_import.MAX_BYTES:
            raise FileTooLarge(
                f"the file is larger than {csv_import.MAX_BYTES // 1024} kB; split it",
                details={"limit_bytes": csv_import.MAX_BYTES},
            )
        chunks.append(chunk)
    return b"".join(chunks)


class FileTooLarge(DomainError):
    status = 413
    code = "too_large"


@router.put("/v1/staff/{staff_id}/absence", response_model=StaffRead, summary="Set an absence note")
async def set_absence(
    staff_id: str, body: AbsenceWrite, principal: CurrentPrincipal, staff: StaffDep, directory: DirectoryDep
) -> StaffRead:
    return await _change_absence(staff_id, body, principal, staff, directory)


@router.delete("/v1/staff/{staff_id}/absence", response_model=StaffRead, summary="Clear an absence note")
async def clear_absence(
    staff_id: str, principal: CurrentPrincipal, staff: StaffDep, directory: DirectoryDep
) -> StaffRead:
    return await _change_absence(staff_id, None, principal, staff, directory)


async def _change_absence(
    staff_id: str,
    body: AbsenceWrite | None,
    principal: Principal,
    staff: StaffRepository,
    directory: DirectoryDep,
) -> StaffRead:
    doc = await staff.get(staff_id)
    own = doc is not None and not principal.is_connector and doc.get("account") == principal.subject
    if not own:
        visible(doc, staff_id, principal)
    now = _now()
    absence = None if body is None else {**body.model_dump(), "set_by": principal.subject, "set_at": now}
    changed = await staff.set_absence(staff_id, absence, now)
    if changed is None:
        raise NotFound(f"no staff entry {staff_id}")
    return read(changed, directory, now)


@router.post(
    "/v1/calls/{call_id}/transfer",
    response_model=TransferRead,
    status_code=201,
    summary="Record a call connected to a person or a department ('Kopplad')",
)
async def transfer_call(
    call_id: CallId,
    body: TransferWrite,
    principal: Switchboard,
    staff: StaffDep,
    transfers: TransfersDep,
    directory: DirectoryDep,
) -> TransferRead:
    to = None
    if body.staff_id is not None:
        person = visible(await staff.get(body.staff_id), body.staff_id, principal)
        organization, department, to = person["organization"], person["department"], person.get("phone")
    elif body.organization and body.department:
        organization, department = body.organization, body.department
        org = directory.organization(organization)
        if org is None or not serves(principal, organization):
            raise NotFound(f"no organisation {organization} that you work for")
        if org.department(department) is None:
            raise InvalidStaff(
                f"{organization} has no department {department!r}", details={"field": "department"}
            )
    else:
        raise InvalidStaff("name the person (staff_id) or the organisation and department the call went to")
    transfer = await transfers.record(
        new_transfer(
            call_id=call_id,
            organization=organization,
            department=department,
            staff_id=body.staff_id,
            to=to,
            by=principal.subject,
        )
    )
    return TransferRead(
        id=transfer["_id"], **{k: transfer[k] for k in TransferRead.model_fields if k != "id"}
    )
