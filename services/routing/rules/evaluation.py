"""Evaluating a ruleset against one contact: pure, and compiled once per version.

Rules are evaluated in order. Every enabled rule whose conditions all hold *matches*; a matching
rule sets each of its actions that no earlier matching rule has set (so the earlier rule wins a
field, and later rules can still add what it left open). A matching rule with ``stop: true`` ends
the evaluation. The fields the rules leave open are decided by the category hint, the classifier
and the agreement (:mod:`services.routing.decide`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lotsen.contracts.contacts import ContactReceivedData
from services.routing.rules.model import Rule, RulesetVersion
from services.routing.text import ContactText, pattern

_NOT_DIGITS = re.compile(r"[^0-9+]")


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules look at, worked out once per contact."""

    contact: ContactReceivedData
    organization: str
    text: ContactText
    candidates: frozenset[str]
    out_of_hours: bool
    callback: bool
    language: str | None = None
    """the language the contact stated or was written in (``sv``, ``en``, ``ar``, ``other``)"""

    @property
    def sender_email(self) -> str | None:
        email = self.contact.sender.email
        return email.strip().lower() if email else None

    @property
    def sender_phone(self) -> str | None:
        phone = self.contact.sender.phone
        return _NOT_DIGITS.sub("", phone) if phone else None


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    matched: tuple[str, ...] = ()
    actions: dict[str, tuple[Any, str]] = field(default_factory=dict)
    """field → (value, id of the rule that set it)"""
    stopped_by: str | None = None


class CompiledRule:
    """One rule with its conditions prepared for fast matching."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        when = rule.conditions
        self._channels = frozenset(when.channel) if when.channel else None
        self._organizations = frozenset(when.organization) if when.organization else None
        self._ivr = frozenset(when.ivr_choice) if when.ivr_choice else None
        self._forms = frozenset(when.form_id) if when.form_id else None
        self._hints = frozenset(h.strip().lower() for h in when.category_hint) if when.category_hint else None
        self._keywords = tuple(pattern(k) for k in when.keywords) if when.keywords else None
        self._addresses, self._domains, self._phones = _senders(when.sender)
        self._out_of_hours = when.out_of_hours
        self._callback = when.callback
        self._languages = frozenset(v.strip().lower() for v in when.language) if when.language else None

    def matches(self, facts: Facts) -> bool:
        contact = facts.contact
        if self._channels is not None and contact.channel not in self._channels:
            return False
        if self._organizations is not None and facts.organization not in self._organizations:
            return False
        if self._ivr is not None and contact.ivr_choice not in self._ivr:
            return False
        if self._forms is not None and contact.form_id not in self._forms:
            return False
        if self._hints is not None and (contact.category_hint or "").strip().lower() not in self._hints:
            return False
        if self._out_of_hours is not None and facts.out_of_hours != self._out_of_hours:
            return False
        if self._callback is not None and facts.callback != self._callback:
            return False
        if self._languages is not None and (facts.language or "").lower() not in self._languages:
            return False
        if self._keywords is not None and not any(
            facts.text.contains(k, facts.candidates) for k in self._keywords
        ):
            return False
        has_sender = bool(self._addresses or self._domains or self._phones)
        return not has_sender or self._sender_matches(facts)

    def _sender_matches(self, facts: Facts) -> bool:
        email = facts.sender_email
        if email:
            if email in self._addresses:
                return True
            domain = email.rsplit("@", 1)[-1]
            if any(domain == d or domain.endswith("." + d) for d in self._domains):
                return True
        phone = facts.sender_phone
        return bool(phone and phone in self._phones)


class Ruleset:
    """One version of the rules, compiled, with when it was activated and by whom."""

    def __init__(self, version: RulesetVersion) -> None:
        self.stored = version
        self._compiled = [CompiledRule(r) for r in version.rules if r.enabled]

    @property
    def version(self) -> int:
        return self.stored.version

    @property
    def activated_at(self) -> datetime:
        return self.stored.activated_at

    def evaluate(self, facts: Facts) -> RuleOutcome:
        matched: list[str] = []
        actions: dict[str, tuple[Any, str]] = {}
        for compiled in self._compiled:
            if not compiled.matches(facts):
                continue
            rule = compiled.rule
            matched.append(rule.id)
            for name, value in rule.actions.given().items():
                actions.setdefault(name, (value, rule.id))
            if rule.stop:
                return RuleOutcome(tuple(matched), actions, rule.id)
        return RuleOutcome(tuple(matched), actions)


def _senders(values: list[str] | None) -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    addresses: set[str] = set()
    domains: list[str] = []
    phones: set[str] = set()
    for raw in values or []:
        value = raw.strip().lower()
        if "@" in value and not value.startswith("@"):
            addresses.add(value)
        elif any(c.isalpha() for c in value):
            domains.append(value.lstrip("@"))
        else:
            phones.add(_NOT_DIGITS.sub("", value))
    return frozenset(addresses), tuple(domains), frozenset(phones)
