"""``POST /v1/privacy/erasure`` and ``GET /v1/privacy/export`` (supervisors)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from lotsen.auth import Principal, require_roles
from lotsen.email_address import EmailAddress
from lotsen.errors import DomainError
from services.casestore import actions, people, permissions, privacy
from services.casestore.deps import CasesDep

router = APIRouter(tags=["privacy"])

Supervisor = Annotated[Principal, Depends(require_roles("supervisor"))]


class InvalidPerson(DomainError):
    status = 422
    code = "invalid_request"


class PersonQuery(BaseModel):
    email: EmailAddress | None = None
    phone: str | None = Field(None, max_length=40)
    facebook_psid: str | None = Field(None, max_length=64)

    @field_validator("phone")
    @classmethod
    def _a_number(cls, phone: str | None) -> str | None:
        if phone is not None and people.phone_key(phone) is None:
            raise ValueError("a phone number has digits, e.g. 070-123 45 67 or +46701234567")
        return phone

    @model_validator(mode="after")
    def _one_identifier(self) -> PersonQuery:
        if not (self.email or self.phone or self.facebook_psid):
            raise ValueError("give the person's email, phone or facebook_psid")
        return self


class ErasureRequest(PersonQuery):
    reason: str = Field("request from the person (GDPR art. 17)", max_length=500)


class ErasureResult(BaseModel):
    erased: list[str]


@router.post(
    "/v1/privacy/erasure", response_model=ErasureResult, summary="Erase a person's data from every case"
)
async def erase_person(body: ErasureRequest, principal: Supervisor, cases: CasesDep) -> ErasureResult:
    found = await cases.repo.of_person(email=body.email, phone=body.phone, facebook_psid=body.facebook_psid)
    found = permissions.visible(found, principal)  # a supervisor's own organisations only
    erased = []
    for case in found:
        plan = actions.plan(privacy.erase, by=principal.subject, at=cases.clock(), why=body.reason)
        await cases.apply(case["_id"], plan)
        erased.append(case["_id"])
    return ErasureResult(erased=erased)


@router.get("/v1/privacy/export", summary="Everything held about a person, as JSON")
async def export_person(
    principal: Supervisor,
    cases: CasesDep,
    email: Annotated[str | None, Query(max_length=320)] = None,
    phone: Annotated[str | None, Query(max_length=40)] = None,
    facebook_psid: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    try:
        person = PersonQuery(email=email, phone=phone, facebook_psid=facebook_psid)
    except ValidationError as exc:
        raise InvalidPerson(f"the person is not identified: {exc.errors()[0]['msg']}") from exc
    found = await cases.repo.of_person(
        email=person.email, phone=person.phone, facebook_psid=person.facebook_psid
    )
    found = permissions.visible(found, principal)
    for case in found:
        if case.get("confidential"):
            await cases.apply(case["_id"], actions.plan(actions.read_logged, by=principal))
    return {"person": person.model_dump(exclude_none=True), **privacy.export(found)}
