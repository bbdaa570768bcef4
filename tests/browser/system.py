"""Lotsen as the browser sees it: the whole stack on free ports and the gateway in front of it.

The browser tests use it through their fixtures; ``python -m tests.browser.system`` runs it by hand
(it prints the gateway's address) and ``python -m tests.browser.screenshots`` photographs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from lotsen.devserver.gateway import Gateway, start_gateway
from lotsen.devserver.stack import SERVICES, Stack
from lotsen.kafka.broker import EmbeddedBroker, free_port

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend" / "dist"
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("LOTSEN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@dataclass
class System:
    stack: Stack
    gateway: Gateway

    @property
    def url(self) -> str:
        return self.gateway.url


@contextlib.asynccontextmanager
async def running_gateway(stack: Stack) -> AsyncIterator[Gateway]:
    # Map tiles of the gateway's own: the fault-report map needs no internet in tests and screenshots.
    gateway = start_gateway(stack.ports, DIST, free_port(), dev_tiles=True)
    try:
        yield gateway
    finally:
        gateway.stop()


@contextlib.asynccontextmanager
async def running_system(log: Callable[[str, str], None] | None = None) -> AsyncIterator[System]:
    """An embedded broker, the five services and the gateway, all on free ports."""
    async with EmbeddedBroker() as broker:
        stack = Stack(
            ports={**{name: free_port() for name in SERVICES}, "smtp": free_port()},
            kafka_bootstrap_servers=broker.bootstrap_servers,
            log=log or (lambda name, line: None),
        )
        await stack.start(timeout=90)
        try:
            async with running_gateway(stack) as gateway:
                yield System(stack, gateway)
        finally:
            await stack.stop()


async def _main() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running_system(lambda name, line: print(f"{name:>9} | {line}", flush=True)) as system:
        print(f"Lotsen at {system.url}  services: {system.stack.ports}", flush=True)
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(_main())
