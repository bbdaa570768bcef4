"""Accuracy on the labelled contacts: department and first line/department, with precision and recall.

``pytest -s tests/unit/test_routing_labelled.py`` prints the tables (all contacts, then the held-out
ones alone, which were written after the keywords were tuned); a failure shows the table too.
"""

from __future__ import annotations

from lotsen.directory import directory_from
from services.routing.decide import Router
from services.routing.rules import Ruleset
from services.routing.rulesets import default_ruleset
from tests.routing_cases import evaluate, load_labelled

MIN_ACCURACY = 0.90
HELD_OUT = "ho-"  # written after the keywords were tuned; reported on their own


def test_the_labelled_contacts_are_routed_to_the_right_department() -> None:
    directory = directory_from()
    router = Router(directory)
    ruleset = Ruleset(default_ruleset(directory))
    cases = load_labelled()
    assert len(cases) >= 150
    assert {c.contact.channel for c in cases} == {"email", "webform", "facebook", "phone", "visit", "letter"}
    assert {c.organization for c in cases} == {"karlskoga", "degerfors", "karlskogahem"}
    decisions = []
    for case in cases:
        org = directory.organization(case.organization)
        assert org is not None, case.id
        decisions.append(router.decide(case.contact, org, ruleset))
    report = evaluate(cases, decisions)
    held_out = [i for i, c in enumerate(cases) if c.id.startswith(HELD_OUT)]
    unseen = evaluate([cases[i] for i in held_out], [decisions[i] for i in held_out])
    print("\nAll labelled contacts\n" + report.render())
    print("\nOf which held out (never used to tune the keywords)\n" + unseen.render())
    assert report.department_accuracy >= MIN_ACCURACY, report.render()
    assert report.handled_by_accuracy >= MIN_ACCURACY, report.render()
