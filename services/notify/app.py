"""notify (:8004): departments and citizens reached through webhooks, e-mail and Messenger."""

from __future__ import annotations

from fastapi import FastAPI

from lotsen.kafka.publisher import Publisher
from lotsen.service import Runtime, build_app
from services.notify import subscriptions
from services.notify.repository import SubscriptionRepository
from services.notify.settings import NotifySettings


async def _startup(app: FastAPI, runtime: Runtime) -> None:
    await SubscriptionRepository(runtime.db).ensure_indexes()


def create_app(
    settings: NotifySettings | None = None, *, publisher: Publisher | None = None, run_consumers: bool = True
) -> FastAPI:
    settings = settings or NotifySettings()
    return build_app(
        settings,
        title="Lotsen notify",
        description="Delivers handoffs, reminders and replies to departments and citizens.",
        routers=[subscriptions.router],
        startup=_startup,
        database="lotsen_notify",
        publisher=publisher,
        run_consumers=run_consumers,
    )
