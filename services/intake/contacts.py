"""Accepting a contact: idempotency, publishing with acks=all, and the answer to the caller."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from lotsen.contracts import topics
from lotsen.contracts.contacts import ContactReceived, ContactReceivedData
from lotsen.errors import Conflict, Unavailable
from lotsen.kafka.publisher import Publisher, PublishFailed
from services.intake.repository import IdempotencyRecords

RETRY_AFTER_SECONDS = "5"


def new_contact_id() -> str:
    return str(uuid.uuid4())


def fingerprint(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


async def accept(
    *,
    event: ContactReceived,
    publisher: Publisher,
    records: IdempotencyRecords,
    scope: str,
    idempotency_key: str | None,
    request_fingerprint: str,
) -> str:
    """Publish ``event`` once per idempotency key and return the contact id the caller keeps.

    Only after Kafka acknowledged does the caller hear 'accepted'. If publishing fails, the key is
    released so the connector's retry is handled as new and nothing half-written remains.
    """
    data: ContactReceivedData = event.data
    if idempotency_key:
        earlier = await records.claim(scope, idempotency_key, data.contact_id, request_fingerprint)
        if earlier is not None:
            if earlier.get("fingerprint") != request_fingerprint:
                raise Conflict(
                    "this Idempotency-Key was already used for a different request",
                    details={"idempotency_key": idempotency_key},
                )
            return str(earlier["contact_id"])
    try:
        await publisher.publish(topics.CONTACTS_RECEIVED, event, key=thread_key(data))
    except PublishFailed as exc:
        if idempotency_key:
            await records.release(scope, idempotency_key)
        raise Unavailable(
            "the contact could not be stored right now; please try again shortly",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        ) from exc
    return data.contact_id


def thread_key(data: ContactReceivedData) -> str:
    """Records of one thread share a key, so they stay in order on one partition (DESIGN §3)."""
    return data.thread.case_ref or data.contact_id
