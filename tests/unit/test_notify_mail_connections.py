"""Connections to the SMTP relay are reused from message to message, and a relay that dropped an
idle one (restarted, or its idle timeout) still gets the next message."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from services.notify import mail
from tests.notify_support import Outbox


def message(token: str) -> dict[str, object]:
    return {
        "from": "kommun@karlskoga.example",
        "from_name": "Karlskoga kommun",
        "to": "sara@example.se",
        "to_name": "Sara Öberg",
        "subject": f"Ditt ärende {token}",
        "body": "Tack för ditt meddelande.\n",
        "message_id": f"<{token}@karlskoga.example>",
        "in_reply_to": None,
        "references": [],
        "auto_submitted": "auto-replied",
        "language": "sv",
    }


def now() -> datetime:
    return datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_messages_go_out_on_reused_connections_and_after_the_relay_restarts(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox")
    connections = mail.Connections(mail.Relay(host="127.0.0.1", port=outbox.port, timeout=10))
    tokens = [uuid.uuid4().hex for _ in range(4)]
    try:
        for token in tokens[:2]:
            assert (await mail.send(message(token), connections, clock=now)).delivered
        outbox.stop()  # drops the idle connection notify kept open
        outbox = Outbox(tmp_path / "outbox", port=outbox.port)
        for token in tokens[2:]:
            outcome = await mail.send(message(token), connections, clock=now)
            assert outcome.delivered, outcome.detail
    finally:
        connections.close()
        outbox.stop()
    assert all(len(outbox.messages(token)) == 1 for token in tokens)
