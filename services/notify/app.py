"""notify (:8004): departments and citizens reached through webhooks, e-mail and Messenger.

Two hops to any behaviour: the consumers (:mod:`handlers`) record deliveries — to departments
(:mod:`department`: webhooks, e-mail), to citizens (:mod:`citizen`), reminders (:mod:`reminders`);
the :mod:`dispatcher` sends them through :mod:`webhooks` (only where :mod:`webhook_targets` allows),
:mod:`mail` (built by :mod:`mail_message`) and :mod:`messenger` with the retry policy of
:mod:`deliveries`. HTTP: :mod:`subscriptions` and :mod:`api` (deliveries).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable

import httpx
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.contracts.envelope import utc_now
from lotsen.kafka.publisher import Publisher
from lotsen.service import Runtime, build_app
from services.notify import api, handlers, reminders, subscriptions, unassigned
from services.notify.dispatcher import Dispatcher
from services.notify.notifier import Clock, Notifier
from services.notify.repository import (
    CaseFactRepository,
    Database,
    DeliveryRepository,
    ReminderRepository,
    SubscriptionRepository,
)
from services.notify.settings import NotifySettings
from services.notify.webhook_targets import Resolver, WebhookTargets, own_addresses, system_resolver
from services.notify.webhooks import USER_AGENT


def _startup_with(clock: Clock, rng: Callable[[], float], resolve: Resolver):  # type: ignore[no-untyped-def]
    async def startup(app: FastAPI, runtime: Runtime) -> None:
        settings: NotifySettings = app.state.settings
        # httpx logs each request's URL at INFO; the Send API's carries the page access token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        notifier = Notifier(
            settings=settings,
            directory=runtime.directory,
            subscriptions=SubscriptionRepository(runtime.db),
            deliveries=DeliveryRepository(runtime.db),
            reminders=ReminderRepository(runtime.db),
            facts=CaseFactRepository(runtime.db),
            clock=clock,
        )
        await notifier.subscriptions.ensure_indexes()
        await unassigned.settle(notifier.subscriptions, runtime.directory)
        await notifier.deliveries.ensure_indexes()
        await notifier.reminders.ensure_indexes()
        app.state.http = httpx.AsyncClient(headers={"User-Agent": USER_AGENT})
        app.state.webhook_targets = WebhookTargets.from_settings(
            settings.webhook_allowed_networks,
            dev_mode=settings.dev_mode,
            own_addresses=await own_addresses(),
            resolve=resolve,
        )
        dispatcher = Dispatcher(
            notifier,
            publisher=runtime.publisher,
            http=app.state.http,
            targets=app.state.webhook_targets,
            rng=rng,
        )
        notifier.wake = dispatcher.wake
        app.state.notifier = notifier
        app.state.dispatcher = dispatcher
        await runtime.consume(
            settings.consumer_group,
            [topics.CASES_EVENTS, topics.OUTBOUND_REQUESTS, topics.NOTICES_EVENTS, topics.REPORTS_EVENTS],
            handlers.everything(notifier),
        )
        if runtime.run_consumers:
            stop = asyncio.Event()
            # Every replica sends (each delivery is claimed by one); reminders repeat on one at a time.
            dispatcher.repeats_reminders = False
            runtime.background(dispatcher.run(stop), stop)
            every = settings.dispatch_interval_seconds
            runtime.background_once(
                "notify-reminders", lambda job: reminders.run(notifier, every_seconds=every, stop=job), stop
            )

    return startup


async def _shutdown(app: FastAPI, runtime: Runtime) -> None:
    client = getattr(app.state, "http", None)
    if client is not None:
        await client.aclose()
    dispatcher = getattr(app.state, "dispatcher", None)
    if dispatcher is not None:
        dispatcher.close()


def create_app(
    settings: NotifySettings | None = None,
    *,
    publisher: Publisher | None = None,
    run_consumers: bool = True,
    db: Database | None = None,
    clock: Clock = utc_now,
    rng: Callable[[], float] = random.random,
    resolve: Resolver = system_resolver,
) -> FastAPI:
    """``clock``, ``rng`` (the backoff's jitter) and ``resolve`` (DNS, for webhook targets) are
    injected by tests; ``db`` by restart tests."""
    settings = settings or NotifySettings()
    return build_app(
        settings,
        title="Lotsen notify",
        description="Delivers handoffs, reminders and replies to departments and citizens.",
        routers=[subscriptions.router, api.router],
        startup=_startup_with(clock, rng, resolve),
        shutdown=_shutdown,
        database="lotsen_notify",
        publisher=publisher,
        run_consumers=run_consumers,
        db=db,
    )
