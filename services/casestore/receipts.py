"""The receipt of an errand: its reference and access code, for staff to read out or print.

Every case has an access code, whatever the channel. A citizen who phoned, came to the desk or wrote
a letter learns it from the agent, or from a printed receipt; with it they follow the errand on the
status page and answer the survey. ``POST /v1/cases`` answers with the code at once. A contact
registered through intake (``POST /v1/contacts/manual``) becomes a case a moment later: the web app
asks ``GET /v1/cases/by-contact/{contact_id}/receipt`` until the case is there (404 until then).

Who may read a receipt: whoever may see the case (:mod:`permissions`), and the person who
registered the contact, within the organisations they work for — even when routing made the case
confidential and so hid it from an agent. The receipt then holds nothing the registering person did
not write down themselves: the reference, the code and when it was received. Administrators work
no case and read no receipt. A receipt of a confidential case read goes into its timeline.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter
from pydantic import BaseModel, Field

from lotsen.auth import Principal, Staff
from lotsen.errors import Forbidden, NotFound
from services.casestore import actions, permissions
from services.casestore.deps import CasesDep, DirectoryDep, SettingsDep
from services.casestore.repository import Document

router = APIRouter(tags=["cases"])


class Receipt(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "ref": "KGA-2026-000123",
                    "access_code": "K7M2Q9TXAB",
                    "organization": "karlskoga",
                    "organization_name": "Karlskoga kommun",
                    "channel": "phone",
                    "received_at": "2026-03-02T09:14:00Z",
                    "status_link": "https://lotsen.example/folj-arende?ref=KGA-2026-000123&code=K7M2Q9TXAB",
                }
            ]
        }
    }

    ref: str
    access_code: str = Field(description="what the citizen types with the reference on the status page")
    organization: str
    organization_name: str
    channel: str
    received_at: datetime | None
    status_link: str = Field(description="the status page with the reference and code filled in")
    status_page: str = Field(description="the status page's address, to write on a receipt")


def may_read(case: Document, principal: Principal) -> bool:
    if principal.role == "admin":
        return False
    if permissions.may_see(case, principal):
        return True
    registered_it = bool(case.get("registered_by")) and case.get("registered_by") == principal.subject
    return registered_it and permissions.scope_of(principal).serves(case.get("organization"))


async def _receipt(
    case: Document | None,
    what: str,
    principal: Principal,
    cases: CasesDep,
    base: str,
    directory: DirectoryDep,
) -> Receipt:
    if principal.role == "admin":
        raise Forbidden("administrators configure Lotsen; a receipt is for those who work cases")
    if case is None or not may_read(case, principal):
        raise NotFound(f"no case for {what} that you may see (yet)")
    if case.get("confidential"):
        await cases.apply(case["_id"], actions.plan(actions.read_logged, by=principal))
    org = directory.organization(case["organization"])
    query = urlencode({"ref": case["_id"], "code": case["access_code"]})
    return Receipt(
        ref=case["_id"],
        access_code=case["access_code"],
        organization=case["organization"],
        organization_name=org.name if org else case["organization"],
        channel=case["channel"],
        received_at=case.get("received_at"),
        status_link=f"{base}{'&' if '?' in base else '?'}{query}",
        status_page=base,
    )


@router.get(
    "/v1/cases/by-contact/{contact_id}/receipt",
    response_model=Receipt,
    summary="The receipt of the case a registered contact became",
    responses={
        403: {"description": "administrators"},
        404: {"description": "no case for that contact yet, or none the caller may see"},
    },
)
async def receipt_by_contact(
    contact_id: str, principal: Staff, cases: CasesDep, settings: SettingsDep, directory: DirectoryDep
) -> Receipt:
    case = await cases.repo.find_by_origin_contact(contact_id[:200])
    return await _receipt(
        case, f"contact {contact_id[:200]}", principal, cases, settings.status_page_url, directory
    )


@router.get(
    "/v1/cases/{ref}/receipt",
    response_model=Receipt,
    summary="The receipt of a case, to print it again",
    responses={403: {"description": "administrators"}, 404: {"description": "no case the caller may see"}},
)
async def receipt_of_case(
    ref: str, principal: Staff, cases: CasesDep, settings: SettingsDep, directory: DirectoryDep
) -> Receipt:
    case = await cases.repo.get(ref)
    return await _receipt(case, ref, principal, cases, settings.status_page_url, directory)
