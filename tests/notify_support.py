"""notify test support: real loopback receivers (webhooks, the Send API), the real mail catcher,
an injected clock and an in-process notify; the events themselves are in ``notify_events``."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import ipaddress
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from lotsen.devserver.mailcatcher import start_mailcatcher
from lotsen.kafka.broker import free_port
from tests.notify_events import T0

SECRET = "s3cret-for-the-bygg-system-0123"


def signed_correctly(headers: dict[str, str], body: bytes) -> bool:
    """``X-Lotsen-Signature`` is ``t=<unix seconds>,v1=<HMAC-SHA256(secret, "<t>.<body>")>``."""
    match = re.fullmatch(r"t=(\d+),v1=([0-9a-f]{64})", headers["X-Lotsen-Signature"])
    assert match, headers["X-Lotsen-Signature"]
    t, v1 = match.groups()
    expected = hmac.new(SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, v1) and abs(time.time() - int(t)) < 300


class FakeClock:
    """The dispatcher's injected clock: tests move time instead of sleeping through a backoff."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def set(self, at: datetime) -> None:
        self.now = max(self.now, at)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1, in a thread, answering from a script of status codes.

    ``answers`` is consumed one code per request (the last one repeats); ``delay`` holds every
    answer back, to keep deliveries in flight. ``only`` keeps requests for other cases out.
    """

    answers: list[int] = field(default_factory=lambda: [200])
    delay: float = 0.0
    body: dict[str, Any] = field(default_factory=lambda: {"ok": True})
    only: Callable[[Received], bool] = lambda r: True
    requests: list[Received] = field(default_factory=list)
    answered: list[Received] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/lotsen/hook"

    def _answer(self, request: Received) -> int:
        with self._lock:
            counted = self.only(request)
            if counted:
                self.requests.append(request)
            index = len(self.requests) - 1 if counted else -1
            code = self.answers[min(max(index, 0), len(self.answers) - 1)] if counted else self.answers[-1]
        if self.delay:
            time.sleep(self.delay)
        if counted:
            with self._lock:
                self.answered.append(request)
        return code

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Received(self.path, dict(self.headers.items()), self.rfile.read(length))
                code = receiver._answer(request)
                payload = json.dumps(receiver.body).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up (a timeout, or a test killed it): as a real server sees it

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def ids(self) -> list[str]:
        with self._lock:
            return [r.headers["X-Lotsen-Delivery"] for r in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


class Outbox:
    """The real mail catcher (aiosmtpd) on a free port, and what it caught."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self._controller = start_mailcatcher(directory, port=self.port)

    def messages(self, containing: str = "") -> list[EmailMessage]:
        found = []
        for path in sorted(self.directory.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            plain = message.get_body(("plain",))  # an Arabic mail is multipart/alternative
            if containing in str(message["Subject"]) + (plain.get_content() if plain is not None else ""):
                found.append(message)
        return found

    def stop(self) -> None:
        self._controller.stop()


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    catcher = Outbox(tmp_path / "outbox")
    yield catcher
    catcher.stop()


class FakeDns:
    """Names a test decides the answers for (as whoever runs a domain's DNS does); any other name
    resolves for real. ``names`` may change between subscribing and delivering."""

    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {}

    async def __call__(self, host: str, port: int) -> list[Any]:
        from services.notify.webhook_targets import system_resolver

        if host in self.names:
            return [ipaddress.ip_address(a) for a in self.names[host]]
        return await system_resolver(host, port)


class Notify:
    """An in-process notify on the in-memory bus: feed it events, run its dispatcher, read its API."""

    def __init__(self, app: Any, client: Any, bus: Any, token_for: Callable[..., str], dns: FakeDns) -> None:
        self.app = app
        self.client = client
        self.bus = bus
        self.dns = dns
        self.admin = {"Authorization": f"Bearer {token_for('admin')}"}

    @property
    def dispatcher(self) -> Any:
        return self.app.state.dispatcher

    async def publish(self, *events: Any) -> None:
        """Publish as casestore does and let notify's consumers take them, as Kafka would."""
        from lotsen.contracts import topics
        from services.notify import handlers

        notifier = self.app.state.notifier
        for event in events:
            topic = topics.OUTBOUND_REQUESTS if event.type == "outbound.requested" else topics.CASES_EVENTS
            await self.bus.publish(topic, event, key=event.data.case_ref)
        await self.bus.deliver(topics.CASES_EVENTS, handlers.case_events(notifier), group="notify")
        await self.bus.deliver(topics.OUTBOUND_REQUESTS, handlers.outbound_requests(notifier), group="notify")

    async def dispatch(self) -> None:
        await self.dispatcher.drain()

    async def try_subscribe(
        self,
        url: str,
        *event_types: str,
        department: str = "samhallsbyggnad",
        organization: str = "karlskoga",
    ) -> Any:
        body = {
            "department": department,
            "organization": organization,
            "url": url,
            "secret": SECRET,
            "event_types": list(event_types or ("case.handed_off",)),
        }
        return await self.client.post("/v1/subscriptions", json=body, headers=self.admin)

    async def subscribe(
        self,
        url: str,
        *event_types: str,
        department: str = "samhallsbyggnad",
        organization: str = "karlskoga",
    ) -> str:
        response = await self.try_subscribe(
            url, *event_types, department=department, organization=organization
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def deliveries(self, **filters: Any) -> list[dict[str, Any]]:
        response = await self.client.get("/v1/deliveries", params=filters, headers=self.admin)
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    async def delivery(self, delivery_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/v1/deliveries/{delivery_id}", headers=self.admin)
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def notify_overrides() -> dict[str, Any]:
    """Extra settings for the ``notify`` fixture; a test module overrides this fixture to change them.
    Loopback is allow-listed by default: the test receivers listen on 127.0.0.1."""
    return {}


LOOPBACK_ALLOWED = {"webhook_allowed_networks": ["127.0.0.0/8"]}


@pytest.fixture
async def notify(
    bus: Any,
    dev_env: None,
    outbox: Outbox,
    clock: FakeClock,
    token_for: Callable[..., str],
    notify_overrides: dict[str, Any],
) -> Any:
    from services.notify.app import create_app
    from services.notify.settings import NotifySettings
    from tests.helpers import running

    chosen = {"smtp_port": outbox.port, "webhook_timeout_seconds": 5, "smtp_timeout_seconds": 5}
    settings = NotifySettings(**(chosen | LOOPBACK_ALLOWED | notify_overrides))
    dns = FakeDns()
    # rng=1.0: every backoff is its ceiling, so the test knows exactly when the next attempt is due.
    app = create_app(settings, publisher=bus, run_consumers=False, clock=clock, rng=lambda: 1.0, resolve=dns)
    async with running(app) as client:
        yield Notify(app, client, bus, token_for, dns)
