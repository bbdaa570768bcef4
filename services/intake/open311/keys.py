"""API keys of Open311 client applications, issued by an administrator of the organisation.

``POST /v1/open311/keys`` issues a key and shows it once; intake keeps only its SHA-256 (a key is
32 random bytes, so a hash without salt is as strong as the key). ``GET`` lists the keys of the
caller's organisations, ``DELETE /v1/open311/keys/{id}`` withdraws one. Who may: an ``admin`` whose
token serves every organisation the key is for (none listed: every one); other roles 403, a key of
another organisation 404. Each key has its own rate limit for ``POST requests``, per clock hour and
day (UTC), counted in MongoDB and so shared by every replica of intake. Keys may also be
configured (``INTAKE_OPEN311_KEYS``); the demo key ``dev-open311-key`` exists only in dev mode and
intake refuses to start with it otherwise.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from lotsen.auth import Admin, Principal
from lotsen.errors import DomainError, Forbidden
from lotsen.errors import NotFound as KeyNotFound
from lotsen.ratelimit import too_many
from services.intake.open311.formats import KeyRefused
from services.intake.open311.repository import ApiKeys, KeyUsage
from services.intake.settings import IntakeSettings

router = APIRouter(tags=["open311"])
KEY_MAX_CHARS = 200


class InvalidKeyRequest(DomainError):
    status = 422
    code = "invalid_key_request"


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100, description="the client application, e.g. 'FixaMinGata'")
    organizations: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="organisation ids; may be left out by an admin of one",
    )
    requests_per_hour: int | None = Field(None, ge=1, le=100_000)
    requests_per_day: int | None = Field(None, ge=1, le=1_000_000)


class KeyRead(BaseModel):
    id: str
    name: str
    organizations: list[str]
    requests_per_hour: int
    requests_per_day: int
    created_by: str
    created_at: datetime


class KeyIssued(KeyRead):
    key: str = Field(description="shown this once; intake keeps only its hash")


class KeyList(BaseModel):
    items: list[KeyRead]


@dataclass(frozen=True)
class ClientKey:
    """The application behind a valid ``api_key``."""

    id: str
    organizations: tuple[str, ...]
    requests_per_hour: int
    requests_per_day: int


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


async def authenticate(request: Request, key: str | None) -> ClientKey:
    settings: IntakeSettings = request.app.state.settings
    if not key:
        raise KeyRefused("an api_key is required to post a request; ask the municipality for one")
    if len(key) > KEY_MAX_CHARS:
        raise KeyRefused("the api_key is not valid")
    for configured, organization in settings.open311_keys.items():
        if hmac.compare_digest(key.encode(), configured.encode()):
            return ClientKey(
                f"configured:{digest(configured)[:12]}",
                (organization,),
                settings.open311_requests_per_hour,
                settings.open311_requests_per_day,
            )
    doc = await ApiKeys(request.app.state.runtime.db).by_hash(digest(key))
    if doc is None:
        raise KeyRefused("the api_key is not valid")
    return ClientKey(
        doc["_id"], tuple(doc["organizations"]), doc["requests_per_hour"], doc["requests_per_day"]
    )


async def hit(request: Request, client: ClientKey) -> None:
    """Count one POST against the key's limits for this clock hour and day (UTC), or refuse it with
    429 and ``Retry-After`` until the window that is full ends (a refused POST is not counted)."""
    usage = KeyUsage(request.app.state.runtime.db)
    now = datetime.now(UTC)
    counts = await usage.count(client.id, now)
    limits = {"an hour": client.requests_per_hour, "a day": client.requests_per_day}
    full = [
        (counts.ends[label], limits[label], label) for label in limits if counts.posted[label] > limits[label]
    ]
    if full:
        await usage.uncount(client.id, now)
        ends, limit, label = max(full)
        raise too_many("requests with this api_key", limit, label, (ends - now).total_seconds())


def _serves_all(principal: Principal, organizations: list[str]) -> bool:
    return all(principal.serves(org) for org in organizations)


def _read(doc: dict[str, Any]) -> KeyRead:
    return KeyRead.model_validate({**doc, "id": doc["_id"]})


@router.post(
    "/v1/open311/keys", status_code=201, response_model=KeyIssued, summary="Issue an Open311 API key"
)
async def issue_key(request: Request, body: KeyRequest, admin: Admin) -> KeyIssued:
    directory = request.app.state.runtime.directory
    settings: IntakeSettings = request.app.state.settings
    organizations = list(dict.fromkeys(body.organizations))
    if not organizations:
        if len(admin.organizations) != 1:
            raise InvalidKeyRequest(
                "name the organizations the key is for", details={"field": "organizations"}
            )
        organizations = [admin.organizations[0]]
    unknown = [org for org in organizations if directory.organization(org) is None]
    if unknown:
        raise InvalidKeyRequest(
            f"unknown organizations {unknown}",
            details={"field": "organizations", "known": [o.id for o in directory.organizations]},
        )
    if not _serves_all(admin, organizations):
        raise Forbidden("you may issue keys only for the organisations you administer")
    key = "o311_" + secrets.token_urlsafe(32)
    doc = {
        "_id": "k_" + secrets.token_hex(8),
        "hash": digest(key),
        "name": body.name,
        "organizations": organizations,
        "requests_per_hour": body.requests_per_hour or settings.open311_requests_per_hour,
        "requests_per_day": body.requests_per_day or settings.open311_requests_per_day,
        "created_by": admin.subject,
        "created_at": datetime.now(UTC),
    }
    await ApiKeys(request.app.state.runtime.db).insert(doc)
    return KeyIssued(**_read(doc).model_dump(), key=key)


@router.get("/v1/open311/keys", response_model=KeyList, summary="The Open311 API keys of your organisations")
async def list_keys(request: Request, admin: Admin) -> KeyList:
    docs = await ApiKeys(request.app.state.runtime.db).listed()
    return KeyList(items=[_read(d) for d in docs if _serves_all(admin, d["organizations"])])


@router.delete("/v1/open311/keys/{key_id}", status_code=204, summary="Withdraw an Open311 API key")
async def withdraw_key(request: Request, key_id: str, admin: Admin) -> Response:
    keys = ApiKeys(request.app.state.runtime.db)
    doc = await keys.get(key_id[:100])
    if doc is None or not _serves_all(admin, doc["organizations"]):
        raise KeyNotFound(f"no API key {key_id[:100]!r} of your organisations")
    await keys.delete(doc["_id"])
    return Response(status_code=204)
