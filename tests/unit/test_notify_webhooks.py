"""Signed webhooks to departments: the signature, retries on an injected clock, ordering, redelivery.

Every test sends over real HTTP to a receiver on 127.0.0.1; the clock is the dispatcher's injected
one, so backoff is exact and nothing sleeps.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from lotsen.kafka.broker import free_port
from services.notify.deliveries import delivery_id
from tests.notify_events import created, handed_off, new_ref, resolved, returned
from tests.notify_support import (
    SECRET,
    FakeClock,
    Notify,
    Receiver,
    clock,
    notify,
    notify_overrides,
    outbox,
    receiver,
    signed_correctly,
)

__all__ = ["clock", "notify", "notify_overrides", "outbox", "receiver"]  # fixtures

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def docs_receiver() -> dict[str, Any]:
    """The receiver ``docs/webhooks.md`` shows, executed as a module (not as __main__)."""
    code = re.search(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    assert code, "docs/webhooks.md has no python receiver"
    namespace: dict[str, Any] = {"__name__": "department_receiver"}
    exec(compile(code.group(1), str(DOCS), "exec"), namespace)
    return namespace


@pytest.fixture
def department_system() -> Iterator[dict[str, Any]]:
    """The documented receiver, serving on a free loopback port with the subscription's secret."""
    receiver_module = docs_receiver()
    receiver_module["SECRET"] = SECRET.encode()
    events: list[dict[str, Any]] = []
    receiver_module["handle"] = events.append
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), receiver_module["LotsenWebhook"])
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    receiver_module["url"] = f"http://127.0.0.1:{server.server_address[1]}/"
    receiver_module["events"] = events
    yield receiver_module
    server.shutdown()
    server.server_close()


async def test_a_handoff_reaches_the_documented_receiver_signed(
    notify: Notify, department_system: dict[str, Any]
) -> None:
    ref = new_ref()
    await notify.subscribe(department_system["url"], "case.handed_off", "case.resolved")
    event = handed_off(ref)
    await notify.publish(created(ref), event)
    await notify.dispatch()

    assert department_system["events"] == [event.model_dump(mode="json")]
    [delivery] = await notify.deliveries(target="webhook", case_ref=ref)
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1
    assert delivery["history"][0]["status_code"] == 204
    assert delivery["event_type"] == "case.handed_off"


def test_the_documented_verification_refuses_tampering_and_replays() -> None:
    verify = docs_receiver()["verify"]
    body = b'{"type": "case.handed_off"}'
    now = 1_772_442_845
    mac = hmac.new(SECRET.encode(), f"{now}.".encode() + body, hashlib.sha256).hexdigest()
    header = f"t={now},v1={mac}"
    assert verify(SECRET.encode(), header, body, now=now + 60)
    assert not verify(SECRET.encode(), header, body + b" ", now=now)
    assert not verify(b"another-secret-0123456789", header, body, now=now)
    assert not verify(SECRET.encode(), header, body, now=now + 5 * 60 + 1)
    assert not verify(SECRET.encode(), "v1=abc", body, now=now)


async def test_headers_and_body_are_the_event_envelope(notify: Notify, receiver: Receiver) -> None:
    ref = new_ref()
    subscription = await notify.subscribe(receiver.url, "case.handed_off")
    event = handed_off(ref)
    await notify.publish(event)
    await notify.publish(event)  # Kafka redelivers: no second delivery
    await notify.dispatch()
    await notify.dispatch()

    [request] = receiver.requests
    assert request.headers["X-Lotsen-Event"] == "case.handed_off"
    assert request.headers["X-Lotsen-Delivery"] == delivery_id(event.event_id, f"webhook:{subscription}")
    assert request.headers["Content-Type"].startswith("application/json")
    assert signed_correctly(request.headers, request.body)
    assert request.json() == event.model_dump(mode="json")


async def test_three_failures_then_the_fourth_attempt_delivers(
    notify: Notify, receiver: Receiver, clock: FakeClock
) -> None:
    receiver.answers = [500, 503, 502, 200]
    await notify.subscribe(receiver.url, "case.handed_off")
    ref = new_ref()
    await notify.publish(handed_off(ref))
    started = clock()
    waits = []
    for attempt in (1, 2, 3):
        await notify.dispatch()
        [delivery] = await notify.deliveries(case_ref=ref, target="webhook")
        assert (delivery["status"], delivery["attempts"]) == ("pending", attempt)
        next_at = datetime.fromisoformat(delivery["next_attempt_at"])
        waits.append(next_at - clock())
        await notify.dispatch()  # not due yet: nothing is sent
        assert len(receiver.requests) == attempt
        clock.set(next_at)
    await notify.dispatch()

    [delivery] = await notify.deliveries(case_ref=ref, target="webhook")
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 4)
    assert [h["status_code"] for h in delivery["history"]] == [500, 503, 502, 200]
    # rng = 1.0 makes full jitter its ceiling: base · 2^(n−1) with the default base of 30 s.
    assert waits == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert clock() - started == timedelta(seconds=210)
    assert len(set(receiver.ids())) == 1, "every attempt carries the same X-Lotsen-Delivery"


