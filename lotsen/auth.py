"""Who is calling: JWT bearer tokens with roles, and per-connector keys.

Roles (DESIGN §7): ``agent`` (first line), ``handler`` (scoped to departments), ``supervisor``,
``admin``. Tokens are HS256 JWTs signed with ``LOTSEN_JWT_SECRET`` and issued by casestore's
``POST /v1/auth/token``; every service verifies them with the same secret. Connectors
(e-service platforms, telephony, MTAs posting over HTTP) present a key in ``X-Connector-Key``.
One service calling another where no person may call directly presents ``LOTSEN_SERVICE_KEY``
in ``X-Service-Key`` (:data:`ServiceCaller`).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lotsen.errors import Forbidden, Unauthorized
from lotsen.settings import ServiceSettings

Role = Literal["agent", "handler", "supervisor", "admin"]
ROLES: tuple[Role, ...] = ("agent", "handler", "supervisor", "admin")


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a person with a role, or a connector.

    ``organizations``: whom the person works for. Empty means every organisation for an agent,
    supervisor or administrator (a shared contact centre) and none for a handler, whose
    ``departments`` apply only within their organisations (services/casestore/permissions.py).
    ``languages``: the languages the person answers citizens in (``sv``, ``en``, ``ar``), a skill
    the workspace offers queues by; it grants no access.
    """

    subject: str
    role: Role | Literal["connector"]
    departments: tuple[str, ...] = ()
    organizations: tuple[str, ...] = field(default_factory=tuple)
    languages: tuple[str, ...] = ()

    @property
    def is_connector(self) -> bool:
        return self.role == "connector"

    @property
    def organization_scope(self) -> tuple[str, ...] | None:
        """The organisations this caller works for; ``None`` means every one (an agent, supervisor
        or administrator listing none). A handler listing none, or a connector, works for none."""
        if self.role in ("agent", "supervisor", "admin"):
            return self.organizations or None
        return self.organizations

    def serves(self, organization: str | None) -> bool:
        scope = self.organization_scope
        return scope is None or organization in scope


def issue_token(
    settings: ServiceSettings,
    *,
    subject: str,
    role: Role,
    departments: tuple[str, ...] = (),
    organizations: tuple[str, ...] = (),
    now: datetime | None = None,
    languages: tuple[str, ...] = (),
) -> str:
    issued = now or datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": subject,
        "role": role,
        "departments": list(departments),
        "organizations": list(organizations),
        "iss": settings.jwt_issuer,
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(minutes=settings.token_minutes)).timestamp()),
    }
    if languages:
        claims["languages"] = list(languages)
    return jwt.encode(claims, _secret(settings), algorithm="HS256")


def verify_token(settings: ServiceSettings, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            _secret(settings),
            algorithms=["HS256"],
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "sub", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("the token has expired; log in again") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"the token is not valid: {exc}") from exc
    role = claims.get("role")
    if role not in ROLES:
        raise Unauthorized("the token carries no known role")
    return Principal(
        subject=str(claims["sub"]),
        role=role,
        departments=tuple(claims.get("departments") or ()),
        organizations=tuple(claims.get("organizations") or ()),
        languages=tuple(str(code) for code in claims.get("languages") or ()),
    )


def connector_key_valid(settings: ServiceSettings, key: str) -> bool:
    return any(hmac.compare_digest(key.encode(), k.encode()) for k in settings.connector_keys)


def _secret(settings: ServiceSettings) -> str:
    if not settings.jwt_secret:
        raise Unauthorized("token signing is not configured")
    return settings.jwt_secret


_bearer = HTTPBearer(auto_error=False)


async def optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The caller if it presented a token or connector key; ``None`` for an anonymous caller."""
    return principal_of(request, credentials.credentials if credentials else None)


def principal_of(request: Request, bearer_token: str | None = None) -> Principal | None:
    """:func:`optional_principal` as a plain call, for a hot path that resolves no dependencies;
    without ``bearer_token`` it reads the ``Authorization: Bearer`` header itself."""
    settings: ServiceSettings = request.app.state.settings
    key = request.headers.get("X-Connector-Key")
    if key is not None:
        if not connector_key_valid(settings, key):
            raise Unauthorized("the connector key is not valid")
        return Principal(subject="connector", role="connector")
    if bearer_token is None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        bearer_token = token.strip()
    return verify_token(settings, bearer_token)


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized("log in: send 'Authorization: Bearer <token>' from POST /v1/auth/token")
    return principal


def require_roles(*roles: Role | Literal["connector"]):  # type: ignore[no-untyped-def]
    """A dependency that lets through only callers with one of ``roles``."""

    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"this needs one of the roles {', '.join(roles)}; you are {principal.role}")
        return principal

    return dependency


async def service_caller(request: Request) -> None:
    """Lets through another Lotsen service only (``X-Service-Key``); a person's token is not enough."""
    settings: ServiceSettings = request.app.state.settings
    if not settings.service_key:
        raise Forbidden("this endpoint answers other Lotsen services only, and LOTSEN_SERVICE_KEY is not set")
    key = request.headers.get("X-Service-Key")
    if key is None:
        raise Unauthorized("this endpoint answers other Lotsen services only: send X-Service-Key")
    if not hmac.compare_digest(key.encode(), settings.service_key.encode()):
        raise Unauthorized("the service key is not valid")


ServiceCaller = Depends(service_caller)
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
Staff = Annotated[Principal, Depends(require_roles("agent", "handler", "supervisor", "admin"))]
Admin = Annotated[Principal, Depends(require_roles("admin"))]
Connector = Annotated[Principal, Depends(require_roles("connector"))]
