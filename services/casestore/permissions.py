"""Who may see and do what with a case (DESIGN §7): one rule, :func:`scope_of`, on four axes.

- **organisation**: a token's ``organizations`` claim lists the organisations its holder works for.
  An empty list means every organisation the installation serves, for ``agent``, ``supervisor`` and
  ``admin`` (a contact centre such as Karlskoga's answers for Degerfors and Karlskogahem too); a
  ``handler`` with no organisation sees nothing, because a department id names a department only
  within an organisation (every organisation has its ``social``).
- **department**: a ``handler`` sees the cases of their departments, within their organisations.
- **confidentiality** (*sekretess*): only handlers of the case's department and supervisors see a
  confidential case; agents and administrators never do.
- **role**: ``agent`` (first line) does every action; ``handler`` replies, notes, assigns, waits for
  the citizen, returns, resolves, reopens, links, merges and recategorises within their departments
  (``recategorise.py``), but does not hand off; ``supervisor`` does everything; ``admin`` configures
  Lotsen and works no case.

A case the caller may not see answers 404, exactly as a case that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lotsen.auth import Principal
from lotsen.errors import Forbidden, NotFound
from services.casestore.repository import CaseQuery, Document

HANDLER_ACTIONS = frozenset(
    {
        "reply",
        "note",
        "assign",
        "pending",
        "return",
        "resolve",
        "link",
        "merge",
        "reopen",
        "recategorise",
        "feedback",
        "register",
        "position",
    }
)


@dataclass(frozen=True)
class Scope:
    """The cases a caller may see. ``None`` means no restriction on that axis."""

    organizations: tuple[str, ...] | None
    departments: tuple[str, ...] | None
    confidential: bool

    def serves(self, organization: str | None) -> bool:
        return self.organizations is None or organization in self.organizations

    def covers(self, case: Document) -> bool:
        return (
            self.serves(case.get("organization"))
            and (self.departments is None or case.get("department") in self.departments)
            and (self.confidential or not case.get("confidential", False))
        )


def scope_of(principal: Principal) -> Scope:
    """The access rule: role, organisation, department and confidentiality, all decided here."""
    organizations = principal.organization_scope
    match principal.role:
        case "supervisor":
            return Scope(organizations=organizations, departments=None, confidential=True)
        case "handler":
            # Departments apply within the handler's organisations; none listed, none served.
            return Scope(
                organizations=organizations or (), departments=principal.departments, confidential=True
            )
        case "agent" | "admin":
            return Scope(organizations=organizations, departments=None, confidential=False)
    return Scope(organizations=(), departments=(), confidential=False)


def narrow(query: CaseQuery, principal: Principal) -> CaseQuery:
    """``query`` limited to what the caller may see, in the database query itself."""
    scope = scope_of(principal)
    return replace(
        query,
        organizations_in=scope.organizations,
        departments_in=scope.departments,
        include_confidential=scope.confidential,
    )


def may_see(case: Document, principal: Principal) -> bool:
    return scope_of(principal).covers(case)


def visible(found: list[Document], principal: Principal) -> list[Document]:
    scope = scope_of(principal)
    return [case for case in found if scope.covers(case)]


def ensure_visible(case: Document | None, ref: str, principal: Principal) -> Document:
    if case is None or not may_see(case, principal):
        raise NotFound(f"no case {ref} that you may see")
    return case


def ensure_serves(organization: str, principal: Principal) -> None:
    """Refuse working for an organisation the caller does not work for (opening a case, an article)."""
    if not scope_of(principal).serves(organization):
        raise Forbidden(f"you do not work for {organization}", details={"organization": organization})


def ensure_may(action: str, case: Document, principal: Principal) -> None:
    ensure_visible(case, case["_id"], principal)
    if principal.role == "admin":
        raise Forbidden(
            "administrators configure Lotsen; working a case needs the agent, handler or supervisor role"
        )
    if principal.role == "handler" and action not in HANDLER_ACTIONS:
        raise Forbidden(f"a department handler may not {action} a case; first line or a supervisor may")
