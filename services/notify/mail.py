"""E-mail through the configured SMTP relay (aiosmtplib): departments' notices and replies to citizens.

A message is stored on its delivery as plain fields and built at each attempt (:mod:`mail_message`,
which makes any name, subject or address fit or says why it cannot be sent), with the
``Message-ID`` casestore chose (so the citizen's answer threads back), ``In-Reply-To`` and
``References`` of the citizen's message, and ``Auto-Submitted`` on automatic messages so the
recipient's own auto-responder stays quiet.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import aiosmtplib

from services.notify import mail_message
from services.notify.deliveries import Document, Outcome
from services.notify.notifier import Clock
from services.notify.settings import NotifySettings


@dataclass(frozen=True)
class Relay:
    """``NOTIFY_SMTP_*``: where mail goes (the mail catcher of `make run` by default)."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: NotifySettings) -> Relay:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,  # empty in the environment: no login
            password=password or None,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )


class Connections:
    """Open connections to the relay, each used for one message after another.

    A message on a new connection costs the connection, the greeting, EHLO (with STARTTLS and the
    login, when configured) and QUIT around its own transaction; reused, only the transaction
    (MAIL, RCPT, DATA). A connection carries one transaction at a time, so there are as many as
    sends under way (``NOTIFY_DISPATCH_CONCURRENCY``) at most. One is closed after
    ``MESSAGES_PER_CONNECTION`` messages or ``IDLE_SECONDS`` unused, as relays limit both.
    """

    MESSAGES_PER_CONNECTION = 100
    IDLE_SECONDS = 30.0

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self._idle: list[tuple[aiosmtplib.SMTP, int, float]] = []  # connection, messages sent, since

    async def transaction(self, sender: str, recipient: str, data: bytes) -> tuple[dict[str, Any], str]:
        """``sendmail`` on an idle connection, or a new one. A reused connection that the relay
        closed meanwhile (seen only when written to) is replaced by a new one at once."""
        client, sent = self._take()
        if client is not None:
            try:
                return await self._send(client, sent, sender, recipient, data)
            except aiosmtplib.SMTPServerDisconnected:
                pass
        return await self._send(await self._connect(), 0, sender, recipient, data)

    def close(self) -> None:
        for client, _, _ in self._idle:
            client.close()
        self._idle.clear()

    async def _send(
        self, client: aiosmtplib.SMTP, sent: int, sender: str, recipient: str, data: bytes
    ) -> tuple[dict[str, Any], str]:
        try:
            refused, response = await client.sendmail(sender, [recipient], data)
        except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused, ValueError):
            self._give_back(client, sent + 1)  # refused: the envelope was reset, the connection is fine
            raise
        except BaseException:
            client.close()
            raise
        self._give_back(client, sent + 1)
        return refused, response

    def _take(self) -> tuple[aiosmtplib.SMTP | None, int]:
        now = time.monotonic()
        while self._idle:
            client, sent, since = self._idle.pop()
            if client.is_connected and now - since < self.IDLE_SECONDS:
                return client, sent
            client.close()
        return None, 0

    def _give_back(self, client: aiosmtplib.SMTP, sent: int) -> None:
        if not client.is_connected:
            return
        if sent >= self.MESSAGES_PER_CONNECTION:
            client.close()
            return
        self._idle.append((client, sent, time.monotonic()))

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(**_connection(self.relay))
        await client.connect()
        return client


async def send(mail: Document, connections: Connections, *, clock: Clock) -> Outcome:
    """One SMTP transaction, total: delivered, refused with a reason, or to be retried.

    A message that cannot be built or addressed (:mod:`mail_message`) and a 5xx refusal of the
    recipient or the message are final; trouble reaching the relay and 4xx answers are retried.
    """
    relay = connections.relay
    try:
        outgoing = mail_message.compose(mail, clock=clock)
    except mail_message.Unsendable as exc:
        return Outcome.failed(str(exc), permanent=True)
    try:
        async with asyncio.timeout(relay.timeout):
            refused, response = await connections.transaction(
                outgoing.sender, outgoing.recipient, outgoing.data
            )
    except TimeoutError:
        return Outcome.failed(
            f"the relay {relay.host}:{relay.port} did not finish within {relay.timeout:g} s"
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [r.code for r in exc.recipients]
        detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
        return Outcome.failed(f"recipient refused: {detail}", permanent=all(500 <= c < 600 for c in codes))
    except aiosmtplib.SMTPDataError as exc:
        return Outcome.failed(f"message refused: {exc.code} {exc.message}", permanent=500 <= exc.code < 600)
    except (aiosmtplib.SMTPException, OSError) as exc:
        return Outcome.failed(f"{type(exc).__name__} from {relay.host}:{relay.port}: {exc}")
    except ValueError as exc:  # the SMTP client refused what it was given: sending again will not help
        return Outcome.failed(f"the message cannot be sent: {type(exc).__name__}: {exc}", permanent=True)
    if refused:
        return Outcome.failed(f"recipient refused: {refused}", permanent=True)
    return Outcome.ok(f"accepted by {relay.host}:{relay.port}: {response}".strip())


def _connection(relay: Relay) -> dict[str, Any]:
    return {
        "hostname": relay.host,
        "port": relay.port,
        "username": relay.username,
        "password": relay.password,
        "start_tls": relay.starttls,
        "timeout": relay.timeout,
    }
