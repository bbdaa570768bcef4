"""Why intake refuses a message, with the SMTP reply for each, and the limits it checks."""

from __future__ import annotations

from dataclasses import dataclass

from lotsen.errors import DomainError


class RefusedMessage(DomainError):
    """A message intake will not take; ``smtp`` is the reply the SMTP listener gives."""

    smtp = "554 5.6.0"


class NotAMessage(RefusedMessage):
    status = 422
    code = "not_a_message"
    smtp = "554 5.6.0"


class MessageTooLarge(RefusedMessage):
    status = 413
    code = "too_large"
    smtp = "552 5.3.4"


class UnknownRecipient(RefusedMessage):
    status = 422
    code = "unknown_recipient"
    smtp = "550 5.1.1"


@dataclass(frozen=True)
class Limits:
    message_bytes: int
    attachment_bytes: int
    attachments: int
