"""The delivery state machine on its own: backoff with full jitter, giving up, redelivery, stable ids."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.notify.deliveries import (
    DeliveryNotFailed,
    Outcome,
    RetryPolicy,
    after_attempt,
    delivery_id,
    new_delivery,
    redelivery,
)

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
POLICY = RetryPolicy(base_seconds=30, max_seconds=3600, give_up=timedelta(hours=24))


def pending(target: str = "webhook") -> dict[str, object]:
    return new_delivery(
        id="d-1",
        target=target,  # type: ignore[arg-type]
        target_key="webhook:s-1",
        case_ref="KGA-2026-000123",
        organization="karlskoga",
        event_type="case.handed_off",
        event_id="e-1",
        now=T0,
        confidential=False,
    )


def test_backoff_doubles_from_the_base_up_to_the_cap_with_full_jitter() -> None:
    ceilings = [POLICY.backoff(n, lambda: 1.0).total_seconds() for n in range(1, 10)]
    assert ceilings == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert POLICY.backoff(3, lambda: 0.0) == timedelta(0)
    assert POLICY.backoff(3, lambda: 0.5) == timedelta(seconds=60)


def test_a_delivery_is_retried_for_24_hours_then_failed() -> None:
    doc = pending()
    now = T0
    while doc["status"] == "pending":
        doc |= after_attempt(doc, Outcome.failed("HTTP 500"), now=now, policy=POLICY, rng=lambda: 1.0)
        now = doc.get("next_attempt_at", now)  # type: ignore[assignment]
    assert doc["status"] == "failed"
    assert now - T0 <= timedelta(hours=24)
    assert doc["attempts"] == len(doc["history"]) == 30  # type: ignore[arg-type]
    assert str(doc["reason"]).startswith("gave up after 30 attempts: HTTP 500")


def test_a_permanent_failure_is_final_at_once_and_citizen_results_are_flagged() -> None:
    doc = pending("citizen_messenger")
    doc |= after_attempt(
        doc, Outcome.failed("outside window", permanent=True), now=T0, policy=POLICY, rng=lambda: 1
    )
    assert (doc["status"], doc["reason"], doc["result_pending"]) == ("failed", "outside window", True)


def test_redelivery_keeps_id_and_history_and_only_applies_to_failed() -> None:
    doc = pending()
    with pytest.raises(DeliveryNotFailed):
        redelivery(doc, now=T0, by="admin")
    doc |= after_attempt(
        doc, Outcome.failed("HTTP 410", permanent=True), now=T0, policy=POLICY, rng=lambda: 1
    )
    later = T0 + timedelta(days=2)
    doc |= redelivery(doc, now=later, by="admin")
    assert (doc["_id"], doc["status"], doc["next_attempt_at"]) == ("d-1", "pending", later)
    assert [h["outcome"] for h in doc["history"]] == ["failed", "retry_requested"]  # type: ignore[attr-defined]
    doc |= after_attempt(doc, Outcome.failed("HTTP 500"), now=later, policy=POLICY, rng=lambda: 1.0)
    assert doc["next_attempt_at"] == later + timedelta(seconds=30), "backoff starts afresh"


def test_delivery_ids_are_stable_per_event_and_target() -> None:
    event = uuid.uuid4()
    assert delivery_id(event, "webhook:s-1") == delivery_id(str(event), "webhook:s-1")
    assert delivery_id(event, "webhook:s-1") != delivery_id(event, "webhook:s-2")
    assert uuid.UUID(delivery_id(event, "citizen"))
