"""Facebook Messenger: the Messenger Platform webhook of the municipality's page.

``GET`` answers Meta's verification handshake for the right verify token. ``POST`` carries a batch
of entries, signed with the app secret (``X-Hub-Signature-256`` over the exact bytes). Text and
attachment messages become contacts (``facebook_psid`` as sender, idempotent on the ``mid``);
echoes of the page's own replies, delivery and read receipts, reactions and postbacks are ignored.
The answer is 200 only after every contact of the batch was published: otherwise 503, and Meta
redelivers the batch (what was published already is recognised by its ``mid``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from lotsen.contracts.contacts import ContactReceived, ContactReceivedData, Location, Sender, ThreadHints
from lotsen.directory import Directory
from lotsen.errors import DomainError, Forbidden, Unauthorized, Unavailable
from services.intake.bodies import parse_json, read_limited
from services.intake.contacts import accept, contact_id_for
from services.intake.deps import DirectoryDep, IntakeDep, SettingsDep
from services.intake.language import guess_language

log = logging.getLogger(__name__)
router = APIRouter(tags=["facebook"])
WEBHOOK = "/v1/channels/facebook/webhook"


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Id(_Lenient):
    id: str = Field(min_length=1, max_length=64)


class _Payload(_Lenient):
    url: str | None = Field(None, max_length=4000)
    title: str | None = Field(None, max_length=1000)
    coordinates: dict[str, float] | None = None


class _Attachment(_Lenient):
    type: str = Field(max_length=32)
    payload: _Payload | None = None


class _ReplyTo(_Lenient):
    mid: str | None = Field(None, max_length=500)


class _Message(_Lenient):
    mid: str = Field(min_length=1, max_length=500)
    text: str | None = Field(None, max_length=20_000)
    is_echo: bool = False
    attachments: list[_Attachment] = Field(default_factory=list, max_length=50)
    reply_to: _ReplyTo | None = None


class _Messaging(_Lenient):
    sender: _Id
    recipient: _Id
    timestamp: int | None = Field(None, ge=0, le=4_102_444_800_000, description="ms since 1970")
    message: _Message | None = None


class _Entry(_Lenient):
    id: str = Field(min_length=1, max_length=64)
    time: int | None = None
    messaging: list[_Messaging] = Field(default_factory=list, max_length=1000)


class WebhookBody(_Lenient):
    object: str = Field(max_length=64)
    entry: list[_Entry] = Field(default_factory=list, max_length=1000)


_BODY = TypeAdapter(WebhookBody)


class NotAPageEvent(DomainError):
    status = 422
    code = "not_a_page_event"


class WebhookResult(BaseModel):
    contacts: int = Field(description="messages that became contacts (or already were)")
    ignored: int = Field(description="echoes, receipts and other events that are no contact")
    contact_ids: list[str]


@router.get(WEBHOOK, response_class=PlainTextResponse, summary="Meta's webhook verification handshake")
async def verify_webhook(
    settings: SettingsDep,
    mode: Annotated[str | None, Query(alias="hub.mode", max_length=64)] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token", max_length=500)] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge", max_length=500)] = None,
) -> PlainTextResponse:
    expected = settings.facebook_verify_token
    if expected is None:
        raise Unavailable("Messenger is not configured here (INTAKE_FACEBOOK_VERIFY_TOKEN)")
    valid = hmac.compare_digest((token or "").encode(), expected.encode())
    if mode != "subscribe" or not valid or challenge is None:
        raise Forbidden("the verify token does not match (or this is not a subscribe request)")
    return PlainTextResponse(challenge)


@router.post(WEBHOOK, response_model=WebhookResult, summary="Messenger events of the page")
async def receive_webhook(
    request: Request, intake: IntakeDep, settings: SettingsDep, directory: DirectoryDep
) -> WebhookResult:
    secret = settings.facebook_app_secret
    if secret is None:
        raise Unavailable("Messenger is not configured here (INTAKE_FACEBOOK_APP_SECRET)")
    raw = await read_limited(request, settings.json_max_bytes)
    check_signature(raw, request.headers.get("X-Hub-Signature-256"), secret)
    body = parse_json(_BODY, raw)
    if body.object != "page":
        raise NotAPageEvent(
            f"only Messenger events of a page (object 'page') are handled here, not {body.object!r}"
        )
    events, ignored = contact_events(body, directory)
    # One after the other, so a sender's messages keep their order.
    contact_ids = [
        await accept(event=event, intake=intake, scope="facebook", idempotency_key=mid)
        for mid, event in events
    ]
    return WebhookResult(contacts=len(events), ignored=ignored, contact_ids=contact_ids)


def check_signature(raw: bytes, header: str | None, secret: str) -> None:
    """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body with the app secret>``, compared in
    constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    if not header or not hmac.compare_digest(header.strip().lower().encode(), expected.encode()):
        raise Unauthorized("the X-Hub-Signature-256 header does not match the body")


def contact_events(body: WebhookBody, directory: Directory) -> tuple[list[tuple[str, ContactReceived]], int]:
    """(mid, event) for every message that is a contact, and how many events were ignored."""
    events: list[tuple[str, ContactReceived]] = []
    ignored = 0
    seen: set[str] = set()
    for entry in body.entry:
        org = directory.organization_for_facebook_page(entry.id)
        if org is None:
            log.warning("Messenger events for page %s, which no organisation has; ignored", entry.id)
            ignored += len(entry.messaging)
            continue
        for item in entry.messaging:
            message = item.message
            if message is None or message.is_echo or item.sender.id == entry.id or message.mid in seen:
                ignored += 1
                continue
            seen.add(message.mid)
            events.append((message.mid, _event(org.id, item, message)))
    return events, ignored


def _event(organization: str, item: _Messaging, message: _Message) -> ContactReceived:
    at = datetime.fromtimestamp(item.timestamp / 1000, UTC) if item.timestamp else datetime.now(UTC)
    lines = [message.text] if message.text else []
    remote: list[dict[str, Any]] = []
    location = None
    for attachment in message.attachments:
        payload = attachment.payload or _Payload()
        coordinates = payload.coordinates or {}
        if attachment.type == "location" and {"lat", "long"} <= coordinates.keys():
            location = Location(lat=coordinates["lat"], lon=coordinates["long"])
        remote.append({"type": attachment.type, "url": payload.url, "title": payload.title})
        lines.append(f"[{_KINDS.get(attachment.type, 'bilaga')}: {payload.url or payload.title or '—'}]")
    text = "\n".join(lines)
    return ContactReceived(
        producer="intake",
        organization=organization,
        data=ContactReceivedData(
            contact_id=contact_id_for(f"facebook:{message.mid}"),
            channel="facebook",
            received_at=min(at, datetime.now(UTC)),
            sender=Sender(facebook_psid=item.sender.id),
            text=text,
            thread=ThreadHints(
                message_id=message.mid, in_reply_to=message.reply_to.mid if message.reply_to else None
            ),
            location=location,
            language=guess_language(message.text),
            facebook_page=item.recipient.id,
            remote_attachments=remote,
        ),
    )


_KINDS = {"image": "bild", "video": "video", "audio": "ljud", "file": "fil", "location": "plats"}
