"""``POST /v1/auth/token``: local accounts (OAuth2 password form) → a bearer token every service accepts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from lotsen.auth import issue_token
from lotsen.errors import Unauthorized
from services.casestore.accounts import UNKNOWN_USER_HASH, password_matches
from services.casestore.models import Token
from services.casestore.repository import CaseRepository

router = APIRouter(tags=["auth"])


@router.post("/v1/auth/token", response_model=Token, summary="Log in with a local account")
async def token(
    request: Request,
    username: Annotated[str, Form(min_length=1, max_length=100)],
    password: Annotated[str, Form(min_length=1, max_length=200)],
) -> Token:
    settings = request.app.state.settings
    account = await CaseRepository(request.app.state.runtime.db).get_account(username)
    stored_hash = account["password_hash"] if account else UNKNOWN_USER_HASH
    if not password_matches(password, stored_hash) or account is None:
        raise Unauthorized("wrong username or password")
    access_token = issue_token(
        settings,
        subject=username,
        role=account["role"],
        departments=tuple(account.get("departments", ())),
        organizations=tuple(account.get("organizations", ())),
    )
    return Token(access_token=access_token, expires_in=settings.token_minutes * 60)
