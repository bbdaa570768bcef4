"""Signed webhooks into a department's own system.

Each delivery is a POST of the event envelope (JSON) with::

    X-Lotsen-Event: case.handed_off
    X-Lotsen-Delivery: <the delivery id; the same on every repeat of this delivery>
    X-Lotsen-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

Any 2xx answer is delivered; anything else, a redirect, a refused connection or no answer within
``NOTIFY_WEBHOOK_TIMEOUT_SECONDS`` is a failed attempt that the dispatcher retries.
``docs/webhooks.md`` shows a receiver that checks all of this.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac

import httpx

from services.notify.deliveries import Outcome

USER_AGENT = "Lotsen-Notify/0.1 (+https://lotsen.example/docs/webhooks)"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Lotsen-Signature`` value for ``body`` sent at ``timestamp`` (unix seconds)."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def headers(*, event_type: str, delivery_id: str, secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Lotsen-Event": event_type,
        "X-Lotsen-Delivery": delivery_id,
        "X-Lotsen-Signature": signature(secret, timestamp, body),
    }


async def post(
    client: httpx.AsyncClient, url: str, *, body: bytes, headers: dict[str, str], timeout: float
) -> Outcome:
    """One attempt; the timeout bounds the whole exchange, not each phase of it."""
    try:
        async with asyncio.timeout(timeout):
            response = await client.post(url, content=body, headers=headers, follow_redirects=False)
    except TimeoutError:
        return Outcome.failed(f"no answer within {timeout:g} s")
    except httpx.InvalidURL as exc:
        return Outcome.failed(f"the subscription's URL is not usable: {exc}", permanent=True)
    except httpx.HTTPError as exc:
        return Outcome.failed(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    if response.is_success:
        return Outcome.ok(f"HTTP {response.status_code}", status_code=response.status_code)
    return Outcome.failed(
        f"HTTP {response.status_code}: {response.text[:200]}".rstrip(": "), status_code=response.status_code
    )
