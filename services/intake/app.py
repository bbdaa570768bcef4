"""intake (:8001): every channel in, validated and normalised, answered only after Kafka acknowledged."""

from __future__ import annotations

from fastapi import FastAPI

from lotsen.kafka.publisher import Publisher
from lotsen.service import Runtime, build_app
from services.intake import webform
from services.intake.settings import IntakeSettings


async def _startup(app: FastAPI, runtime: Runtime) -> None:
    await runtime.db["idempotency"].create_index("created_at", expireAfterSeconds=7 * 24 * 3600)


def create_app(
    settings: IntakeSettings | None = None, *, publisher: Publisher | None = None, run_consumers: bool = True
) -> FastAPI:
    settings = settings or IntakeSettings()
    return build_app(
        settings,
        title="Lotsen intake",
        description="Receives contacts from every channel and publishes them on contacts.received.",
        routers=[webform.router],
        startup=_startup,
        database="lotsen_intake",
        publisher=publisher,
        run_consumers=run_consumers,
    )
