"""notify through the real broker: case events on Kafka in, signed webhooks to a real HTTP receiver
and e-mail through the real SMTP catcher out; retries on an injected clock; a kill and a restart.

notify runs in-process (as ``make run`` would run it, minus the process boundary) with a consumer
group of its own, so the session's other notify (the stack's) is not disturbed; it reads the whole
``cases.events`` topic, and the receivers count only this test's errands.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from lotsen.contracts import topics
from lotsen.kafka.publisher import KafkaPublisher
from services.notify.app import create_app
from services.notify.settings import NotifySettings
from tests.helpers import eventually, running
from tests.notify_events import created, handed_off, new_ref
from tests.notify_support import SECRET, FakeClock, Outbox, Received, Receiver, outbox, signed_correctly

__all__ = ["outbox"]  # fixtures

pytestmark = pytest.mark.integration

ORGANIZATION, DEPARTMENT = "degerfors", "kultur"


class LiveNotify:
    def __init__(self, kafka_bootstrap: str, db: Any, outbox: Outbox, token_for: Callable[..., str]) -> None:
        self.db = db
        self.clock = FakeClock()
        self.settings = NotifySettings(
            kafka_bootstrap_servers=kafka_bootstrap,
            consumer_group=f"notify-test-{uuid.uuid4().hex[:8]}",
            smtp_port=outbox.port,
            dispatch_interval_seconds=0.05,
            dispatch_concurrency=4,
            webhook_timeout_seconds=3,
            webhook_allowed_networks=["127.0.0.0/8"],  # the receivers listen on loopback
        )
        self.admin = {"Authorization": f"Bearer {token_for('admin')}"}
        self.client: httpx.AsyncClient | None = None
        self.app: Any = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[httpx.AsyncClient]:
        """notify started against ``db``; a second start carries on from what the first left."""
        self.app = create_app(self.settings, db=self.db, clock=self.clock, rng=lambda: 1.0)
        async with running(self.app) as client:
            self.client = client
            yield client

    def kill(self) -> None:
        """Stop every consumer and the dispatcher where they are, as SIGKILL would: sends under way
        are cut off, and nothing after this point is recorded or committed."""
        for task in self.app.state.runtime.tasks:
            task.cancel()

    async def subscribe(self, url: str, *event_types: str) -> str:
        assert self.client is not None
        body = {
            "department": DEPARTMENT,
            "organization": ORGANIZATION,
            "url": url,
            "secret": SECRET,
            "event_types": list(event_types),
        }
        response = await self.client.post("/v1/subscriptions", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def deliveries(self, **filters: Any) -> list[dict[str, Any]]:
        assert self.client is not None
        response = await self.client.get("/v1/deliveries", params=filters, headers=self.admin)
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    async def webhook_of(self, ref: str) -> dict[str, Any]:
        [delivery] = await self.deliveries(case_ref=ref, target="webhook")
        return delivery


@pytest.fixture
async def live(
    kafka_bootstrap: str, mongo_db: Any, outbox: Outbox, dev_env: None, token_for: Callable[..., str]
) -> LiveNotify:
    return LiveNotify(kafka_bootstrap, mongo_db, outbox, token_for)


@pytest.fixture
async def publish(kafka_bootstrap: str) -> AsyncIterator[Callable[..., Any]]:
    publisher = KafkaPublisher(kafka_bootstrap, client_id="test-casestore")
    await publisher.start()

    async def send(*events: Any) -> None:
        for event in events:
            await publisher.publish(topics.CASES_EVENTS, event, key=event.data.case_ref)

    yield send
    await publisher.stop()


def ours(*refs: str) -> Callable[[Received], bool]:
    return lambda request: request.json().get("data", {}).get("case_ref") in refs


def handoff(ref: str) -> Any:
    return handed_off(ref, department=DEPARTMENT, organization=ORGANIZATION)


async def test_a_handoff_produces_one_signed_webhook_and_one_email(
    live: LiveNotify, outbox: Outbox, publish: Callable[..., Any]
) -> None:
    ref = new_ref("DEG")
    receiver = Receiver().start()
    try:
        async with live.running():
            await live.subscribe(receiver.url, "case.handed_off")
            receiver.only = ours(ref)
            event = handoff(ref)
            await publish(
                created(ref, category="bibliotek", department=DEPARTMENT, organization=ORGANIZATION), event
            )

            await eventually(lambda: _async(receiver.requests and outbox.messages(ref)), timeout=60)
            deliveries = await eventually(lambda: _delivered(live, ref, 2), timeout=30)
    finally:
        receiver.stop()
    [request] = receiver.requests
    assert request.headers["X-Lotsen-Event"] == "case.handed_off"
    assert signed_correctly(request.headers, request.body)
    assert request.json() == event.model_dump(mode="json")
    assert {d["target"] for d in deliveries} == {"webhook", "department_email"}
    [mail] = outbox.messages(ref)
    assert mail["To"].addresses[0].addr_spec == "kultur@degerfors.example"
    assert mail["Subject"] == f"Överlämnat ärende [{ref}]: Bibliotek"


async def test_a_receiver_failing_three_times_gets_the_delivery_on_the_fourth_attempt(
    live: LiveNotify, publish: Callable[..., Any]
) -> None:
    ref = new_ref("DEG")
    receiver = Receiver(answers=[500, 500, 504, 200]).start()
    try:
        async with live.running():
            await live.subscribe(receiver.url, "case.handed_off")
            receiver.only = ours(ref)
            await publish(handoff(ref))
            for attempt in (1, 2, 3):
                delivery = await eventually(lambda n=attempt: _attempted(live, ref, n), timeout=60)
                assert delivery["status"] == "pending"
                live.clock.set(datetime.fromisoformat(delivery["next_attempt_at"]))
            delivery = await eventually(lambda: _attempted(live, ref, 4))
    finally:
        receiver.stop()
    assert delivery["status"] == "delivered"
    assert [h["status_code"] for h in delivery["history"]] == [500, 500, 504, 200]
    assert len(receiver.requests) == 4 and len(set(receiver.ids())) == 1


async def test_an_always_failing_receiver_ends_failed_and_the_retry_endpoint_redelivers(
    live: LiveNotify, publish: Callable[..., Any]
) -> None:
    live.settings.give_up_hours = 1  # 7 attempts: after 30 s, 1, 2, 4, 8 and 16 min the next is > 1 h out
    ref = new_ref("DEG")
    receiver = Receiver(answers=[503]).start()
    try:
        async with live.running() as client:
            await live.subscribe(receiver.url, "case.handed_off")
            receiver.only = ours(ref)
            await publish(handoff(ref))
            delivery = await eventually(lambda: _attempted(live, ref, 1), timeout=60)
            while delivery["status"] == "pending":
                live.clock.set(datetime.fromisoformat(delivery["next_attempt_at"]))
                delivery = await eventually(lambda n=delivery["attempts"] + 1: _attempted(live, ref, n))
            assert delivery["status"] == "failed" and delivery["attempts"] == 7
            assert [d["id"] for d in await live.deliveries(status="failed", case_ref=ref)] == [delivery["id"]]

            receiver.answers = [202]
            retried = await client.post(f"/v1/deliveries/{delivery['id']}/retry", headers=live.admin)
            assert retried.status_code == 200
            delivered = await eventually(lambda: _attempted(live, ref, 8))
    finally:
        receiver.stop()
    assert delivered["status"] == "delivered" and delivered["id"] == delivery["id"]
    assert set(receiver.ids()) == {delivery["id"]}


async def test_killing_notify_mid_batch_and_restarting_delivers_everything_at_least_once(
    live: LiveNotify, publish: Callable[..., Any]
) -> None:
    """The kill is in-process: notify's consumer and dispatcher tasks are cancelled where they stand
    (sends under way are cut off after the receiver got them, nothing more is recorded, Kafka offsets
    are not committed), then a second notify starts on the *same database object* and the same
    consumer group. A separate process would be the more literal kill, but the in-memory MongoDB
    stand-in lives inside one process and a restarted process would find it empty; with
    ``MONGODB_URL=mongodb://…`` this test runs unchanged against a real server. The restart does
    not wait out the leases of the cut-off sends in real time: the injected clock is advanced."""
    refs = [new_ref("DEG") for _ in range(12)]
    receiver = Receiver(delay=1.0, only=ours(*refs)).start()
    try:
        async with live.running():
            subscription = await live.subscribe(receiver.url, "case.handed_off")
            await publish(*(handoff(ref) for ref in refs))
            await eventually(lambda: _async(len(receiver.requests) >= 4), timeout=60)
            live.kill()
            recorded = {d["id"] for d in await _webhooks(live, subscription, "delivered", refs)}
            in_flight = set(receiver.ids()) - recorded
        assert in_flight, "the kill came while deliveries were under way"

        receiver.delay = 0.0
        async with live.running():
            live.clock.advance(timedelta(seconds=2 * live.settings.webhook_timeout_seconds + 2))
            delivered = await eventually(
                lambda: _async_value(_webhooks(live, subscription, "delivered", refs), len(refs)), timeout=60
            )
    finally:
        receiver.stop()
    ids = receiver.ids()
    repeated = {i for i in ids if ids.count(i) > 1}
    assert {d["case_ref"] for d in delivered} == set(refs)
    assert set(ids) == {d["id"] for d in delivered}, "every delivery reached the receiver"
    assert repeated <= in_flight, "only deliveries cut off by the kill are repeated"
    assert len(ids) - len(set(ids)) <= len(in_flight)


async def _async(value: Any) -> Any:
    return value


async def _async_value(query: Any, count: int) -> Any:
    found = await query
    return found if len(found) >= count else None


async def _webhooks(
    live: LiveNotify, subscription: str, status: str, refs: list[str]
) -> list[dict[str, Any]]:
    found = await live.deliveries(subscription_id=subscription, status=status, limit=500)
    return [d for d in found if d["case_ref"] in refs]


async def _attempted(live: LiveNotify, ref: str, attempts: int) -> dict[str, Any] | None:
    found = await live.deliveries(case_ref=ref, target="webhook")
    return found[0] if found and found[0]["attempts"] >= attempts else None


async def _delivered(live: LiveNotify, ref: str, count: int) -> list[dict[str, Any]] | None:
    found = await live.deliveries(case_ref=ref, status="delivered")
    return found if len(found) >= count else None
