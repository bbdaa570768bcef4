"""E-mail through the configured SMTP relay (aiosmtplib): departments' notices and replies to citizens.

A message is stored on its delivery as plain fields and built at each attempt (:mod:`mail_message`,
which makes any name, subject or address fit or says why it cannot be sent), with the
``Message-ID`` casestore chose (so the citizen's answer threads back), ``In-Reply-To`` and
``References`` of the citizen's message, and ``Auto-Submitted`` on automatic messages so the
recipient's own auto-responder stays quiet.
"""

from __future__ import annotations

import asyncio
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


async def send(mail: Document, relay: Relay, *, clock: Clock) -> Outcome:
    """One SMTP transaction, total: delivered, refused with a reason, or to be retried.

    A message that cannot be built or addressed (:mod:`mail_message`) and a 5xx refusal of the
    recipient or the message are final; trouble reaching the relay and 4xx answers are retried.
    """
    try:
        outgoing = mail_message.compose(mail, clock=clock)
    except mail_message.Unsendable as exc:
        return Outcome.failed(str(exc), permanent=True)
    try:
        async with asyncio.timeout(relay.timeout):
            refused, response = await aiosmtplib.send(
                outgoing.data, sender=outgoing.sender, recipients=[outgoing.recipient], **_connection(relay)
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
