"""The SMTP listener for the municipality's MTA (aiosmtpd), inside the intake process.

Replies (RFC 5321 / RFC 3463):

- ``250 2.0.0`` only after Kafka acknowledged the contact (every addressed organisation's);
- ``451 4.3.0`` when it cannot be stored right now: the MTA keeps the message and retries;
- ``550 5.1.1`` at RCPT for an address that is no organisation's of the directory;
- ``552 5.3.4`` for a message or attachment over the limits, or one that cannot be made into a
  contact event within ``INTAKE_EVENT_MAX_BYTES`` (long subjects, names and header values are cut
  and long texts stored whole first, so this is rare); ``554 5.6.0`` for what is not a message;
- ``554 5.7.1`` for a client outside ``INTAKE_SMTP_ALLOWED_CLIENTS`` (when that is set);
- ``500`` (from aiosmtpd) for a line longer than RFC 5321's 1,000 octets.

Never ``451`` for what a message contains: what is too long is cut into the contact (subject 300
characters, names 200, file names 200, the first and the 19 latest References; cuts marked with "…",
control characters removed) and a text over ``INTAKE_TEXT_MAX_BYTES`` is stored whole beside it
(``services/intake/bounds.py``, docs/connectors.md "Limits").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from lotsen.addresses import Network, address_in, networks
from lotsen.directory import Directory
from lotsen.errors import Unavailable
from services.intake.bounds import ContactTooLarge
from services.intake.contacts import Intake
from services.intake.email.receive import receive_email
from services.intake.email.refusals import RefusedMessage
from services.intake.settings import IntakeSettings

log = logging.getLogger(__name__)
MAX_RECIPIENTS = 100


class IntakeHandler:
    """aiosmtpd hooks: check recipients at RCPT, accept the message at DATA."""

    def __init__(
        self, *, settings: IntakeSettings, directory: Directory, intake: Callable[[], Intake]
    ) -> None:
        self.settings = settings
        self.directory = directory
        self.intake = intake
        self.allowed: list[Network] = networks(settings.smtp_allowed_clients)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.allowed and not _peer_allowed(session, self.allowed):
            return "554 5.7.1 this client may not deliver mail here"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return f"452 4.5.3 too many recipients (at most {MAX_RECIPIENTS} per message)"
        if self.directory.organization_for_email(address) is None:
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        try:
            received = await receive_email(
                raw,
                intake=self.intake(),
                settings=self.settings,
                directory=self.directory,
                recipients=list(envelope.rcpt_tos),
                envelope_from=envelope.mail_from,
                via="smtp",
            )
        except (RefusedMessage, ContactTooLarge) as refused:
            return f"{refused.smtp} {_one_line(refused.message)}"
        except Unavailable:
            return "451 4.3.0 the message cannot be stored right now; please try again later"
        except Exception:
            # Never bounce a citizen's message on our own fault: the MTA keeps it and retries.
            log.exception("unexpected error while receiving a message over SMTP")
            return "451 4.3.0 temporary failure; please try again later"
        return f"250 2.0.0 OK: accepted as contact {', '.join(received.contact_ids)}"


def _peer_allowed(session: Session, allowed: list[Network]) -> bool:
    peer: Any = session.peer
    return address_in(peer[0] if isinstance(peer, tuple) and peer else str(peer), allowed)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:400]


class SmtpListener:
    """An aiosmtpd server on the service's own event loop, so handlers share its Kafka and MongoDB
    clients."""

    def __init__(self, handler: IntakeHandler, settings: IntakeSettings) -> None:
        self.handler = handler
        self.settings = settings
        self._server: asyncio.Server | None = None

    def _protocol(self) -> SMTP:
        return SMTP(
            self.handler,
            data_size_limit=self.settings.email_max_message_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=self.settings.smtp_hostname,
            ident="Lotsen intake",
        )

    async def start(self) -> None:
        # aiosmtpd logs every command at INFO, addresses included: keep only its warnings.
        logging.getLogger("mail.log").setLevel(max(logging.WARNING, logging.getLogger().level))
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._protocol, host=self.settings.smtp_host, port=self.settings.smtp_port
        )
        log.info("SMTP listener on %s:%d", self.settings.smtp_host, self.port)

    @property
    def port(self) -> int:
        assert self._server is not None and self._server.sockets
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
