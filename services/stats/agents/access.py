"""Who reads whose per-agent figures: every axis (token, role, whose figures, organisation) here.

- no token: 401, also with ``STATS_REQUIRE_TOKEN=false`` — figures about a person need to know who
  is asking;
- an ``agent`` (first line): their own figures only (``/me``, or ``/agents/<their user name>``);
  anyone else's, or the team table, is 403;
- a ``supervisor``: their own, and every agent's of the organisations their token lists (none
  listed: every organisation). The token carries organisations, not answer groups, so a
  supervisor's team is everyone who answered or resolved for those organisations; ``answer_group=``
  narrows the table to one group;
- an ``admin``: the same, and erases an agent's figures (``DELETE /v1/stats/agents/<agent>``);
- a ``handler`` (a department's) and connectors: 403 — per-agent figures are the contact centre's
  follow-up of its own staff;
- organisations: as every figure (:func:`services.stats.access.scope_of`): a token that names
  organisations reads only those, asking for another is 403.
"""

from __future__ import annotations

from lotsen.auth import Principal
from lotsen.errors import Forbidden, Unauthorized

OWN_READERS = ("agent", "supervisor", "admin")
TEAM_READERS = ("supervisor", "admin")
ERASERS = ("admin",)


def organizations_of(principal: Principal, organization: str | None) -> tuple[str, ...] | None:
    """The organisations the request reads (None: every one)."""
    served = principal.organization_scope
    if served is None:
        return None
    if not served:
        raise Forbidden("your account works for no organisation, so there are no figures for you")
    if organization is not None and organization not in served:
        raise Forbidden(
            f"you may read the figures of {', '.join(served)}, not of {organization}",
            details={"organization": organization, "yours": list(served)},
        )
    return served


def _identified(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthorized("log in to read per-agent figures: send 'Authorization: Bearer <token>'")
    return principal


def may_read(
    principal: Principal | None, agent: str | None, organization: str | None
) -> tuple[str, ...] | None:
    """May ``principal`` read ``agent``'s figures (None: the whole team's)? The organisations then."""
    who = _identified(principal)
    if who.role not in OWN_READERS:
        raise Forbidden(
            "per-agent figures are for the contact centre's agents, supervisors and administrators",
            details={"roles": list(OWN_READERS)},
        )
    if agent is None or agent != who.subject:
        if who.role not in TEAM_READERS:
            raise Forbidden(
                "an agent reads their own figures only; a supervisor reads the team's",
                details={"roles": list(TEAM_READERS)},
            )
    return organizations_of(who, organization)


def may_erase(principal: Principal | None) -> tuple[str, ...] | None:
    """May ``principal`` erase an agent's figures? The organisations then."""
    who = _identified(principal)
    if who.role not in ERASERS:
        raise Forbidden("an administrator erases an agent's figures", details={"roles": list(ERASERS)})
    return organizations_of(who, None)
