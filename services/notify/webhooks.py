"""Signed webhooks into a department's own system.

Each delivery is a POST of the event envelope (JSON) with::

    X-Lotsen-Event: case.handed_off
    X-Lotsen-Delivery: <the delivery id; the same on every repeat of this delivery>
    X-Lotsen-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

Any 2xx answer is delivered; anything else, a redirect, a refused connection or no answer within
``NOTIFY_WEBHOOK_TIMEOUT_SECONDS`` is a failed attempt that the dispatcher retries. The URL is
checked again before each attempt (:mod:`webhook_targets`); a target that is no longer allowed
fails the delivery for good. A failure records the status code and a short reason, never the body.
``docs/webhooks.md`` shows a receiver that checks all of this.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ssl
from collections.abc import Iterable

import httpcore
import httpx

from services.notify.deliveries import Outcome
from services.notify.webhook_targets import (
    Target,
    TargetRefused,
    TargetUnresolvable,
    WebhookTargets,
    ascii_host,
)

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


class _PinnedNetwork(httpcore.AsyncNetworkBackend):
    """Connects to the checked address whatever the name resolves to now; TLS (SNI, certificate) and
    the Host header stay on the name, since httpcore takes those from the URL, not from here."""

    def __init__(self, target: Target) -> None:
        self._host = ascii_host(target.url)  # as httpcore names it
        self._address = str(target.address)
        self._network = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if host.lower() != self._host.lower():
            raise httpcore.ConnectError(f"{host} is not the checked host")
        return await self._network.connect_tcp(self._address, port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks are not sent over unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._network.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """An httpx transport whose every connection goes to one checked address."""

    def __init__(self, target: Target, *, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context)
        # httpx has no option for the network backend; its pool is httpcore's, which has one.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context, network_backend=_PinnedNetwork(target), max_connections=1
        )


async def post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    targets: WebhookTargets,
    ssl_context: ssl.SSLContext,
) -> Outcome:
    """One attempt, total; the timeout bounds the whole exchange (resolving included), not each phase.

    The answer's body is never read or kept: what a receiver says is its status code alone.
    """
    try:
        async with asyncio.timeout(timeout):
            target = await targets.check(url)
            transport = PinnedTransport(target, ssl_context=ssl_context)
            async with (
                httpx.AsyncClient(transport=transport, trust_env=False, follow_redirects=False) as client,
                client.stream("POST", target.url, content=body, headers=headers) as response,
            ):
                status = response.status_code
    except TimeoutError:
        return Outcome.failed(f"no answer within {timeout:g} s")
    except TargetUnresolvable as exc:
        return Outcome.failed(exc.message)
    except TargetRefused as exc:
        return Outcome.failed(exc.message, permanent=True)
    except httpx.HTTPError as exc:
        return Outcome.failed(failure_reason(exc, timeout=timeout))
    if 200 <= status < 300:
        return Outcome.ok(f"HTTP {status}", status_code=status)
    redirect = " (redirects are not followed)" if 300 <= status < 400 else ""
    return Outcome.failed(f"HTTP {status}{redirect}", status_code=status)


def failure_reason(exc: httpx.HTTPError, *, timeout: float) -> str:
    """A short reason for an admin to read, never what the other side sent."""
    causes = list(_causes(exc))
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {timeout:g} s"
    if any(isinstance(c, ssl.SSLCertVerificationError) for c in causes):
        return "TLS failed: the certificate is not valid for the host"
    if any(isinstance(c, ssl.SSLError) for c in causes):
        return "TLS failed"
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the receiver's answer was not valid HTTP"
    if isinstance(exc, httpx.NetworkError):
        return "the connection broke"
    return type(exc).__name__


def _causes(exc: BaseException, depth: int = 0) -> Iterable[BaseException]:
    """``exc`` and what it came from: its cause, its context and, for a group, its members."""
    yield exc
    if depth > 8:
        return
    linked = [exc.__cause__, exc.__context__, *getattr(exc, "exceptions", ())]
    for inner in linked:
        if inner is not None:
            yield from _causes(inner, depth + 1)
