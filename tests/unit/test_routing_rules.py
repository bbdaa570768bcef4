"""Rules: validation that names the rule and the field, and how ordered rules combine into a decision."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lotsen.contracts.contacts import ContactReceivedData, RoutingDecision
from lotsen.directory import directory_from
from services.routing.decide import Router
from services.routing.rules import InvalidRuleset, Ruleset, RulesetVersion, validate_rules
from services.routing.rulesets import default_ruleset

DIRECTORY = directory_from()
ROUTER = Router(DIRECTORY)
TUESDAY_MORNING = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # 10:00 in Karlskoga
SATURDAY_NIGHT = datetime(2026, 3, 7, 22, 0, tzinfo=UTC)


def problems(rules: list[Any]) -> list[str]:
    with pytest.raises(InvalidRuleset) as refused:
        validate_rules(rules, DIRECTORY)
    assert refused.value.status == 422
    return [p["message"] for p in refused.value.details]


def rule(rule_id: str = "r", **fields: Any) -> dict[str, Any]:
    return {"id": rule_id, "actions": {"priority": "high"}, **fields}


def test_an_unknown_department_names_the_rule_the_field_and_the_organisation() -> None:
    rules = [rule("a"), rule("b"), rule("c"), rule("kris-hot", actions={"department": "socail"})]
    where = "rules[3] (id \"kris-hot\").actions.department: unknown department 'socail' in organisation"
    assert problems(rules) == [f"{where} karlskoga", f"{where} degerfors", f"{where} karlskogahem"]
    # Limited to one organisation, only that one is checked.
    scoped = rule("hem", conditions={"organization": "karlskogahem"}, actions={"department": "fastighet"})
    assert validate_rules([scoped], DIRECTORY)[0].actions.department == "fastighet"
    assert problems(
        [rule("kga", conditions={"organization": "karlskoga"}, actions={"department": "fastighet"})]
    ) == [
        "rules[0] (id \"kga\").actions.department: unknown department 'fastighet' in organisation karlskoga"
    ]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            rule(conditions={"chanel": "phone"}),
            'rules[0] (id "r").conditions.chanel: Extra inputs are not permitted',
        ),
        (
            rule(conditions={"channel": ["phone", "fax"]}),
            'rules[0] (id "r").conditions.channel[1]: Input should be',
        ),
        (
            rule(conditions={"keywords": []}),
            'rules[0] (id "r").conditions.keywords: an empty list matches nothing',
        ),
        (
            rule(conditions={"keywords": ["?!"]}),
            "rules[0] (id \"r\").conditions.keywords[0]: '?!' has no words",
        ),
        (rule(conditions={"organization": "kga"}), "conditions.organization[0]: unknown organisation 'kga'"),
        (
            rule(conditions={"ivr_choice": 9}),
            "conditions.ivr_choice[0]: no answer group has the IVR digit '9'",
        ),
        (rule(conditions={"form_id": "anmalan"}), "conditions.form_id[0]: unknown form 'anmalan'"),
        (
            rule(conditions={"sender": "nobody"}),
            "conditions.sender[0]: 'nobody' is not an address, domain or phone",
        ),
        (rule(actions={}), 'rules[0] (id "r").actions: a rule must set at least one of category'),
        (rule(actions={"priority": "asap"}), 'rules[0] (id "r").actions.priority: Input should be'),
        (
            rule(actions={"category": "bygglof"}),
            "actions.category: unknown category 'bygglof' in organisation",
        ),
        (rule(actions={"answer_group": "bygg"}), "actions.answer_group: unknown answer group 'bygg'"),
        (
            rule(actions={"category": "forsorjningsstod", "decision": "first_line"}),
            "actions.handled_by: category 'forsorjningsstod' is ROSA 6 in organisation karlskoga; ROSA 5–6",
        ),
        (
            {"id": "Stora Bokstäver", "actions": {"priority": "high"}},
            '(id "Stora Bokstäver").id: String should match',
        ),
        ("not a rule", "rules[0].rule: Input should be a valid dictionary"),
    ],
)
def test_invalid_rules_are_refused_with_the_rule_and_the_field(bad: Any, message: str) -> None:
    found = problems([bad])
    assert any(message in p for p in found), found


def test_duplicate_ids_are_refused() -> None:
    assert problems([rule("a"), rule("a")]) == ['rules[1] (id "a").id: the id is already used by rules[0]']


def test_the_shipped_default_is_valid_version_one() -> None:
    default = default_ruleset(DIRECTORY)
    assert default.version == 1
    assert {r.id for r in default.rules} >= {"kris-sjalvmord", "aterringning-utanfor-oppettid"}


def version(rules: list[dict[str, Any]], number: int = 2) -> Ruleset:
    return Ruleset(
        RulesetVersion(
            version=number, rules=validate_rules(rules, DIRECTORY), author="t", activated_at=TUESDAY_MORNING
        )
    )


def decide(ruleset: Ruleset, org: str = "karlskoga", **fields: Any) -> RoutingDecision:
    contact = ContactReceivedData.model_validate(
        {"contact_id": "c", "channel": "email", "received_at": TUESDAY_MORNING, "text": "", **fields}
    )
    organization = DIRECTORY.organization(org)
    assert organization is not None
    return ROUTER.decide(contact, organization, ruleset)


def test_earlier_rules_win_a_field_later_ones_add_and_stop_ends() -> None:
    rules = [
        {"id": "forst", "conditions": {"channel": "email"}, "actions": {"priority": "high"}},
        {
            "id": "sedan",
            "conditions": {"channel": "email"},
            "actions": {"priority": "low", "category": "val"},
        },
        {"id": "stopp", "conditions": {"channel": "email"}, "actions": {"confidential": True}, "stop": True},
        {"id": "aldrig", "conditions": {"channel": "email"}, "actions": {"answer_group": "barn-skola"}},
    ]
    decision = decide(version(rules), text="bygglov för altan")
    assert decision.matched_rules == ["forst", "sedan", "stopp"]
    assert (decision.priority, decision.category, decision.department) == ("high", "val", "ledningskontoret")
    assert decision.confidential is True
    assert decision.answer_group == "ovrigt"  # the group of ledningskontoret, not "aldrig"'s
    assert decision.category_source == "rule"
    assert "stopp stopped the evaluation" in decision.explanation
    assert "set by rule sedan" in decision.explanation
    assert decision.ruleset_version == 2


def test_a_disabled_rule_never_matches() -> None:
    rules = [{"id": "av", "enabled": False, "actions": {"priority": "urgent"}}]
    assert decide(version(rules)).matched_rules == []


@pytest.mark.parametrize(
    ("conditions", "contact", "matches"),
    [
        ({"channel": ["phone", "visit"]}, {"channel": "visit"}, True),
        ({"channel": "phone"}, {"channel": "email"}, False),
        ({"organization": "degerfors"}, {}, False),
        ({"ivr_choice": "3"}, {"channel": "phone", "ivr_choice": "3"}, True),
        ({"form_id": "synpunkt"}, {"channel": "webform", "form_id": "synpunkt"}, True),
        ({"sender": "@partner.example"}, {"sender": {"email": "Lisa@Partner.Example"}}, True),
        ({"sender": "partner.example"}, {"sender": {"email": "a@drift.partner.example"}}, True),
        ({"sender": "partner.example"}, {"sender": {"email": "a@otherpartner.example"}}, False),
        ({"sender": "lisa@partner.example"}, {"sender": {"email": "lisa@partner.example"}}, True),
        ({"sender": "+46 70-123 45 67"}, {"sender": {"phone": "+46701234567"}}, True),
        ({"keywords": ["självmord"]}, {"text": "Tankar på självmorden"}, True),
        ({"keywords": ["ta mitt liv"]}, {"text": "jag vill ta mitt liv"}, True),
        ({"keywords": ["ta mitt liv"]}, {"text": "mitt liv, ta det lugnt"}, False),
        ({"category_hint": "Synpunkt"}, {"category_hint": "synpunkt"}, True),
        ({"out_of_hours": True}, {"received_at": SATURDAY_NIGHT}, True),
        ({"out_of_hours": True}, {}, False),
        ({"out_of_hours": False}, {}, True),
        ({"callback": True}, {"channel": "phone", "answer_group": "ovrigt"}, True),
        ({"callback": True}, {"channel": "phone"}, False),
        (
            {"channel": "email", "keywords": ["hot"]},
            {"channel": "email", "text": "Jag vill ha ett svar"},
            False,
        ),
    ],
)
def test_each_condition(conditions: dict[str, Any], contact: dict[str, Any], matches: bool) -> None:
    ruleset = version([{"id": "villkor", "conditions": conditions, "actions": {"priority": "low"}}])
    assert (decide(ruleset, **contact).matched_rules == ["villkor"]) is matches


def test_a_rule_that_sets_only_a_department_keeps_the_classifier_inside_it() -> None:
    rules = [
        {"id": "till-social", "conditions": {"keywords": ["pengar"]}, "actions": {"department": "social"}}
    ]
    decision = decide(version(rules), text="Jag har inga pengar till mat och hyran, och gatlampan är trasig")
    assert (decision.department, decision.category) == ("social", "forsorjningsstod")
    assert decision.handled_by == "department"
    empty = decide(version(rules), text="pengar")
    assert (empty.department, empty.category, empty.handled_by) == ("social", "ovriga-arenden", "department")
    assert "No category of social recognised" in empty.explanation


def test_the_default_crisis_rule_sends_to_social_services_urgently() -> None:
    decision = decide(Ruleset(default_ruleset(DIRECTORY)), text="Jag orkar inte leva längre")
    assert decision.matched_rules == ["kris-sjalvmord"]
    assert (decision.priority, decision.department, decision.answer_group) == (
        "urgent",
        "social",
        "socialtjanst",
    )
    assert decision.confidential and decision.handled_by == "department"


def test_the_default_rules_raise_an_out_of_hours_call() -> None:
    ruleset = Ruleset(default_ruleset(DIRECTORY))
    night = decide(ruleset, channel="phone", ivr_choice="4", text="Ring mig", received_at=SATURDAY_NIGHT)
    assert night.matched_rules == ["aterringning-utanfor-oppettid"]
    assert night.priority == "high" and night.out_of_hours is True
    assert decide(ruleset, channel="phone", ivr_choice="4", text="Ring mig").priority == "normal"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
FIELDS = st.sampled_from(["id", "conditions", "actions", "stop", "enabled", "description"])
CONDITIONS = st.sampled_from(
    [
        "channel",
        "organization",
        "ivr_choice",
        "form_id",
        "sender",
        "keywords",
        "category_hint",
        "out_of_hours",
    ]
)
ACTIONS = st.sampled_from(
    ["category", "answer_group", "department", "priority", "confidential", "handled_by"]
)
RULE = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=10) | st.just("r"),
        "conditions": st.dictionaries(CONDITIONS, JSON, max_size=3),
        "actions": st.dictionaries(
            ACTIONS, JSON | st.sampled_from(["social", "bygglov", "urgent"]), max_size=3
        ),
        "stop": JSON,
    },
) | st.dictionaries(FIELDS, JSON, max_size=4)


@settings(max_examples=150, deadline=None, database=None)
@given(rules=st.lists(RULE, max_size=4) | JSON)
def test_any_json_is_either_a_ruleset_or_refused_with_reasons(rules: Any) -> None:
    try:
        validate_rules(rules, DIRECTORY)
    except InvalidRuleset as refused:
        assert refused.details and all(p["message"].startswith("rules[") for p in refused.details)
