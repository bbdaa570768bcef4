"""``Idempotency-Key`` on casestore's POST endpoints (IETF draft *The Idempotency-Key HTTP Header Field*).

A key stands for one request: the first use records a fingerprint of the endpoint and body, a retry
with the same body gets the first answer (the endpoint derives its ids from the key), and the same
key with a different body is refused with ``409 idempotency_key_reused`` rather than answered with
the result of the other request. Keys are scoped to the caller, so two agents never collide.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from pydantic import BaseModel

from lotsen.auth import Principal
from lotsen.errors import Conflict
from services.casestore.repository import CaseRepository


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"


def fingerprint(endpoint: str, body: BaseModel) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{endpoint}\n{canonical}".encode()).hexdigest()


async def claim(
    repo: CaseRepository, *, principal: Principal, key: str, endpoint: str, body: BaseModel
) -> None:
    """Tie ``key`` to this request, or raise :class:`IdempotencyKeyReused` if it stands for another."""
    this = fingerprint(endpoint, body)
    earlier = await repo.claim_idempotency_key(f"{principal.subject}:{key}", this, datetime.now(UTC))
    if earlier is not None and earlier != this:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used for a different request; use a new key for a new request",
            details={"idempotency_key": key},
        )
