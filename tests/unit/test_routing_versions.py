"""Ruleset versions: the one active at a contact's received_at decides; other processes pick up new ones."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from lotsen.contracts import ContactReceived, ContactRouted, topics
from lotsen.contracts.contacts import ContactReceivedData
from lotsen.directory import directory_from, parse_directory
from lotsen.kafka.memory import InMemoryBus
from services.routing.decide import Router
from services.routing.handlers import make_handler
from services.routing.repository import RulesetRepository
from services.routing.rules import validate_rules
from services.routing.rulesets import RulesetBook

DIRECTORY = directory_from()
VIGSEL = [{"id": "vigsel-prio", "conditions": {"keywords": ["vigsel"]}, "actions": {"priority": "high"}}]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def received(contact_id: str, at: Any) -> ContactReceived:
    return ContactReceived(
        producer="intake",
        organization="karlskoga",
        data=ContactReceivedData(
            contact_id=contact_id, channel="email", received_at=at, text="Vi vill boka en borgerlig vigsel"
        ),
    )


async def test_the_version_active_when_the_contact_was_received_decides(
    bus: InMemoryBus, mongo_db: Any
) -> None:
    rulesets = RulesetBook(RulesetRepository(mongo_db))
    await rulesets.open(DIRECTORY)
    v2 = await rulesets.activate(validate_rules(VIGSEL, DIRECTORY), author="admin", comment="vigslar först")
    handler = make_handler(publisher=bus, router=Router(DIRECTORY), rulesets=rulesets)

    await handler(received("before", v2.activated_at - timedelta(seconds=1)))
    await handler(received("after", v2.activated_at + timedelta(milliseconds=1)))
    await handler(received("ancient", v2.activated_at - timedelta(days=400)))  # older than every version
    decided = {e.data.contact_id: e.data.decision for e in bus.published(topics.CONTACTS_ROUTED)}
    assert all(isinstance(e, ContactRouted) for e in bus.published(topics.CONTACTS_ROUTED))
    assert (decided["before"].ruleset_version, decided["before"].priority) == (1, "normal")
    assert (decided["after"].ruleset_version, decided["after"].priority) == (2, "high")
    assert decided["after"].matched_rules == ["vigsel-prio"]
    assert decided["ancient"].ruleset_version == 1
    assert decided["after"].category == "vigsel"


async def test_another_process_picks_up_a_new_version_on_its_next_check(mongo_db: Any) -> None:
    clock = Clock()
    here = RulesetBook(RulesetRepository(mongo_db))
    elsewhere = RulesetBook(RulesetRepository(mongo_db), refresh_seconds=2.0, clock=clock)
    await here.open(DIRECTORY)
    await elsewhere.open(DIRECTORY)  # finds version 1 and stores nothing
    assert [r.version for r in elsewhere.versions] == [1]

    await here.activate(validate_rules(VIGSEL, DIRECTORY), author="admin", comment="")
    await elsewhere.refresh()
    assert elsewhere.active.version == 1  # checked a moment ago: not yet
    clock.now += 2.5
    await elsewhere.refresh()
    assert elsewhere.active.version == 2
    assert [r.version for r in elsewhere.versions] == [1, 2]
    assert elsewhere.version(1) is not None  # the old version stays readable


async def test_the_default_rules_that_do_not_fit_a_directory_start_an_empty_ruleset(mongo_db: Any) -> None:
    own = parse_directory(
        {
            "catalogue": {"categories": [{"id": "ovriga-arenden", "name": "Övrigt", "rosa_level": 1}]},
            "organizations": [{"id": "x", "code": "XX", "name": "X", "departments": [], "answer_groups": []}],
        }
    )
    rulesets = RulesetBook(RulesetRepository(mongo_db))
    await rulesets.open(own)
    assert (rulesets.active.version, rulesets.active.stored.rules) == (1, [])
