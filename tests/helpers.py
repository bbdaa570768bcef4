"""Small helpers the tests share."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import httpx
from fastapi import FastAPI

from lotsen.devserver.stack import Stack

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, timeout: float = 20.0, every: float = 0.1
) -> T:
    """Poll ``probe`` until it returns something truthy; fail with the last value after ``timeout``.

    The timeout only bounds a hung test; how fast things happen is measured by ``make bench``.
    """
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(every)
    raise AssertionError(f"condition not met within {timeout}s; last value: {last!r}")


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for ``app`` with its lifespan run, as uvicorn would."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def demo_login(client: httpx.AsyncClient, stack: Stack, username: str = "agent") -> dict[str, str]:
    """The bearer header of a demo account logged in to the running stack's casestore."""
    response = await client.post(
        f"{stack.url('casestore')}/v1/auth/token", data={"username": username, "password": "lotsen-demo"}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
