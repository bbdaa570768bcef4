"""The ruleset: model (what administrators write), validation (against the directory), evaluation."""

from services.routing.rules.evaluation import Facts, RuleOutcome, Ruleset
from services.routing.rules.model import Actions, Conditions, Rule, RulesetSummary, RulesetVersion
from services.routing.rules.validation import InvalidRuleset, Problem, validate_rules

__all__ = [
    "Actions",
    "Conditions",
    "Facts",
    "InvalidRuleset",
    "Problem",
    "Rule",
    "RuleOutcome",
    "Ruleset",
    "RulesetSummary",
    "RulesetVersion",
    "validate_rules",
]
