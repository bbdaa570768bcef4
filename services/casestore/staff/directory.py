"""The staff directory (*personalkatalog*): who works where, how to reach them, what they handle,
and whether they are away (*hänvisning*). The switchboard searches it to connect callers.

Who may do what (every rule here; tested in tests/unit/test_casestore_staff_authorization.py):
- an administrator keeps every entry of their organisations (none listed: every organisation);
- a handler keeps the entries of their own departments, within their organisations;
- anyone logged in (agent, handler, supervisor, administrator) searches and reads the directory of
  their organisations and sets or clears anyone's absence note there;
- a person whose account is linked to an entry (``account``) sets their own absence note;
- an entry of an organisation the caller does not work for answers 404, as a missing one.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from lotsen.auth import Principal
from lotsen.directory import Directory
from lotsen.email_address import EmailAddress
from lotsen.errors import DomainError, Forbidden, NotFound
from services.casestore import permissions
from services.casestore.staff.collation import fold, search_words, sort_key, surname_first

Document = dict[str, Any]
MAX_ERRAND_TYPES = 30
Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200, pattern=r"^[^\r\n]*$")]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=32, pattern=r"^\+?[0-9][0-9 \-()]*$"),
]


class InvalidStaff(DomainError):
    status = 422
    code = "invalid_staff"


class StaffConflict(DomainError):
    status = 409
    code = "staff_exists"


def _blank_as_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class StaffWrite(BaseModel):
    model_config = ConfigDict(
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "organization": "karlskoga",
                    "name": "Åsa Öberg",
                    "title": "Bygglovshandläggare",
                    "department": "samhallsbyggnad",
                    "phone": "0586-610 42",
                    "email": "asa.oberg@karlskoga.example",
                    "errand_types": ["bygglov", "strandskydd"],
                }
            ]
        },
    )
    organization: str = Field(min_length=1, max_length=64)
    name: Line = Field(min_length=1)
    title: Line = ""
    department: str = Field(min_length=1, max_length=64)
    phone: Annotated[Phone | None, BeforeValidator(_blank_as_none)] = None
    email: Annotated[EmailAddress | None, BeforeValidator(_blank_as_none)] = None
    errand_types: list[Annotated[Line, StringConstraints(min_length=1, max_length=80)]] = Field(
        default_factory=list, max_length=MAX_ERRAND_TYPES
    )
    account: str | None = Field(None, max_length=200, description="the user name of the person's account")


class AbsenceWrite(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    away_until: AwareDatetime | None = Field(None, description="none: until further notice")
    message: Line = Field("", description="what callers are told, e.g. 'På kurs, åter måndag'")
    covered_by: Line = Field("", description="who covers meanwhile: a name, a number")


class Absence(AbsenceWrite):
    set_by: str
    set_at: datetime


class StaffRead(StaffWrite):
    id: str
    department_name: str | None = None
    absence: Absence | None = None
    away: bool = Field(description="an absence note that has not run out")
    updated_at: datetime
    updated_by: str


def is_away(doc: Document, now: datetime) -> bool:
    absence = doc.get("absence")
    if not absence:
        return False
    until = absence.get("away_until")
    return until is None or until > now


def read(doc: Document, directory: Directory, now: datetime) -> StaffRead:
    org = directory.organization(doc["organization"])
    department = org.department(doc["department"]) if org else None
    return StaffRead(
        id=doc["_id"],
        **{k: doc.get(k) for k in ("organization", "name", "title", "department", "phone", "email")},
        errand_types=doc.get("errand_types", []),
        account=doc.get("account"),
        department_name=department.name if department else None,
        absence=doc.get("absence"),
        away=is_away(doc, now),
        updated_at=doc["updated_at"],
        updated_by=doc["updated_by"],
    )


def identity(body: StaffWrite) -> str:
    """What makes an entry the same person on a re-import: the e-mail address, else name and department."""
    return body.email or f"{fold(body.name)}|{body.department}"


def document(
    body: StaffWrite,
    *,
    staff_id: str | None,
    by: Principal,
    directory: Directory,
    now: datetime,
    kept: Document,
) -> Document:
    """The stored entry; ``kept`` carries what an edit leaves alone (the absence note)."""
    org = directory.organization(body.organization)
    if org is None:
        raise InvalidStaff(f"unknown organization {body.organization!r}", details={"field": "organization"})
    department = org.department(body.department)
    if department is None:
        raise InvalidStaff(
            f"{org.id} has no department {body.department!r}",
            details={"field": "department", "known": [d.id for d in org.departments]},
        )
    phones = (body.phone,) if body.phone else ()
    words = search_words(
        body.name, body.title, department.id, department.name, *body.errand_types, phones=phones
    )
    return {
        "_id": staff_id or str(uuid.uuid4()),
        **body.model_dump(mode="json"),
        "identity": identity(body),
        "search_words": words,
        "sort_name": surname_first(body.name),
        "sort_key": sort_key(surname_first(body.name)),
        "absence": kept.get("absence"),
        "updated_at": now,
        "updated_by": by.subject,
    }


# --- who may do what --------------------------------------------------------------------------------


def serves(principal: Principal, organization: str) -> bool:
    return permissions.scope_of(principal).serves(organization)


def visible(doc: Document | None, staff_id: str, principal: Principal) -> Document:
    if doc is None or principal.is_connector or not serves(principal, doc["organization"]):
        raise NotFound(f"no staff entry {staff_id}")
    return doc


def may_keep(principal: Principal, organization: str, department: str) -> bool:
    """Add, edit, remove or import: administrators of the organisation, handlers of the department."""
    if not serves(principal, organization):
        return False
    if principal.role == "admin":
        return True
    return principal.role == "handler" and department in principal.departments


def ensure_may_keep(principal: Principal, organization: str, department: str) -> None:
    if not may_keep(principal, organization, department):
        raise Forbidden(
            "the directory is kept by the organisation's administrators and by each department for its "
            f"own people; you may not keep {department} of {organization}",
            details={"organization": organization, "department": department},
        )
