"""Reading and setting targets: checked against the directory, stored, and looked up with fallbacks.

Who may do what (``GET`` and ``PUT /v1/stats/targets…``), every axis in :func:`readable` and
:func:`settable`:

- reading: whoever reads figures (supervisor, administrator, handler — the targets come with their
  figures), for the organisations their token serves (none listed: every one; a handler's token
  listing none: none);
- setting: an administrator of that organisation only (a token listing no organisation: every one);
- an organisation or answer group the directory does not know: 422 naming it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lotsen.auth import Principal
from lotsen.directory import Directory
from lotsen.errors import DomainError, Forbidden, Unauthorized
from services.stats.access import ensure_reader, scope_of
from services.stats.settings import StatsSettings
from services.stats.targets.model import Goals, OrganizationTargets, TargetBook
from services.stats.targets.repository import Document, TargetsRepository


class UnknownInDirectory(DomainError):
    status = 422
    code = "unknown_in_directory"


class TargetStore:
    def __init__(self, repository: TargetsRepository, directory: Directory, settings: StatsSettings) -> None:
        self.repository = repository
        self.directory = directory
        self.settings = settings

    @property
    def organizations(self) -> list[str]:
        return [o.id for o in self.directory.organizations]

    async def book(self) -> TargetBook:
        """Every stored target, with the settings under them, for one request's figures."""
        docs = await self.repository.all()
        stored = {doc["_id"]: OrganizationTargets.model_validate(doc["targets"]) for doc in docs}
        return TargetBook(self.settings, stored, self.organizations)

    def known(self, organization: str) -> list[str]:
        """The organisation's answer groups; 422 when the directory does not know the organisation."""
        found = self.directory.organization(organization)
        if found is None:
            raise UnknownInDirectory(
                f"organisation {organization!r} is not in the directory; it knows "
                + ", ".join(self.organizations),
                details={"field": "organization", "organization": organization},
            )
        return [g.id for g in found.answer_groups]

    async def read(self, organization: str, book: TargetBook | None = None) -> dict[str, Any]:
        groups = self.known(organization)
        doc = await self.repository.get(organization)
        return self._answer(organization, groups, doc, book or await self.book())

    async def put(
        self, organization: str, targets: OrganizationTargets, *, by: Principal, at: datetime
    ) -> dict[str, Any]:
        groups = self.known(organization)
        unknown = sorted(set(targets.answer_groups) - set(groups))
        if unknown:
            raise UnknownInDirectory(
                f"{organization} has no answer group {', '.join(map(repr, unknown))}; "
                f"its answer groups are {', '.join(groups)}",
                details={"field": "answer_groups", "answer_groups": unknown},
            )
        stored = targets.model_dump(exclude_none=True, exclude_defaults=True)
        doc = await self.repository.put(organization, stored, at=at, by=by.subject)
        return self._answer(organization, groups, doc, await self.book())

    def _answer(
        self, organization: str, groups: list[str], doc: Document | None, book: TargetBook
    ) -> dict[str, Any]:
        """What was set (``set``) and what every figure of the organisation is measured against."""
        return {
            "organization": organization,
            "set": OrganizationTargets.model_validate(doc["targets"] if doc else {}).model_dump(),
            "effective": {
                **book.of(organization).as_json(),
                "answer_groups": {g: book.of(organization, g).as_json() for g in groups},
            },
            "updated_at": doc["updated_at"].isoformat() if doc and doc.get("updated_at") else None,
            "updated_by": doc.get("updated_by") if doc else None,
        }

    def defaults(self) -> dict[str, Any]:
        return TargetBook(self.settings, {}).default.as_json()


def readable(
    principal: Principal | None, organization: str | None, *, require_token: bool
) -> tuple[str, ...] | None:
    """The organisations whose targets the caller may read (None: every one); 401/403 otherwise."""
    ensure_reader(principal, require_token=require_token)
    return scope_of(principal, "cases", organization).organizations


def settable(principal: Principal | None, organization: str) -> Principal:
    """Only an administrator of the organisation sets its targets."""
    if principal is None:
        raise Unauthorized("log in as an administrator to set targets: send 'Authorization: Bearer <token>'")
    if principal.role != "admin":
        raise Forbidden(
            "only an administrator sets targets",
            details={"role": principal.role, "roles": ["admin"]},
        )
    if not principal.serves(organization):
        raise Forbidden(
            f"you administer {', '.join(principal.organizations)}, not {organization}",
            details={"organization": organization, "yours": list(principal.organizations)},
        )
    return principal


__all__ = ["Goals", "TargetStore", "UnknownInDirectory", "readable", "settable"]
