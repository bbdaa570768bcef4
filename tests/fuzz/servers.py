"""Each service as a real HTTP server in a thread of the test process, for the schema fuzzer.

The services run with the in-memory bus and the MongoDB stand-in (or the server ``MONGODB_URL``
names), in dev mode, so no broker is needed. Casestore reaches the intake started here for
attachments, as it reaches intake in production.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI

from lotsen.kafka.broker import free_port
from lotsen.kafka.memory import InMemoryBus

SERVICES = ("intake", "routing", "casestore", "notify", "stats")


class ServerThread:
    """One ASGI app served by uvicorn on a free loopback port, in a thread with its own event loop."""

    def __init__(self, build: Callable[[], FastAPI]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._build = build
        self._server: uvicorn.Server | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._failure: BaseException | None = None

    def _run(self) -> None:
        try:
            config = uvicorn.Config(
                self._build(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
            )
            self._server = uvicorn.Server(config)
            asyncio.run(self._server.serve())
        except BaseException as exc:  # reported by start()
            self._failure = exc

    def start(self, timeout: float = 30.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._failure is not None:
                raise RuntimeError(f"the server did not start: {self._failure!r}") from self._failure
            if self._server is not None and self._server.started:
                return
            time.sleep(0.05)
        raise RuntimeError(f"the server on :{self.port} did not start within {timeout}s")

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(timeout=10)


def _app(service: str, **settings: Any) -> Callable[[], FastAPI]:
    def build() -> FastAPI:
        if service == "intake":
            from services.intake.app import create_app as intake_app
            from services.intake.settings import IntakeSettings

            return intake_app(
                IntakeSettings(smtp_port=0, **settings), publisher=InMemoryBus(), run_consumers=False
            )
        if service == "routing":
            from services.routing.app import create_app as routing_app

            return routing_app(publisher=InMemoryBus(), run_consumers=False)
        if service == "casestore":
            from services.casestore.app import create_app as casestore_app
            from services.casestore.settings import CasestoreSettings

            return casestore_app(CasestoreSettings(**settings), publisher=InMemoryBus(), run_consumers=False)
        if service == "notify":
            from services.notify.app import create_app as notify_app

            return notify_app(publisher=InMemoryBus(), run_consumers=False)
        from services.stats.app import create_app as stats_app

        return stats_app(publisher=InMemoryBus(), run_consumers=False)

    return build


@contextmanager
def running_services() -> Iterator[dict[str, ServerThread]]:
    """Every service as a server; yields them by name and stops them afterwards."""
    servers: dict[str, ServerThread] = {}
    try:
        servers["intake"] = ServerThread(_app("intake"))
        servers["intake"].start()
        for service in SERVICES[1:]:
            extra = {"intake_url": servers["intake"].url} if service == "casestore" else {}
            servers[service] = ServerThread(_app(service, **extra))
            servers[service].start()
        yield servers
    finally:
        for server in servers.values():
            server.stop()
