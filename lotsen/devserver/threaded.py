"""An ASGI app served by uvicorn in a thread of its own: the gateway and the dev SMS catcher."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import uvicorn


@dataclass
class ThreadedServer:
    """A running server; ``stop()`` ends it."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)


S = TypeVar("S", bound=ThreadedServer)


def serve_in_thread(
    kind: type[S],
    app: Any,
    *,
    name: str,
    host: str,
    port: int,
    path: str = "",
    timeout: float = 15.0,
    lifespan: Literal["auto", "on", "off"] = "auto",
) -> S:
    """Start ``app`` on ``host:port`` and wait until it listens; its ``url`` ends with ``path``."""
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, lifespan=lifespan
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the {name} did not start on {host}:{port}")
        time.sleep(0.05)
    return kind(url=f"http://{host}:{port}{path}", server=server, thread=thread)
