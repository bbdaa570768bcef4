"""A webhook connects to the address that was checked, yet TLS is about the name: the name is sent as
SNI and the receiver's certificate must be valid for it (a real TLS server on loopback, a test CA)."""

from __future__ import annotations

import ipaddress
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import trustme

from services.notify import webhooks
from services.notify.deliveries import Outcome
from services.notify.webhook_targets import WebhookTargets

HOST = "bygg.karlskoga.example"


class TlsReceiver:
    """An HTTPS server on 127.0.0.1 whose certificate names ``names``; it notes SNI and Host."""

    def __init__(self, ca: trustme.CA, *names: str) -> None:
        self.server_names: list[str | None] = []
        self.hosts: list[str] = []
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(*names).configure_cert(context)

        def note_server_name(_socket: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
            self.server_names.append(name)

        context.sni_callback = note_server_name
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.hosts.append(self.headers["Host"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def receiver_for_the_name(ca: trustme.CA) -> Iterator[TlsReceiver]:
    receiver = TlsReceiver(ca, HOST)
    yield receiver
    receiver.stop()


@pytest.fixture
def receiver_for_another_name(ca: trustme.CA) -> Iterator[TlsReceiver]:
    receiver = TlsReceiver(ca, "other.karlskoga.example")
    yield receiver
    receiver.stop()


async def loopback(host: str, port: int) -> list[Any]:
    return [ipaddress.ip_address("127.0.0.1")]


def production_targets() -> WebhookTargets:
    """Outside dev mode (https only), with loopback allow-listed so the test server can be reached."""
    return WebhookTargets.from_settings(["127.0.0.0/8"], dev_mode=False, resolve=loopback)


async def send(ca: trustme.CA, port: int) -> Outcome:
    client_tls = ssl.create_default_context()
    ca.configure_trust(client_tls)
    return await webhooks.post(
        f"https://{HOST}:{port}/lotsen/hook",
        body=b"{}",
        headers={"Content-Type": "application/json"},
        timeout=5,
        targets=production_targets(),
        ssl_context=client_tls,
    )


async def test_tls_names_the_host_while_connecting_to_the_checked_address(
    ca: trustme.CA, receiver_for_the_name: TlsReceiver
) -> None:
    outcome = await send(ca, receiver_for_the_name.port)
    assert outcome.delivered and outcome.status_code == 204, outcome.detail
    assert receiver_for_the_name.server_names == [HOST]
    assert receiver_for_the_name.hosts == [f"{HOST}:{receiver_for_the_name.port}"]


async def test_a_certificate_for_another_name_is_refused(
    ca: trustme.CA, receiver_for_another_name: TlsReceiver
) -> None:
    outcome = await send(ca, receiver_for_another_name.port)
    assert not outcome.delivered
    assert outcome.detail == "TLS failed: the certificate is not valid for the host"
    assert receiver_for_another_name.hosts == []
