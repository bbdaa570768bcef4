"""Who may write knowledge articles and publish crisis notices, on top of :func:`permissions.scope_of`.

- supervisors and administrators of an organisation write every article of it and publish and
  withdraw its notices;
- a department's handlers (*förvaltningen*) write and review the articles their departments own,
  within their organisations, and may neither give an article to another department nor take one;
- agents (first line) read articles and see notices.
"""

from __future__ import annotations

from lotsen.auth import Principal
from lotsen.errors import Forbidden
from services.casestore.permissions import scope_of


def may_edit_article(organization: str, owner_department: str | None, principal: Principal) -> bool:
    scope = scope_of(principal)
    if principal.role in ("supervisor", "admin"):
        return scope.serves(organization)
    if principal.role == "handler":
        return scope.serves(organization) and owner_department in (scope.departments or ())
    return False


def ensure_may_edit_article(organization: str, owner_department: str | None, principal: Principal) -> None:
    if not may_edit_article(organization, owner_department, principal):
        raise Forbidden(
            "knowledge articles are written by supervisors and administrators of the organisation, "
            "and by the handlers of the department that owns the article",
            details={"organization": organization, "owner_department": owner_department},
        )


def ensure_may_publish_notice(organization: str, principal: Principal) -> None:
    if principal.role not in ("supervisor", "admin") or not scope_of(principal).serves(organization):
        raise Forbidden(
            "notices are published and withdrawn by supervisors and administrators of the organisation",
            details={"organization": organization},
        )
