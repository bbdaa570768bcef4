"""Checking a ruleset before it is stored or simulated: every problem names the rule and the field.

A problem reads ``rules[3] (id "kris-hot").actions.department: unknown department 'socail' in
organisation karlskoga``. Shape errors (a misspelt key, a channel that does not exist) and
references the directory does not know (organisation, department, category, answer group, form,
IVR digit) are both refused; so is a rule that sends a ROSA 5–6 category to first line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from lotsen.directory import FIRST_LINE_MAX_ROSA, Directory, Organization
from lotsen.errors import DomainError
from services.routing.rules.model import Rule
from services.routing.text import pattern

_PHONE = re.compile(r"^\+?[0-9 -]{5,}$")
_DOMAIN = re.compile(r"^@?[a-z0-9-]+(\.[a-z0-9-]+)+$")
_ADDRESS = re.compile(r"^[^@\s]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")


@dataclass(frozen=True)
class Problem:
    index: int
    rule_id: str | None
    field: str
    problem: str

    @property
    def message(self) -> str:
        named = f' (id "{self.rule_id}")' if self.rule_id else ""
        return f"rules[{self.index}]{named}.{self.field}: {self.problem}"

    def as_detail(self) -> dict[str, Any]:
        return {
            "rule": self.index,
            "id": self.rule_id,
            "field": self.field,
            "problem": self.problem,
            "message": self.message,
        }


class InvalidRuleset(DomainError):
    status = 422
    code = "invalid_ruleset"

    def __init__(self, problems: list[Problem]) -> None:
        shown = "; ".join(p.message for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(
            f"the ruleset is not valid: {shown}{more}", details=[p.as_detail() for p in problems]
        )
        self.problems = problems


def validate_rules(raw: Any, directory: Directory) -> list[Rule]:
    """The rules, parsed and checked against the directory; :class:`InvalidRuleset` otherwise."""
    if not isinstance(raw, list):
        raise InvalidRuleset([Problem(0, None, "rules", "the rules are a list")])
    problems: list[Problem] = []
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(raw):
        rule_id = entry.get("id") if isinstance(entry, dict) and isinstance(entry.get("id"), str) else None
        try:
            rule = Rule.model_validate(entry)
        except ValidationError as exc:
            problems.extend(_shape_problems(index, rule_id, exc))
            continue
        if rule.id in seen:
            problems.append(
                Problem(index, rule.id, "id", f"the id is already used by rules[{seen[rule.id]}]")
            )
        seen.setdefault(rule.id, index)
        problems.extend(Problem(index, rule.id, f, p) for f, p in _reference_problems(rule, directory))
        rules.append(rule)
    if problems:
        raise InvalidRuleset(problems)
    return rules


def _shape_problems(index: int, rule_id: str | None, exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors():
        field = ""
        for part in error.get("loc", ()):
            field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        problems.append(Problem(index, rule_id, field or "rule", message))
    return problems


def _reference_problems(rule: Rule, directory: Directory) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    when = rule.conditions
    known_orgs = {o.id for o in directory.organizations}
    for position, org_id in enumerate(when.organization or []):
        if org_id not in known_orgs:
            found.append((f"conditions.organization[{position}]", f"unknown organisation '{org_id}'"))
    targets = [o for o in directory.organizations if when.organization is None or o.id in when.organization]
    for position, digit in enumerate(when.ivr_choice or []):
        if not any(_digit_known(o, digit) for o in targets):
            found.append(
                (f"conditions.ivr_choice[{position}]", f"no answer group has the IVR digit '{digit}'")
            )
    for position, form_id in enumerate(when.form_id or []):
        if not any(o.form(form_id) for o in targets):
            found.append((f"conditions.form_id[{position}]", f"unknown form '{form_id}'"))
    for position, sender in enumerate(when.sender or []):
        value = sender.strip().lower()
        if not (_ADDRESS.match(value) or _DOMAIN.match(value) or _PHONE.match(value)):
            found.append(
                (f"conditions.sender[{position}]", f"'{sender}' is not an address, domain or phone number")
            )
    for position, keyword in enumerate(when.keywords or []):
        if not pattern(keyword):
            found.append((f"conditions.keywords[{position}]", f"'{keyword}' has no words to match"))
    found.extend(_action_problems(rule, targets))
    return found


def _action_problems(rule: Rule, targets: list[Organization]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    actions = rule.actions
    for org in targets:
        if actions.category is not None:
            category = org.category(actions.category)
            if category is None:
                found.append(
                    ("actions.category", f"unknown category '{actions.category}' in organisation {org.id}")
                )
            elif actions.handled_by == "first_line" and category.rosa_level > FIRST_LINE_MAX_ROSA:
                found.append(
                    (
                        "actions.handled_by",
                        f"category '{category.id}' is ROSA {category.rosa_level} in organisation {org.id}; "
                        "ROSA 5–6 stays with the department",
                    )
                )
        if actions.department is not None and org.department(actions.department) is None:
            found.append(
                ("actions.department", f"unknown department '{actions.department}' in organisation {org.id}")
            )
        if actions.answer_group is not None and org.answer_group(actions.answer_group) is None:
            found.append(
                (
                    "actions.answer_group",
                    f"unknown answer group '{actions.answer_group}' in organisation {org.id}",
                )
            )
    return found


def _digit_known(org: Organization, digit: str) -> bool:
    return digit == org.ivr_connect_digit or org.answer_group_for_digit(digit) is not None
