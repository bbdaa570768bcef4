"""``POST /v1/auth/token``: local accounts (OAuth2 password form) → a bearer token every service accepts.

The log-in is guarded by limits per client and per account and a lock-out after repeated failures
(``login.py``); supervisors and administrators list and lift lock-outs here.

Answers of ``POST /v1/auth/token``:

- ``200`` the token;
- ``401 unauthorized`` wrong user name or password (the same answer for both);
- ``422 invalid_request`` a field missing or too long;
- ``423 account_locked`` too many failed log-ins in a row; the message says who can lift it and,
  when the lock-out ends by itself, ``Retry-After`` says when;
- ``429 rate_limited`` too many attempts from the client's address or for the account; ``Retry-After``.
- ``503 unavailable`` too many log-ins waiting for the password check at once; ``Retry-After``.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request, Response

from lotsen.addresses import request_client
from lotsen.auth import Principal, issue_token, require_roles
from lotsen.errors import NotFound, Unauthorized
from services.casestore.accounts import UNKNOWN_USER_HASH
from services.casestore.deps import CasesDep, SettingsDep
from services.casestore.login import LoginGuard
from services.casestore.models import Token

log = logging.getLogger(__name__)
router = APIRouter(tags=["auth"])

Username = Annotated[str, Path(min_length=1, max_length=100)]
Lifter = Annotated[Principal, Depends(require_roles("supervisor", "admin"))]


def _guard(request: Request) -> LoginGuard:
    return request.app.state.login_guard  # type: ignore[no-any-return]


@router.post(
    "/v1/auth/token",
    response_model=Token,
    summary="Log in with a local account",
    responses={
        401: {"description": "wrong user name or password"},
        423: {"description": "the account is locked after repeated failures; a supervisor can lift it"},
        429: {"description": "too many attempts from this address or for this account (Retry-After)"},
        503: {"description": "too many log-ins at once; try again shortly (Retry-After)"},
    },
)
async def token(
    request: Request,
    cases: CasesDep,
    settings: SettingsDep,
    username: Annotated[str, Form(min_length=1, max_length=100)],
    password: Annotated[str, Form(min_length=1, max_length=200)],
) -> Token:
    guard, repo = _guard(request), cases.repo
    guard.admit_client(request_client(request, settings.trusted_proxies))
    await guard.ensure_unlocked(repo, username, now=cases.clock())
    guard.admit_account(username)
    account = await repo.get_account(username)
    stored_hash = account["password_hash"] if account else UNKNOWN_USER_HASH
    if not await guard.password_matches(password, stored_hash) or account is None:
        await guard.failed(repo, username, now=cases.clock())
        raise Unauthorized("wrong username or password")
    await guard.succeeded(repo, username)
    access_token = issue_token(
        settings,
        subject=username,
        role=account["role"],
        departments=tuple(account.get("departments", ())),
        organizations=tuple(account.get("organizations", ())),
        languages=tuple(account.get("languages", ())),
    )
    return Token(access_token=access_token, expires_in=settings.token_minutes * 60)


@router.get("/v1/auth/lockouts", summary="Locked accounts (supervisors, administrators)")
async def list_lockouts(principal: Lifter, cases: CasesDep) -> list[dict[str, Any]]:
    return [
        {"username": doc["_id"], "failures": doc["failures"], "locked_at": doc["locked_at"]}
        for doc in await cases.repo.lockouts()
    ]


@router.delete(
    "/v1/auth/lockouts/{username}",
    status_code=204,
    summary="Lift an account's lock-out (supervisors, administrators)",
    responses={404: {"description": "the account is not locked"}},
)
async def lift_lockout(username: Username, principal: Lifter, cases: CasesDep) -> Response:
    if not await cases.repo.lift_lockout(username):
        raise NotFound(f"the account {username!r} is not locked")
    log.info("%s (%s) lifted the lock-out of %s", principal.subject, principal.role, username)
    return Response(status_code=204)
