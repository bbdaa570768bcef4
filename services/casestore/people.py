"""Who a case is about, as normalised keys: what erasure and export look people up by.

A person writes ``Lina.Berg@Example.se`` once and ``lina.berg@example.se`` the next time, says
``070-123 45 67`` on the phone and ``+46701234567`` in a web form. Each case keeps the keys of its
citizen and of every sender in ``people`` (indexed), e-mail addresses lower-cased and phone numbers
in E.164 (``phonenumbers``, Swedish numbering when a number has no country code), and a look-up
normalises what it is given the same way, so every form of an address finds every case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import phonenumbers

DEFAULT_REGION = "SE"
ERASED = "[raderat]"  # privacy.MARKER; an erased detail is nobody's key


def email_key(value: str | None) -> str | None:
    if not value or value == ERASED:
        return None
    return f"email:{value.strip().lower()}"


def phone_key(value: str | None) -> str | None:
    """``phone:+46701234567``; a number ``phonenumbers`` cannot read keeps its digits (and a leading +)."""
    if not value or value == ERASED:
        return None
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return "phone:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = re.sub(r"[^\d+]", "", value)
    digits = digits[:1] + digits[1:].replace("+", "")
    return f"phone:{digits}" if digits.strip("+") else None


def facebook_key(value: str | None) -> str | None:
    return f"facebook:{value.strip()}" if value and value != ERASED else None


def keys(
    *, email: str | None = None, phone: str | None = None, facebook_psid: str | None = None
) -> list[str]:
    found = (email_key(email), phone_key(phone), facebook_key(facebook_psid))
    return [key for key in found if key]


def of_case(citizen: Mapping[str, Any] | None, messages: Iterable[Mapping[str, Any]]) -> list[str]:
    """The keys of the citizen and of every message's sender, sorted, each once."""
    found: set[str] = set()
    for person in (citizen or {}, *(m.get("sender") or {} for m in messages)):
        found.update(
            keys(
                email=person.get("email"),
                phone=person.get("phone"),
                facebook_psid=person.get("facebook_psid"),
            )
        )
    return sorted(found)


def with_people(case: Mapping[str, Any], updates: dict[str, Any], pushes: Mapping[str, list[Any]]) -> None:
    """Keep ``people`` in step when a change adds messages (a change that sets ``people`` itself,
    such as an erasure, decides for itself)."""
    if not pushes.get("messages") or "people" in updates:
        return
    now = of_case(case.get("citizen"), [*case.get("messages", []), *pushes["messages"]])
    if now != case.get("people"):
        updates["people"] = now