async def test_a_receiver_that_always_fails_ends_failed_and_is_redelivered_by_hand(
    notify: Notify, receiver: Receiver, clock: FakeClock
) -> None:
    receiver.answers = [500]
    await notify.subscribe(receiver.url, "case.handed_off")
    ref = new_ref()
    await notify.publish(handed_off(ref))
    for _ in range(60):
        await notify.dispatch()
        [delivery] = await notify.deliveries(case_ref=ref, target="webhook")
        if delivery["status"] == "failed":
            break
        clock.set(datetime.fromisoformat(delivery["next_attempt_at"]))
    assert delivery["status"] == "failed"
    assert delivery["reason"].startswith(f"gave up after {delivery['attempts']} attempts: HTTP 500")
    first = datetime.fromisoformat(delivery["history"][0]["at"])
    assert datetime.fromisoformat(delivery["failed_at"]) - first <= timedelta(hours=24)
    assert [d["id"] for d in await notify.deliveries(status="failed")] == [delivery["id"]]

    receiver.answers = [200]
    retried = await notify.client.post(f"/v1/deliveries/{delivery['id']}/retry", headers=notify.admin)
    assert retried.status_code == 200
    assert retried.json()["status"] == "pending"
    await notify.dispatch()
    after = await notify.delivery(delivery["id"])
    assert after["status"] == "delivered"
    assert after["attempts"] == delivery["attempts"] + 1
    assert [h["outcome"] for h in after["history"][-2:]] == ["retry_requested", "delivered"]
    assert set(receiver.ids()) == {delivery["id"]}


async def test_events_of_one_case_go_out_in_order(
    notify: Notify, receiver: Receiver, clock: FakeClock
) -> None:
    receiver.answers = [500, 200]
    await notify.subscribe(receiver.url, "case.handed_off", "case.returned", "case.resolved")
    ref, other = new_ref(), new_ref()
    await notify.publish(handed_off(ref), returned(ref), resolved(ref))
    await notify.dispatch()
    assert [r.json()["type"] for r in receiver.requests] == ["case.handed_off"]  # failed; the rest wait
    await notify.publish(handed_off(other))
    await notify.dispatch()
    assert [r.json()["data"]["case_ref"] for r in receiver.requests][-1] == other  # other cases do not wait

    clock.advance(timedelta(minutes=1))
    for _ in range(4):
        await notify.dispatch()
    ours = [r.json()["type"] for r in receiver.requests if r.json()["data"]["case_ref"] == ref]
    assert ours == ["case.handed_off", "case.handed_off", "case.returned", "case.resolved"]


async def test_only_the_departments_subscribers_to_the_event_type_are_called(
    notify: Notify, receiver: Receiver
) -> None:
    await notify.subscribe(receiver.url, "case.resolved", department="skola")
    ref = new_ref()
    await notify.publish(created(ref), handed_off(ref), resolved(ref))
    await notify.dispatch()
    assert receiver.requests == []


async def test_deliveries_are_for_admins_and_explain_their_errors(
    notify: Notify, receiver: Receiver, token_for: Any
) -> None:
    await notify.subscribe(receiver.url, "case.handed_off")
    ref = new_ref()
    await notify.publish(handed_off(ref))
    await notify.dispatch()
    [delivery] = await notify.deliveries(case_ref=ref, target="webhook")
    agent = {"Authorization": f"Bearer {token_for('agent')}"}
    assert (await notify.client.get("/v1/deliveries", headers=agent)).status_code == 403
    again = await notify.client.post(f"/v1/deliveries/{delivery['id']}/retry", headers=notify.admin)
    assert again.status_code == 409 and again.json()["error"]["code"] == "delivery_not_failed"
    missing = await notify.client.post("/v1/deliveries/nope/retry", headers=notify.admin)
    assert missing.status_code == 404
    bad = await notify.client.get("/v1/deliveries", params={"status": "lost"}, headers=notify.admin)
    assert bad.status_code == 422
    page = await notify.client.get("/v1/deliveries", params={"limit": 1}, headers=notify.admin)
    assert page.json()["next_cursor"] is not None
    unknown = await notify.client.post(
        "/v1/subscriptions",
        json={
            "department": "rymdstyrelsen",
            "organization": "karlskoga",
            "url": receiver.url,
            "secret": SECRET,
            "event_types": ["case.resolved"],
        },
        headers=notify.admin,
    )
    assert unknown.status_code == 422 and "rymdstyrelsen" in unknown.json()["error"]["message"]


async def test_an_unreachable_receiver_is_a_failed_attempt_not_an_error(notify: Notify) -> None:
    await notify.subscribe(f"http://127.0.0.1:{free_port()}/", "case.handed_off")
    ref = new_ref()
    await notify.publish(handed_off(ref))
    await notify.dispatch()
    [delivery] = await notify.deliveries(case_ref=ref, target="webhook")
    assert delivery["status"] == "pending" and delivery["attempts"] == 1
    assert delivery["last_error"] == "connection refused"
