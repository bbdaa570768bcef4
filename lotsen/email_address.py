"""E-mail addresses as people type them into forms: pydantic's ``EmailStr``, with the usual case cheap.

``EmailStr`` runs email-validator over the whole address every time, and the domain half of that
(label rules, special-use names, IDNA) was a tenth of the CPU time of a web form in intake. Addresses
share few domains, so :data:`EmailAddress` checks a plain ASCII local part with email-validator's
own pattern and asks email-validator about each domain once (kept in a bounded cache). Anything else
(display names, quoting, non-ASCII, a domain it refuses, the length limits) goes the whole way through
``EmailStr``'s validation, so every answer and every refusal is the one ``EmailStr`` gives
(``tests/unit/test_email_address.py`` compares them).
"""

from __future__ import annotations

import functools
from typing import Annotated

from email_validator import EmailNotValidError
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES, DOT_ATOM_TEXT, EMAIL_MAX_LENGTH
from email_validator.syntax import validate_email_domain_name
from pydantic import AfterValidator, WithJsonSchema
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


EmailAddress = Annotated[
    str, AfterValidator(normalized_email), WithJsonSchema({"type": "string", "format": "email"})
]
