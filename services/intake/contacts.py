"""Accepting a contact, for every channel: idempotency, attachments, publishing with acks=all.

Every channel builds a :class:`ContactReceived` and hands it to :func:`accept`. The caller hears
'accepted' only after Kafka acknowledged the event. If anything fails before that, files stored only
for this contact are deleted and the idempotency claim is marked failed: the connector's retry is
published under the same contact id (and event id), so even a record that reached Kafka after its
acknowledgement timed out is one event for every consumer.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lotsen.contracts import topics
from lotsen.contracts.contacts import Attachment, ContactReceived, ContactReceivedData
from lotsen.contracts.envelope import encode_event
from lotsen.errors import Conflict, Unavailable
from lotsen.kafka.publisher import Publisher, PublishFailed
from services.intake.bounds import FULL_TEXT_NAME, FULL_TEXT_TYPE, EventLimits, bound_contact_encoded
from services.intake.repository import AttachmentStore, IdempotencyRecords

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = "5"
PENDING_STALE_AFTER = timedelta(seconds=60)
_CONTACT_NAMESPACE = uuid.UUID("3b0c5f0e-6a2d-4f53-9d0e-5c1b7e9a4d21")


def new_contact_id() -> str:
    return str(uuid.uuid4())


def contact_id_for(channel_key: str) -> str:
    """A stable contact id for a channel's own message id (Message-ID, Messenger ``mid``, call id).

    A retry that arrives after its idempotency record expired still yields the same contact (and
    downstream consumers, idempotent on ids, drop the repeat).
    """
    return str(uuid.uuid5(_CONTACT_NAMESPACE, channel_key))


def event_id_for(contact_id: str) -> uuid.UUID:
    """The id of the ``contact.received`` event of ``contact_id``."""
    return uuid.uuid5(_CONTACT_NAMESPACE, f"contact.received:{contact_id}")


def fingerprint(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class FileContent:
    """An attachment as received: its bytes and what the contact event will say of it."""

    name: str
    content_type: str
    data: bytes

    @functools.cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def described(self) -> Attachment:
        return Attachment(
            name=self.name, content_type=self.content_type, size=len(self.data), sha256=self.sha256
        )


@dataclass
class Intake:
    """What accepting needs: the publisher and intake's stores (created once, at start-up)."""

    publisher: Publisher
    records: IdempotencyRecords
    files: AttachmentStore
    limits: EventLimits = field(default_factory=EventLimits)


class IdempotencyKeyReused(Conflict):
    """The Idempotency-Key came with a different request before (IETF Idempotency-Key draft: 409)."""

    code = "idempotency_key_reused"


def key_reused(key: str) -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        "this Idempotency-Key was already used for a different request; send a new key with a new "
        "request, or the same request again with the same key",
        details={"idempotency_key": key},
    )


def unavailable(exc: Exception | None = None) -> Unavailable:
    error = Unavailable(
        "the contact could not be stored right now; please try again shortly",
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )
    error.__cause__ = exc
    return error


