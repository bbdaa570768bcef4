"""The whole system as processes, as `make run` starts it, on free ports."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from lotsen.devserver.stack import SERVICES, Stack
from lotsen.kafka.broker import free_port
from tests.conftest import MONGODB_URL


@pytest.fixture(scope="session")
async def stack(kafka_bootstrap: str) -> AsyncIterator[Stack]:
    lines: list[str] = []
    system = Stack(
        ports={name: free_port() for name in SERVICES},
        kafka_bootstrap_servers=kafka_bootstrap,
        mongodb_url=MONGODB_URL,
        log=lambda name, line: lines.append(f"{name} | {line}"),
        extra_env={"LOTSEN_EXIT_ON_CONSUMER_FAILURE": "1"},
    )
    try:
        await system.start(timeout=90)
    except Exception:
        print("\n".join(lines[-80:]))
        raise
    yield system
    await system.stop()
    if os.environ.get("LOTSEN_TEST_SHOW_LOGS"):
        print("\n".join(lines))
