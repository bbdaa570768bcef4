"""Every kind of caller of casestore's authorisation matrices, and who sees which case (DESIGN §7).

A matrix test parametrises over ``CALLERS``, extended with callers of its own where it needs them
(``{**CALLERS, "linked-person": Caller(...)}``), so a new kind of caller added here is tested by
every matrix.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from lotsen.auth import Role
from tests.casestore_support import bearer, login, routed

EVERY_ORGANIZATION = ("karlskoga", "degerfors", "karlskogahem")
# The two kinds of case of the matrices: a department's ordinary case and a confidential one.
DEPARTMENT = {"open": "samhallsbyggnad", "secret": "social"}


@dataclass(frozen=True)
class Caller:
    role: Role | None  # None: no token
    organizations: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    demo: bool = False  # a demo account that logs in; otherwise a token as an identity provider issues
    subject: str = ""  # the token's subject when it is not the caller's name


CALLERS = {
    "anonymous": Caller(None),
    "agent": Caller("agent", EVERY_ORGANIZATION, demo=True),
    "agent-karlskoga": Caller("agent", ("karlskoga",)),
    "agent-any": Caller("agent"),
    "handler": Caller("handler", ("karlskoga",), ("samhallsbyggnad", "skola"), demo=True),
    "handler-degerfors": Caller("handler", ("degerfors",), ("social",), demo=True),
    "handler-no-organization": Caller("handler", (), ("samhallsbyggnad", "social")),
    "supervisor": Caller("supervisor", EVERY_ORGANIZATION, demo=True),
    "supervisor-degerfors": Caller("supervisor", ("degerfors",)),
    "admin": Caller("admin", demo=True),
    "admin-karlskoga": Caller("admin", ("karlskoga",)),
}


def subject_of(name: str, caller: Caller) -> str:
    """Who the caller's token says they are (a demo account's subject is its username)."""
    return caller.subject or name


def serves(caller: Caller, organization: str) -> bool:
    """A token listing no organisation serves every one, except a handler's, which serves none."""
    assert caller.role is not None
    served = caller.organizations or (() if caller.role == "handler" else EVERY_ORGANIZATION)
    return organization in served


def sees_case(caller: Caller, organization: str, department: str | None, *, confidential: bool) -> bool:
    if not serves(caller, organization):
        return False
    if caller.role == "handler":
        return department in caller.departments
    return caller.role == "supervisor" or not confidential


def sees(caller: Caller, organization: str, kind: str) -> bool:
    """Whether the caller sees the case of that organisation of the kind "open" or "secret"."""
    return sees_case(caller, organization, DEPARTMENT[kind], confidential=kind == "secret")


async def headers_of(client: httpx.AsyncClient, name: str, caller: Caller) -> dict[str, str]:
    if caller.role is None:
        return {}
    if caller.demo:
        return await login(client, name)
    return bearer(
        caller.role,
        organizations=caller.organizations,
        departments=caller.departments,
        subject=subject_of(name, caller),
    )


# The eight cases of the case matrices: four to act on, and a target for each to link and merge into.
CASES = {  # (organisation, kind) → reference; kind "open" is samhallsbyggnad, "secret" social
    ("karlskoga", "open"): "KGA-2026-000001",
    ("karlskoga", "secret"): "KGA-2026-000002",
    ("degerfors", "open"): "DEG-2026-000001",
    ("degerfors", "secret"): "DEG-2026-000002",
}
# To link and merge into: a case of the same organisation, department and confidentiality.
TARGETS = {
    ("karlskoga", "open"): "KGA-2026-000003",
    ("karlskoga", "secret"): "KGA-2026-000004",
    ("degerfors", "open"): "DEG-2026-000003",
    ("degerfors", "secret"): "DEG-2026-000004",
}
CATEGORY = {"open": "bygglov", "secret": "forsorjningsstod"}
PDF = b"%PDF-1.4 beslut"
SHA = hashlib.sha256(PDF).hexdigest()


async def eight_cases(handle: Any, app: FastAPI) -> None:
    """The four cases, then a target for each (references are numbered in this order)."""
    app.state.intake_client = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=PDF)),
        base_url="http://intake",
    )
    attachment = {"name": "beslut.pdf", "content_type": "application/pdf", "size": len(PDF), "sha256": SHA}
    for copy in ("case", "target"):
        for organization, kind in CASES:
            await handle(
                routed(
                    f"c-{organization}-{kind}-{copy}",
                    organization=organization,
                    category=CATEGORY[kind],
                    department=DEPARTMENT[kind],
                    confidential=kind == "secret",
                    handled_by="department" if kind == "secret" else "first_line",
                    channel="email",
                    sender={"email": f"{kind}@example.se"},
                    attachments=[attachment],
                )
            )
