"""Who may see and do what with a case (DESIGN §7).

- ``agent`` (first line): every case that is not confidential; every action.
- ``handler``: only cases of their departments, confidential ones included; reply, note, assign,
  wait for the citizen, return, resolve, link, merge duplicates — not hand off.
- ``supervisor``: every case and every action.
- ``admin``: reads cases that are not confidential; configures Lotsen but does not work cases.

A case the caller may not see answers 404, exactly as a case that does not exist.
"""

from __future__ import annotations

from dataclasses import replace

from lotsen.auth import Principal
from lotsen.errors import Forbidden, NotFound
from services.casestore.repository import CaseQuery, Document

HANDLER_ACTIONS = frozenset(
    {"reply", "note", "assign", "pending", "return", "resolve", "link", "merge", "reopen"}
)


def narrow(query: CaseQuery, principal: Principal) -> CaseQuery:
    if principal.role == "handler":
        return replace(query, departments_in=principal.departments, include_confidential=True)
    if principal.role == "supervisor":
        return query
    return replace(query, include_confidential=False)


def may_see(case: Document, principal: Principal) -> bool:
    if principal.role == "supervisor":
        return True
    if principal.role == "handler":
        return case.get("department") in principal.departments
    return not case.get("confidential", False)


def ensure_visible(case: Document | None, ref: str, principal: Principal) -> Document:
    if case is None or not may_see(case, principal):
        raise NotFound(f"no case {ref} that you may see")
    return case


def ensure_may(action: str, case: Document, principal: Principal) -> None:
    ensure_visible(case, case["_id"], principal)
    if principal.role == "admin":
        raise Forbidden(
            "administrators configure Lotsen; working a case needs the agent, handler or supervisor role"
        )
    if principal.role == "handler" and action not in HANDLER_ACTIONS:
        raise Forbidden(f"a department handler may not {action} a case; first line or a supervisor may")
