"""Who may read which figures: every axis (role, organisation, department) decided in :func:`scope_of`.

- no token: 401 (``STATS_REQUIRE_TOKEN=false`` reads everything anonymously, for a closed network);
- ``supervisor`` and ``admin``: every figure;
- ``handler`` (scoped to departments): the case figures of their departments only — a request for
  the whole organisation is answered over their departments, and ``scope`` in the answer says so.
  Telephony (answer groups, not departments) and outbound messages (no department) answer 403;
- ``agent`` (first line) and connectors: 403 — the dashboard is for supervisors, administrators and handlers;
- organisations: a token that names organisations reads only those; asking for another one answers
  403, asking for none answers over the token's organisations. A supervisor's or administrator's
  token with none reads every one; a handler's departments count only within the organisations their
  token lists (``Principal.organization_scope``, the rule casestore applies), so a handler's token
  with none reads nothing.

``GET /metrics``, ``/healthz`` and ``/readyz`` are not figures and stay open (no personal data).
"""

from __future__ import annotations

from dataclasses import dataclass

from lotsen.auth import Principal
from lotsen.errors import Forbidden, Unauthorized
from services.stats.updates import Kind

READERS = ("supervisor", "admin", "handler")
DEPARTMENTAL: frozenset[Kind] = frozenset({"cases"})  # the kinds whose cells carry a department


@dataclass(frozen=True)
class Scope:
    """What one request may read: ``None`` on an axis means every value of it."""

    organizations: tuple[str, ...] | None = None
    departments: tuple[str, ...] | None = None

    def as_json(self) -> dict[str, list[str] | None]:
        return {
            "organizations": None if self.organizations is None else list(self.organizations),
            "departments": None if self.departments is None else list(self.departments),
        }


EVERYTHING = Scope()


def ensure_reader(principal: Principal | None, *, require_token: bool) -> None:
    """The role axis alone, checked before any parameter is read."""
    if principal is None:
        if require_token:
            raise Unauthorized("log in to read the figures: send 'Authorization: Bearer <token>'")
        return
    if principal.role not in READERS:
        raise Forbidden(
            f"the figures are for supervisors, administrators and department handlers; not {principal.role}",
            details={"roles": list(READERS)},
        )


def scope_of(principal: Principal | None, kind: Kind, organization: str | None) -> Scope:
    """The scope of a request for figures of ``kind`` of ``organization`` (None: every one)."""
    if principal is None:  # only reached with STATS_REQUIRE_TOKEN=false
        return EVERYTHING
    organizations = principal.organization_scope  # the same rule as casestore's
    if organizations is not None:
        if not organizations:
            raise Forbidden("your account works for no organisation, so there are no figures for you")
        if organization is not None and organization not in organizations:
            raise Forbidden(
                f"you may read the figures of {', '.join(organizations)}, not of {organization}",
                details={"organization": organization, "yours": list(organizations)},
            )
    if principal.role != "handler":
        return Scope(organizations, None)
    if not principal.departments:
        raise Forbidden("your account is scoped to no department, so there are no figures for you")
    if kind not in DEPARTMENTAL:
        raise Forbidden(
            f"{kind} figures are not kept per department; a supervisor reads them",
            details={"kind": kind, "departments": list(principal.departments)},
        )
    return Scope(organizations, principal.departments)
