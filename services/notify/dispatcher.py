"""The dispatcher: sends due deliveries, records every attempt, and reports citizens' results.

One loop (``Runtime.background``) repeats: send the reminders that are due again; take the oldest
pending delivery of each lane (case × target) whose time has come, lease it and send it — up to
``NOTIFY_DISPATCH_CONCURRENCY`` at once, never two of one lane. Beside it, a second loop publishes
``outbound.delivered`` or ``outbound.failed`` for citizen deliveries that reached a final state,
each batch at once: a publish waits for Kafka's acknowledgement (10 ms of linger and a round trip),
and one after another, in the dispatch loop, they held back the sends. Everything it needs is in
MongoDB, so a restarted notify carries on where it stopped: a delivery whose outcome was not yet
recorded is sent again with the same ``X-Lotsen-Delivery`` id (at least once, never silently lost).

The clock is injected: tests advance it instead of sleeping through the backoff.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

import httpx

from lotsen.contracts import topics
from lotsen.contracts.outbound import (
    OutboundDelivered,
    OutboundFailed,
    OutboundFailedData,
    OutboundResultData,
)
from lotsen.kafka.publisher import Publisher, PublishFailed
from services.notify import lanes, mail, messenger, reminders, sms, webhooks
from services.notify.deliveries import Document, Outcome, after_attempt, result_event_id
from services.notify.notifier import Notifier
from services.notify.webhook_targets import WebhookTargets

log = logging.getLogger(__name__)
RESULTS_BATCH = 100


class Dispatcher:
    def __init__(
        self,
        notifier: Notifier,
        *,
        publisher: Publisher,
        http: httpx.AsyncClient,
        targets: WebhookTargets,
        rng: Callable[[], float] = random.random,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.notifier = notifier
        self.settings = notifier.settings
        self._publisher = publisher
        self._http = http
        self._targets = targets
        self._tls = httpx.create_ssl_context()  # once: loading the CA bundle is slow
        self._rng = rng
        self._wall_clock = wall_clock  # signature timestamps are real time, whatever the test clock says
        self._mail = mail.Connections(mail.Relay.from_settings(self.settings))
        self._inflight: dict[str, asyncio.Task[None]] = {}
        self._heads: deque[Document] = deque()  # due lane heads read, not started yet
        self._heads_read_at = 0.0
        self._wake = asyncio.Event()
        self._results_due = asyncio.Event()
        self._failure: BaseException | None = None
        # Off where reminders.run repeats them under a lease (several replicas); tests drain both here.
        self.repeats_reminders = True

    def wake(self) -> None:
        """Look for due deliveries now rather than at the next interval."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Dispatch until ``stop``; then let the sends under way finish (each is bounded by a timeout)
        and publish their results."""
        publishing = asyncio.create_task(self._keep_publishing(stop), name="notify outbound results")
        try:
            while not stop.is_set():
                self._wake.clear()
                if publishing.done():
                    publishing.result()  # it only ends early by failing, e.g. MongoDB went away
                await self.run_once()
                await self._pause(stop, self._wake)
            await self._settle()
            await publishing
            await self.publish_results()
        finally:
            publishing.cancel()
            for task in self._inflight.values():  # cancelled (killed): nothing more is recorded
                task.cancel()
            self.close()

    def close(self) -> None:
        """Close the connections to the SMTP relay that are open between messages."""
        self._mail.close()

    async def run_once(self) -> int:
        """Start sending what is due now; returns how many sends were started."""
        self._raise_failure()
        if self.repeats_reminders:
            await reminders.repeat_due(self.notifier)
        return await self._start_due()

    async def drain(self, *, passes: int = 100) -> None:
        """Pass after pass, each waiting for its sends, until nothing more is due now; then publish the
        results. Exact with a test clock: what is due later stays pending."""
        for _ in range(passes):
            started = await self.run_once()
            await self._settle()
            await self.publish_results()
            if not started:
                break

    async def publish_results(self) -> int:
        """``outbound.delivered|failed`` of citizen deliveries in a final state, a batch at a time, all
        of a batch at once; each is marked published once Kafka acked it. One that is not stays
        pending and goes in a later batch (the event id is the same: casestore keeps it once)."""
        published = 0
        while True:
            batch = await self.notifier.deliveries.results_pending(limit=RESULTS_BATCH)
            events = [result_event(doc) for doc in batch]
            outcomes = await asyncio.gather(
                *(
                    self._publisher.publish(topics.OUTBOUND_RESULTS, event, key=doc["case_ref"])
                    for doc, event in zip(batch, events, strict=True)
                ),
                return_exceptions=True,
            )
            failed = 0
            for doc, event, outcome in zip(batch, events, outcomes, strict=True):
                if isinstance(outcome, PublishFailed):
                    log.warning(
                        "outbound result of %s not published yet, will retry: %s", doc["_id"], outcome
                    )
                    failed += 1
                    continue
                if isinstance(outcome, BaseException):
                    raise outcome
                await self.notifier.deliveries.result_published(
                    doc["_id"], status=doc["status"], attempts=doc["attempts"], event_id=str(event.event_id)
                )
                published += 1
            if failed or len(batch) < RESULTS_BATCH:
                return published

    async def _keep_publishing(self, stop: asyncio.Event) -> None:
        """Publish results whenever a send ended (and at each interval, for those left by a failed
        publish or by another notify), until ``stop``; ``run`` publishes the last ones."""
        while not stop.is_set():
            self._results_due.clear()
            await self.publish_results()
            await self._pause(stop, self._results_due)

    async def _start_due(self) -> int:
        """Start due lane heads (:mod:`lanes`) in the free slots: first those left over from the last
        read of the window while it is younger than the interval, then from a new read. Each send
        that ends frees one slot; a read for each would read the window once per send."""
        if len(self._inflight) >= self.settings.dispatch_concurrency:
            return 0
        now = self.notifier.clock()
        if time.monotonic() - self._heads_read_at > self.settings.dispatch_interval_seconds:
            self._heads.clear()
        started = await self._start_heads(now)
        if len(self._inflight) < self.settings.dispatch_concurrency:
            self._heads = deque(await lanes.due_heads(self.notifier.deliveries, now, limit=lanes.HEAD_WINDOW))
            self._heads_read_at = time.monotonic()
            started += await self._start_heads(now)
        return started

    async def _start_heads(self, now: datetime) -> int:
        started = 0
        while self._heads and len(self._inflight) < self.settings.dispatch_concurrency:
            head = self._heads.popleft()
            if head["lane"] in self._inflight:
                continue
            lease = timedelta(seconds=2 * self._timeout(head) + 1)
            doc = await self.notifier.deliveries.claim(head["_id"], now=now, until=now + lease)
            if doc is None:
                continue  # another notify took it, or it is no longer pending
            task = asyncio.create_task(self._attempt(doc), name=f"deliver {doc['_id']}")
            self._inflight[doc["lane"]] = task
            task.add_done_callback(partial(self._done, doc["lane"]))
            started += 1
        return started

    async def _attempt(self, doc: Document) -> None:
        outcome = await self._send(doc)
        changes = after_attempt(
            doc, outcome, now=self.notifier.clock(), policy=self.notifier.policy, rng=self._rng
        )
        # A case erased while this attempt was under way keeps nothing of it; the next one fails as erased.
        await self.notifier.deliveries.update(
            doc["_id"], changes, status="pending", unless_erased=not doc.get("erased")
        )
        log.info(
            "delivery %s (%s of %s, %s) attempt %d: %s → %s",
            doc["_id"],
            doc["target"],
            doc["event_type"],
            doc["case_ref"],
            changes["attempts"],
            outcome.detail,
            changes.get("status", "pending"),
        )

    async def _send(self, doc: Document) -> Outcome:
        target = doc["target"]
        if doc.get("erased"):
            return Outcome.failed("the message was erased with the case", permanent=True)
        if target == "webhook":
            return await self._webhook(doc)
        if target == "citizen_messenger" and doc.get("messenger"):
            return await self._messenger(doc)
        if target in ("department_email", "citizen_email") and doc.get("email"):
            return await mail.send(doc["email"], self._mail, clock=self.notifier.clock)
        if target == "citizen_sms" and doc.get("sms"):
            return await self._sms(doc)
        return Outcome.failed(doc.get("last_error") or "nothing to send", permanent=True)

    async def _webhook(self, doc: Document) -> Outcome:
        subscription = await self.notifier.subscriptions.get(doc["subscription_id"])
        if subscription is None:
            return Outcome.failed("the subscription was deleted", permanent=True)
        if not subscription.get("active", True):
            return Outcome.failed("the subscription is not active", permanent=True)
        body = doc["payload"].encode("utf-8")
        headers = webhooks.headers(
            event_type=doc["event_type"],
            delivery_id=doc["_id"],
            secret=subscription["secret"],
            timestamp=int(self._wall_clock()),
            body=body,
        )
        return await webhooks.post(
            subscription["url"],
            body=body,
            headers=headers,
            timeout=self.settings.webhook_timeout_seconds,
            targets=self._targets,
            ssl_context=self._tls,
        )

    async def _messenger(self, doc: Document) -> Outcome:
        message = doc["messenger"]
        return await messenger.send(
            self._http,
            base_url=self.settings.graph_api_url,
            version=self.settings.graph_api_version,
            token=self.settings.page_token(doc["organization"]),
            psid=message["psid"],
            text=message["text"],
            last_inbound_at=message.get("last_inbound_at"),
            now=self.notifier.clock(),
            timeout=self.settings.webhook_timeout_seconds,
            human_agent=doc.get("kind") != "survey",  # Meta allows the tag for a person's answer only
        )

    async def _sms(self, doc: Document) -> Outcome:
        settings = self.settings
        org = self.notifier.organization(doc["organization"])
        password = settings.sms_password.get_secret_value() if settings.sms_password else None
        return await sms.send(
            self._http,
            url=settings.sms_url,
            username=settings.sms_username,
            password=password,
            sender=settings.sms_sender(doc["organization"], org.name if org else doc["organization"]),
            to=doc["sms"]["to"],
            message=doc["sms"]["text"],
            fields=settings.sms_fields,
            timeout=settings.webhook_timeout_seconds,
        )

    def _timeout(self, doc: Document) -> float:
        email = doc["target"] in ("department_email", "citizen_email")
        return self.settings.smtp_timeout_seconds if email else self.settings.webhook_timeout_seconds

    def _done(self, lane: str, task: asyncio.Task[None]) -> None:
        self._inflight.pop(lane, None)
        if not task.cancelled() and task.exception() is not None and self._failure is None:
            self._failure = task.exception()  # e.g. MongoDB went away: stop, and let the process restart
        self._results_due.set()
        self.wake()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    async def _settle(self) -> None:
        while self._inflight:
            await asyncio.wait(list(self._inflight.values()))
        self._raise_failure()

    async def _pause(self, stop: asyncio.Event, wake: asyncio.Event) -> None:
        waits = [asyncio.create_task(stop.wait()), asyncio.create_task(wake.wait())]
        try:
            await asyncio.wait(
                waits, timeout=self.settings.dispatch_interval_seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiting in waits:
                waiting.cancel()


def result_event(doc: Document) -> OutboundDelivered | OutboundFailed:
    """What casestore shows on the case: delivered, or failed with the reason."""
    at = doc.get("delivered_at") or doc.get("failed_at")
    data = {
        "case_ref": doc["case_ref"],
        "outbound_id": doc["outbound_id"],
        "channel": doc["channel"],
        "at": at,
        "delivery_id": doc["_id"],
        "attempts": doc["attempts"],
    }
    common = {"event_id": result_event_id(doc), "producer": "notify", "organization": doc["organization"]}
    if doc["status"] == "delivered":
        return OutboundDelivered(**common, occurred_at=at, data=OutboundResultData.model_validate(data))
    failed = OutboundFailedData.model_validate({**data, "reason": doc.get("reason") or "not delivered"})
    return OutboundFailed(**common, occurred_at=at, data=failed)
