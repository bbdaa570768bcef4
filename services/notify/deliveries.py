"""A delivery: one message to one target, logged, retried and, if it finally fails, redeliverable.

A delivery is one MongoDB document whose ``_id`` is the ``X-Lotsen-Delivery`` id, derived from the
event that caused it and its target, so a redelivered Kafka event records nothing new. Its states::

    pending ──2xx / accepted──────────────▶ delivered
       │ ╲──failure, retry time left──▶ pending (next attempt after backoff with full jitter)
       └────permanent failure, or the give-up time passed──▶ failed ──POST …/retry──▶ pending

Deliveries of one case to one target share a *lane*; only the oldest pending delivery of a lane is
sent, so a department's system hears of an errand's events in the order they happened.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from lotsen.contracts.envelope import derived_event_id
from lotsen.errors import Conflict, NotFound

Document = dict[str, Any]
Target = Literal["webhook", "department_email", "citizen_email", "citizen_messenger", "citizen_sms"]
Status = Literal["pending", "delivered", "failed"]
CITIZEN_TARGETS = ("citizen_email", "citizen_messenger", "citizen_sms")
NO_CHANNEL = "no channel to reach the citizen"
ERASED = "erased with the case"
WITHHELD = "withheld: the case is confidential (sekretess); its handlers see this on the case"


class DeliveryNotFound(NotFound):
    code = "delivery_not_found"


class DeliveryNotFailed(Conflict):
    code = "delivery_not_failed"


@dataclass(frozen=True)
class RetryPolicy:
    """``NOTIFY_RETRY_BASE_SECONDS``, ``NOTIFY_RETRY_MAX_SECONDS`` and ``NOTIFY_GIVE_UP_HOURS``."""

    base_seconds: float = 30.0
    max_seconds: float = 3600.0
    give_up: timedelta = timedelta(hours=24)

    def backoff(self, failures: int, rng: Callable[[], float]) -> timedelta:
        """Full jitter: a random wait up to min(base·2^(failures−1), max); the first retry within base."""
        ceiling = min(self.base_seconds * 2 ** max(failures - 1, 0), self.max_seconds)
        return timedelta(seconds=rng() * ceiling)


@dataclass(frozen=True)
class Outcome:
    """How one attempt went. A failed send is an outcome, never an exception in the dispatcher."""

    delivered: bool
    detail: str
    permanent: bool = False
    status_code: int | None = None

    @classmethod
    def ok(cls, detail: str, *, status_code: int | None = None) -> Outcome:
        return cls(True, detail, status_code=status_code)

    @classmethod
    def failed(cls, detail: str, *, permanent: bool = False, status_code: int | None = None) -> Outcome:
        return cls(False, detail, permanent=permanent, status_code=status_code)


def delivery_id(source_event_id: uuid.UUID | str, target_key: str) -> str:
    """The ``X-Lotsen-Delivery`` id: the same event to the same target always gets the same id."""
    return str(derived_event_id(source_event_id, target_key))


def lane(case_ref: str, target_key: str) -> str:
    return f"{case_ref}|{target_key}"


def new_delivery(
    *,
    id: str,
    target: Target,
    target_key: str,
    case_ref: str,
    organization: str,
    event_type: str,
    event_id: str,
    now: datetime,
    confidential: bool,
    **fields: Any,
) -> Document:
    """A pending delivery, due now; ``fields`` carry what the sender needs (payload, message, …).
    ``confidential``: whether its case is (*sekretess*), as notify knows it when recording."""
    return {
        "_id": id,
        "target": target,
        "lane": lane(case_ref, target_key),
        "case_ref": case_ref,
        "organization": organization,
        "confidential": confidential,
        "event_type": event_type,
        "event_id": event_id,
        "status": "pending",
        "created_at": now,
        "next_attempt_at": now,
        "give_up_at": None,
        "attempts": 0,
        "round_start": 0,
        "history": [],
        "lease_until": None,
        "reason": None,
        "last_error": None,
        "result_pending": False,
        **fields,
    }


def failed_at_once(doc: Document, reason: str, *, now: datetime) -> Document:
    """A delivery that cannot even be attempted (no address, no channel): failed and visible now."""
    doc.update(status="failed", failed_at=now, reason=reason, last_error=reason)
    doc["history"].append({"at": now, "outcome": "failed", "detail": reason})
    doc["result_pending"] = doc["target"] in CITIZEN_TARGETS
    return doc


def after_attempt(
    doc: Document, outcome: Outcome, *, now: datetime, policy: RetryPolicy, rng: Callable[[], float]
) -> Document:
    """The ``$set`` that records an attempt on ``doc`` and moves it to its next state."""
    attempts = int(doc.get("attempts", 0)) + 1
    entry = {
        "at": now,
        "outcome": "delivered" if outcome.delivered else "failed",
        "detail": outcome.detail,
        "status_code": outcome.status_code,
    }
    # The give-up clock starts at the first attempt of a round, not while waiting behind older ones.
    give_up_at = doc.get("give_up_at") or now + policy.give_up
    update: Document = {
        "attempts": attempts,
        "give_up_at": give_up_at,
        "last_attempt_at": now,
        "lease_until": None,
        "history": [*doc.get("history", []), entry],
    }
    citizen = doc["target"] in CITIZEN_TARGETS
    if outcome.delivered:
        return update | {
            "status": "delivered",
            "delivered_at": now,
            "last_error": None,
            "result_pending": citizen,
        }
    update["last_error"] = outcome.detail
    next_at = now + policy.backoff(attempts - int(doc.get("round_start", 0)), rng)
    if outcome.permanent or next_at > give_up_at:
        reason = (
            outcome.detail if outcome.permanent else f"gave up after {attempts} attempts: {outcome.detail}"
        )
        return update | {"status": "failed", "failed_at": now, "reason": reason, "result_pending": citizen}
    return update | {"status": "pending", "next_attempt_at": next_at}


def redelivery(doc: Document, *, now: datetime, by: str) -> Document:
    """``POST /v1/deliveries/{id}/retry``: a failed delivery is pending again now, same id, history kept."""
    if doc["status"] != "failed":
        raise DeliveryNotFailed(
            f"delivery {doc['_id']} is {doc['status']}; only failed deliveries can be retried",
            details={"status": doc["status"]},
        )
    return {
        "status": "pending",
        "next_attempt_at": now,
        "give_up_at": None,
        "round_start": int(doc.get("attempts", 0)),
        "reason": None,
        "failed_at": None,
        "lease_until": None,
        "result_pending": False,  # the next final state publishes its own result
        "history": [*doc.get("history", []), {"at": now, "outcome": "retry_requested", "detail": f"by {by}"}],
    }


def erasure(doc: Document) -> Document:
    """The ``$set`` that erases what a delivery holds of a person once its case is erased.

    The message itself (mail, Messenger text, webhook body) is unset by the repository. A citizen's
    delivery also loses its address and the free texts of its attempts, which may quote the address
    (a relay's refusal, an unusable address); when and how each attempt went stays in the log.
    """
    changes: Document = {"erased": True}
    if doc["target"] in CITIZEN_TARGETS:
        changes["recipient"] = None
        changes["history"] = [
            entry if entry.get("outcome") == "retry_requested" else {**entry, "detail": ERASED}
            for entry in doc.get("history", [])
        ]
        changes |= {key: ERASED for key in ("reason", "last_error") if doc.get(key)}
    return changes


def withheld(doc: Document) -> Document:
    """What an administrator reads of a delivery to the citizen of a confidential case: who the
    citizen is stays out — the address or Messenger id, and every text of its attempts that could
    quote it (a relay's refusal, an unusable address). Its status, times, attempts and their status
    codes stay, enough to see that it failed and to send it again. A department's delivery is the
    department's own configuration and is read in full."""
    if doc["target"] not in CITIZEN_TARGETS:
        return doc

    def safe(text: Any) -> Any:
        return text if text in (None, NO_CHANNEL, ERASED) else WITHHELD

    history = [
        entry if entry.get("outcome") == "retry_requested" else {**entry, "detail": safe(entry.get("detail"))}
        for entry in doc.get("history", [])
    ]
    return doc | {
        "recipient": None,
        "reason": safe(doc.get("reason")),
        "last_error": safe(doc.get("last_error")),
        "history": history,
    }


def result_event_id(doc: Document) -> str:
    """The id of the ``outbound.delivered|failed`` a final state publishes (stable across re-publishing)."""
    return str(derived_event_id(doc["_id"], f"result:{doc['status']}:{doc.get('attempts', 0)}"))
