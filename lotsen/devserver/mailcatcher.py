"""A local SMTP server (aiosmtpd) that writes every message it receives to ``var/outbox/*.eml``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session


class OutboxHandler:
    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox
        outbox.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f")
        path = self.outbox / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        header = (
            f"X-Lotsen-Envelope-From: {envelope.mail_from}\r\n"
            f"X-Lotsen-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        )
        content = envelope.original_content or b""
        path.write_bytes(header.encode() + content)
        return "250 Message accepted for delivery"


def start_mailcatcher(outbox: Path, *, host: str = "127.0.0.1", port: int = 1025) -> Controller:
    controller = Controller(OutboxHandler(outbox), hostname=host, port=port)
    controller.start()
    return controller
