"""E-mail addresses as people type them into forms: pydantic's ``EmailStr``, with the usual case cheap.

``EmailStr`` runs email-validator over the whole address every time, and the domain half of that
(label rules, special-use names, IDNA) was a tenth of the CPU time of a web form in intake. Addresses
share few domains, so :data:`EmailAddress` checks a plain ASCII local part with email-validator's
own pattern and asks email-validator about each domain once (kept in a bounded cache). Anything else
(display names, quoting, non-ASCII, a domain it refuses, the length limits) goes the whole way through
``EmailStr``'s validation, so every answer and every refusal is the one ``EmailStr`` gives
(``tests/unit/test_email_address.py`` compares them).

Before that, :func:`fixed_email` mends what people and mail programs get wrong without changing
where mail goes: white space and angle brackets around the address, and the root dot after the
domain (``name@yahoo.com.``), which mail servers accept but every reply from Lotsen would fail on.
This module is the one place that decides whether an address can be answered: forms refuse what
it refuses (:data:`EmailAddress`), e-mail keeps the contact and says why there is no reply address
(:func:`reply_address`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Annotated, Any

from email_validator import EmailNotValidError
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES, DOT_ATOM_TEXT, EMAIL_MAX_LENGTH
from email_validator.syntax import validate_email_domain_name
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic.networks import validate_email

_MAILBOX_NAMES = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)


@functools.lru_cache(maxsize=4096)
def _domain(domain: str) -> tuple[str, str] | None:
    """(normalised domain, its IDNA ASCII form), or None when email-validator refuses it."""
    try:
        checked = validate_email_domain_name(domain, test_environment=False, globally_deliverable=True)
    except EmailNotValidError:
        return None
    return checked["domain"], checked["ascii_domain"]


def normalized_email(value: str) -> str:
    """The address as ``EmailStr`` normalises it, or ``EmailStr``'s refusal."""
    local, at, domain = value.partition("@")
    if at and value.isascii() and DOT_ATOM_TEXT.match(local) and local.lower() not in _MAILBOX_NAMES:
        checked = _domain(domain) if "@" not in domain else None
        if checked is not None:
            normalized = f"{local}@{checked[0]}"
            if (
                max(len(value), len(normalized.encode()), len(local) + 1 + len(checked[1]))
                <= EMAIL_MAX_LENGTH
            ):
                return normalized
    return validate_email(value)[1]


def fixed_email(value: str) -> str:
    """``value`` without the mistakes that do not change the mailbox: surrounding white space and
    angle brackets, one trailing dot after the domain."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    if value.endswith(".") and not value.endswith("..") and "@" in value:
        value = value[:-1]
    return value


def _fixed(value: Any) -> Any:
    return fixed_email(value) if isinstance(value, str) else value


EmailAddress = Annotated[
    str,
    BeforeValidator(_fixed),
    AfterValidator(normalized_email),
    WithJsonSchema({"type": "string", "format": "email"}),
]


@dataclass(frozen=True)
class ReplyAddress:
    """What a received address is worth for answering: the normalised address, or why there is none."""

    address: str | None
    problem: str | None = None


def reply_address(value: str | None) -> ReplyAddress:
    """The address a reply can go to, for a channel that keeps the contact whatever the address is."""
    if not value or not value.strip():
        return ReplyAddress(None, "no address was given")
    if len(value) > 2 * EMAIL_MAX_LENGTH:
        return ReplyAddress(None, f"the address is longer than {EMAIL_MAX_LENGTH} characters")
    try:
        return ReplyAddress(normalized_email(fixed_email(value)))
    except ValueError as exc:
        return ReplyAddress(None, str(exc).removeprefix("value is not a valid email address: "))
