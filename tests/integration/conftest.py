"""The whole system as processes, as `make run` starts it, on free ports."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from lotsen.devserver.stack import SERVICES, Stack
from lotsen.kafka.broker import free_port
from tests.conftest import MONGODB_URL
from tests.notify_support import Outbox


@pytest.fixture(scope="session")
def stack_outbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outbox]:
    """The mail catcher the stack's notify sends to (the municipality's SMTP relay, here)."""
    outbox = Outbox(tmp_path_factory.mktemp("outbox"))
    yield outbox
    outbox.stop()


@pytest.fixture(scope="session")
async def stack(kafka_bootstrap: str, stack_outbox: Outbox) -> AsyncIterator[Stack]:
    lines: list[str] = []
    system = Stack(
        ports={**{name: free_port() for name in SERVICES}, "smtp": free_port()},  # smtp: intake's listener
        kafka_bootstrap_servers=kafka_bootstrap,
        mongodb_url=MONGODB_URL,
        log=lambda name, line: lines.append(f"{name} | {line}"),
        extra_env={"LOTSEN_EXIT_ON_CONSUMER_FAILURE": "1", "NOTIFY_SMTP_PORT": str(stack_outbox.port)},
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
