"""Rules on the contact's language: the citizen's choice wins over the language the text is in,
and the demo rules send Arabic first-line contacts to the answer group of the Arabic speakers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from lotsen.contracts.contacts import ContactReceivedData, RoutingDecision
from lotsen.directory import directory_from
from services.routing.decide import Router
from services.routing.rules import InvalidRuleset, Ruleset, RulesetVersion, validate_rules
from services.routing.rulesets import default_ruleset

DIRECTORY = directory_from()
ROUTER = Router(DIRECTORY)
TUESDAY_MORNING = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
ARABIC_QUESTION = "مرحبًا، أريد أن أسأل عن مكان في المدرسة لابني. شكرًا."
RULE = {"id": "arabiska", "conditions": {"language": "ar"}, "actions": {"priority": "high"}}


def ruleset(rules: list[Any]) -> Ruleset:
    return Ruleset(
        RulesetVersion(
            version=2, rules=validate_rules(rules, DIRECTORY), author="admin", activated_at=TUESDAY_MORNING
        )
    )


def decide(rules: Ruleset, **fields: Any) -> RoutingDecision:
    contact = ContactReceivedData.model_validate(
        {"contact_id": "c", "channel": "email", "received_at": TUESDAY_MORNING, "text": "", **fields}
    )
    organization = DIRECTORY.organization("karlskoga")
    assert organization is not None
    return ROUTER.decide(contact, organization, rules)


@pytest.mark.parametrize(
    ("fields", "matches"),
    [
        ({"text": ARABIC_QUESTION}, True),
        ({"text": "Hej, jag undrar över en plats i förskolan för min son."}, False),
        ({"text": "Hej, jag undrar över en plats i förskolan.", "language": "ar"}, True),
        ({"text": ARABIC_QUESTION, "language": "sv"}, False),
    ],
)
def test_the_language_condition_matches_the_stated_language_else_the_written_one(
    fields: dict[str, Any], matches: bool
) -> None:
    decision = decide(ruleset([RULE]), **fields)
    assert ("arabiska" in decision.matched_rules) is matches
    assert (decision.priority == "high") is matches


def test_an_unknown_language_is_refused_with_the_rule_and_the_field() -> None:
    with pytest.raises(InvalidRuleset) as refused:
        validate_rules([{**RULE, "conditions": {"language": ["ar", "arabic"]}}], DIRECTORY)
    assert 'rules[0] (id "arabiska").conditions.language[1]' in refused.value.details[0]["message"]


def test_the_demo_rules_send_arabic_first_line_contacts_to_the_arabic_answer_group() -> None:
    default = Ruleset(default_ruleset(DIRECTORY))
    arabic = decide(default, text=ARABIC_QUESTION)
    assert arabic.language == "ar"
    assert arabic.answer_group == "arabiska"
    assert "sprak-arabiska" in arabic.matched_rules
    swedish = decide(default, text="Hej, jag undrar över en plats i förskolan för min son.")
    assert swedish.answer_group != "arabiska"
    # A crisis written in Arabic keeps the crisis rule's answer group and priority.
    crisis = decide(default, text="أنا متعب جدًا وأفكر في الانتحار.")
    assert crisis.answer_group == "socialtjanst"
    assert crisis.priority == "urgent"
    assert crisis.matched_rules[:1] == ["kris-sjalvmord"]
