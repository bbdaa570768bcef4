"""What intake's tests share: an in-process intake on the in-memory bus, keys, signatures and data."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi import FastAPI

from lotsen.contracts import topics
from lotsen.contracts.envelope import decode_event
from lotsen.kafka.memory import InMemoryBus
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.helpers import eventually, running

DATA = Path(__file__).resolve().parent / "data" / "intake"
KEY = {"X-Connector-Key": "dev-connector-key"}
APP_SECRET = "dev-app-secret"


@dataclass
class Intake:
    client: httpx.AsyncClient
    app: FastAPI
    bus: InMemoryBus

    @property
    def smtp_port(self) -> int:
        return int(self.app.state.smtp.port)

    @property
    def db(self) -> Any:
        return self.app.state.runtime.db

    def contacts(self) -> list[Any]:
        return self.bus.published(topics.CONTACTS_RECEIVED)

    def calls(self) -> list[Any]:
        return self.bus.published(topics.CALLS_EVENTS)


@asynccontextmanager
async def intake_on(bus: InMemoryBus, **settings: Any) -> AsyncIterator[Intake]:
    """intake with its SMTP listener on a free port, publishing to ``bus`` (needs the dev_env fixture)."""
    app = create_app(IntakeSettings(**{"smtp_port": 0, **settings}), publisher=bus, run_consumers=False)
    async with running(app) as client:
        yield Intake(client, app, bus)


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def eml(name: str) -> bytes:
    return (DATA / "email" / name).read_bytes()


async def read_events(
    bootstrap: str, topic: str, wanted: Callable[[Any], bool], *, at_least: int, timeout: float = 30.0
) -> list[Any]:
    """The events on ``topic`` that ``wanted`` picks, read from the beginning until there are
    ``at_least``, and then until the topic stays quiet, so a duplicate already there would show."""
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await reader.start()
    await reader.topics()  # metadata, so the topic's partitions are known
    reader.assign([TopicPartition(topic, p) for p in sorted(reader.partitions_for_topic(topic) or {0})])
    await reader.seek_to_beginning()
    found: list[Any] = []
    try:

        async def read(ms: int) -> int:
            batch = await reader.getmany(timeout_ms=ms)
            records = [r for records in batch.values() for r in records]
            found.extend(e for e in (decode_event(r.value) for r in records) if wanted(e))
            return len(records)

        async def enough() -> bool:
            await read(200)
            return len(found) >= at_least

        await eventually(enough, timeout=timeout)
        while await read(1000):
            pass
    finally:
        await reader.stop()
    return found
