"""Who may see which case (DESIGN §7).

- ``handler``: only cases of their departments; confidential ones of their departments too.
- ``supervisor``: every case, confidential included.
- ``agent`` and ``admin``: every case that is not confidential.
"""

from __future__ import annotations

from dataclasses import replace

from lotsen.auth import Principal
from services.casestore.repository import CaseQuery, Document


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
