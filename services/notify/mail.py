"""E-mail through the configured SMTP relay (aiosmtplib): departments' notices and replies to citizens.

A message is stored on its delivery as plain fields and built here at each attempt, with the
``Message-ID`` casestore chose (so the citizen's answer threads back), ``In-Reply-To`` and
``References`` of the citizen's message, and ``Auto-Submitted`` on automatic messages so the
recipient's own auto-responder stays quiet.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any

import aiosmtplib

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


def address(addr_spec: str, name: str | None) -> Address:
    return Address(display_name=name or "", addr_spec=addr_spec)


def build(mail: Document, *, clock: Clock) -> EmailMessage:
    """The RFC 5322 message for the stored ``mail`` fields; raises ValueError for an unusable address."""
    message = EmailMessage(policy=SMTP)
    message["From"] = address(mail["from"], mail.get("from_name"))
    message["To"] = address(mail["to"], mail.get("to_name"))
    message["Subject"] = mail["subject"]
    message["Date"] = format_datetime(clock())
    message["Message-ID"] = mail["message_id"]
    if mail.get("in_reply_to"):
        message["In-Reply-To"] = mail["in_reply_to"]
    if mail.get("references"):
        message["References"] = " ".join(mail["references"])
    if mail.get("auto_submitted"):
        message["Auto-Submitted"] = mail["auto_submitted"]
    message.set_content(mail["body"], cte="quoted-printable")
    if mail.get("language"):  # after set_content, which replaces every Content-* header
        message["Content-Language"] = mail["language"]
    return message


async def send(mail: Document, relay: Relay, *, clock: Clock) -> Outcome:
    """One SMTP transaction. A 5xx refusal of the recipient or the message is final; the rest retries."""
    try:
        message = build(mail, clock=clock)
    except (ValueError, IndexError, HeaderParseError) as exc:
        return Outcome.failed(f"the message cannot be built: {exc}", permanent=True)
    try:
        async with asyncio.timeout(relay.timeout):
            refused, response = await aiosmtplib.send(message, **_connection(relay))
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