async def accept(
    *,
    event: ContactReceived,
    intake: Intake,
    scope: str,
    idempotency_key: str | None,
    request_fingerprint: str | None = None,
    files: list[FileContent] | None = None,
) -> str:
    """Publish ``event`` once per (scope, idempotency key) and return the contact id the caller keeps.

    ``request_fingerprint`` guards an ``Idempotency-Key`` against reuse for a different request (409);
    channel ids (Message-ID, ``mid``) pass None, since a redelivery may differ in transport details.
    ``files`` are stored before the event is published; the event must already describe them.
    The event is first brought within ``intake.limits`` (:mod:`services.intake.bounds`); one that
    cannot be is refused before anything is claimed or stored.
    """
    # One contact, one event id: should a record reach Kafka twice (a retry after a lost answer),
    # consumers, idempotent on event_id, keep one.
    if event.event_id != (event_id := event_id_for(event.data.contact_id)):
        event = event.model_copy(update={"event_id": event_id})
    event, full_text, encoded = bound_contact_encoded(event, intake.limits)
    if full_text is not None:
        files = [*(files or ()), FileContent(FULL_TEXT_NAME, FULL_TEXT_TYPE, full_text)]
    if idempotency_key:
        contact_id, done = await claim(
            intake, scope, idempotency_key, event.data.contact_id, request_fingerprint
        )
        if done:
            return contact_id
        if contact_id != event.data.contact_id:  # a retry: published under the first request's id
            event = event.model_copy(
                update={
                    "event_id": event_id_for(contact_id),
                    "data": event.data.model_copy(update={"contact_id": contact_id}),
                }
            )
            encoded = encode_event(event)
    data: ContactReceivedData = event.data
    stored: list[str] = []
    try:
        for file in files or ():
            await intake.files.store(
                sha256=file.sha256,
                name=file.name,
                content_type=file.content_type,
                data=file.data,
                contact_id=data.contact_id,
            )
            stored.append(file.sha256)
        await intake.publisher.publish_raw(
            topics.CONTACTS_RECEIVED, encoded, key=thread_key(data).encode("utf-8")
        )
    except (PublishFailed, Unavailable) as exc:
        await _undo(intake, scope, idempotency_key, data.contact_id, stored)
        raise exc if isinstance(exc, Unavailable) else unavailable(exc) from exc
    if idempotency_key:
        await confirm(intake, scope, idempotency_key)
    return data.contact_id


async def claim(
    intake: Intake, scope: str, key: str, new_id: str, request_fingerprint: str | None
) -> tuple[str, bool]:
    """Claim ``key`` for ``new_id``: (the id to publish under, whether it was published already).

    An earlier request whose publish failed is retried under its id at once. One still ``pending``
    may be running: the caller is asked to retry shortly; once stale (the process died, or Kafka and
    MongoDB failed together), it is finished under its id. Either way, should the earlier record
    reach Kafka after all, both records carry the same event id and consumers keep one.
    """
    earlier = await intake.records.claim(scope, key, new_id, request_fingerprint)
    if earlier is None:
        return new_id, False
    if request_fingerprint is not None and earlier.get("fingerprint") != request_fingerprint:
        raise key_reused(key)
    if earlier["state"] == "published":
        return str(earlier["contact_id"]), True
    created = earlier["created_at"]
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    fresh = earlier["state"] == "pending" and datetime.now(UTC) - created < PENDING_STALE_AFTER
    if fresh or not await intake.records.take_over(scope, key, earlier):
        raise Unavailable(
            "an earlier request with the same id is still being processed; retry shortly",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    return str(earlier["contact_id"]), False


async def hold_key(intake: Intake, scope: str, key: str, request_fingerprint: str) -> None:
    """For a channel already idempotent on its own ids (e-mail on its Message-ID), where a retry
    simply gives the same contacts again: remember the request an ``Idempotency-Key`` was first sent
    with, and refuse the key with another (409)."""
    earlier = await intake.records.claim(scope, key, "", request_fingerprint)
    if earlier is not None and earlier.get("fingerprint") != request_fingerprint:
        raise key_reused(key)


async def confirm(intake: Intake, scope: str, key: str) -> None:
    try:
        await intake.records.confirm(scope, key)
    except Unavailable:
        # What was published is safe in Kafka. A retry finds the claim pending and, once it is
        # stale, publishes under the same id again, which consumers drop as a repeat.
        log.warning("published %s:%s but could not confirm its idempotency claim", scope, key)


async def _undo(intake: Intake, scope: str, key: str | None, contact_id: str, stored: list[str]) -> None:
    for sha256 in dict.fromkeys(stored):
        await intake.files.release(sha256=sha256, contact_id=contact_id)
    if key:
        await intake.records.abandon(scope, key)


def thread_key(data: ContactReceivedData) -> str:
    """Records of one thread share a key, so they stay in order on one partition (DESIGN §3)."""
    return data.thread.case_ref or data.contact_id
